import type { ValidateFunction } from 'ajv';

/** Where the upstream schema files are (`OCIKIT_IMAGE_SPEC_SCHEMAS`, else the Debian package's path). */
export declare const UPSTREAM_SCHEMAS: string;
/** Upstream schema file of each document kind. */
export declare const UPSTREAM_FILES: Readonly<{
  descriptor: 'content-descriptor.json';
  'image-manifest': 'image-manifest-schema.json';
  'image-index': 'image-index-schema.json';
  'image-config': 'config-schema.json';
  'oci-layout': 'image-layout-schema.json';
}>;
export type UpstreamKind = keyof typeof UPSTREAM_FILES;
/** ajv with every upstream schema file of `dir` loaded; a compiled validator per kind (`allErrors`: report every error, for diagnosis). */
export declare function upstreamValidators(options?: { dir?: string; allErrors?: boolean }): Record<UpstreamKind, ValidateFunction>;
