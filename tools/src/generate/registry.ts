/**
 * The one table that drives schema and validator generation.
 *
 * Each row names a document kind, the package that owns it, the TypeScript
 * file that defines it and the root type. `npm run generate` turns every row
 * into `schemas/<package>/<kind>.schema.json` and an ahead-of-time compiled
 * ajv validator in `packages/<package>/src/generated/validators.ts`.
 */
export interface SchemaEntry {
  /** Stable document kind name, used on the command line and in file names. */
  readonly kind: string;
  /** Directory name under `packages/`. */
  readonly package: SpecPackage;
  /** Source file, relative to the package directory. */
  readonly source: string;
  /** Exported root type in that file. */
  readonly type: string;
  /** One line for the schema's `title`. */
  readonly title: string;
}

export type SpecPackage = 'runtime-spec' | 'image-spec' | 'conformance';

export const SCHEMA_REGISTRY: readonly SchemaEntry[] = [
  // runtime-spec
  { kind: 'runtime-config', package: 'runtime-spec', source: 'src/types/config.ts', type: 'Spec', title: 'OCI runtime configuration (config.json)' },
  { kind: 'runtime-state', package: 'runtime-spec', source: 'src/types/state.ts', type: 'State', title: 'OCI runtime state' },
  { kind: 'runtime-features', package: 'runtime-spec', source: 'src/types/features.ts', type: 'Features', title: 'OCI runtime features' },
  // image-spec
  { kind: 'descriptor', package: 'image-spec', source: 'src/types/descriptor.ts', type: 'Descriptor', title: 'OCI content descriptor' },
  { kind: 'oci-layout', package: 'image-spec', source: 'src/types/image-layout.ts', type: 'ImageLayout', title: 'OCI image layout marker file (oci-layout)' },
  { kind: 'image-manifest', package: 'image-spec', source: 'src/types/manifest.ts', type: 'ImageManifest', title: 'OCI image manifest' },
  { kind: 'image-index', package: 'image-spec', source: 'src/types/image-index.ts', type: 'ImageIndex', title: 'OCI image index' },
  { kind: 'image-config', package: 'image-spec', source: 'src/types/image-config.ts', type: 'ImageConfig', title: 'OCI image configuration' },
  { kind: 'docker-manifest', package: 'image-spec', source: 'src/types/docker-schema2.ts', type: 'DockerManifest', title: 'Docker image manifest v2, schema 2' },
  { kind: 'docker-manifest-list', package: 'image-spec', source: 'src/types/docker-schema2.ts', type: 'DockerManifestList', title: 'Docker manifest list v2, schema 2' },
  // conformance (the CLI's public output formats)
  { kind: 'validate-report', package: 'conformance', source: 'src/types/validate-report.ts', type: 'ValidateReport', title: 'Output of ocikit validate --json' },
];
