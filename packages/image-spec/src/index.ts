/** Version of the OCI image-spec this package implements. */
export const IMAGE_SPEC_VERSION = '1.1.1';

export type { Descriptor, Annotations, DigestString } from './types/descriptor.js';
export type { Platform } from './types/platform.js';
export type { ImageLayout } from './types/image-layout.js';
export { SCHEMA_KINDS, schemaValidators, schemaIds, type SchemaKind } from './generated/kinds.js';
export type { Finding, Level, ValidationResult } from './generated/validation-runtime.js';
