import type { ValidateFunction } from 'ajv';

export declare const UPSTREAM_IMAGE_SPEC_SCHEMAS: string;
export declare const UPSTREAM_FILES: Readonly<Record<'descriptor' | 'image-manifest' | 'image-index' | 'image-config' | 'oci-layout', string>>;
export declare function upstreamValidators(dir?: string): Record<string, ValidateFunction>;
