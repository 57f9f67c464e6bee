/** Version of the OCI image-spec this package implements. */
export const IMAGE_SPEC_VERSION = '1.1.1';

export type { Descriptor, Annotations, DigestString, MediaTypeString } from './types/descriptor.js';
export type { Platform } from './types/platform.js';
export type { ImageLayout } from './types/image-layout.js';
export type { ImageManifest } from './types/manifest.js';
export type { ImageIndex } from './types/image-index.js';
export type { ImageConfig, ContainerConfig, RootFS, History, HealthcheckConfig, Labels, StringSet, EmptyObject } from './types/image-config.js';
export type { DockerManifest, DockerManifestList, DockerDescriptor, DockerManifestListEntry, DockerPlatform } from './types/docker-schema2.js';
export { SCHEMA_KINDS, schemaValidators, schemaIds, type SchemaKind } from './generated/kinds.js';
export { DOCUMENT_KINDS, isDocumentKind, type DocumentKind } from './kinds.js';
// The same types as @ocikit/validation's (not copies): findings from every ocikit package mix freely.
export type { Finding, Level, ValidationResult } from '@ocikit/validation';

export { MediaType, OCI_LAYER_MEDIA_TYPES, DOCKER_LAYER_MEDIA_TYPES, kindForMediaType } from './media-types.js';
export { Annotation, RESERVED_ANNOTATION_PREFIX } from './annotations.js';
export { EMPTY_DESCRIPTOR, EMPTY_JSON } from './empty.js';
export { Ref as SpecRef } from './spec-refs.js';
export { DocumentErrorCode, InvalidDocumentError } from './errors.js';
export { isMediaType, isDateTime, isRefName, REF_NAME_GRAMMAR, isBase64 } from './rules/common.js';
export {
  validate,
  parse,
  is,
  parseDocument,
  isDocument,
  validateDescriptor,
  validateImageManifest,
  validateImageIndex,
  validateImageConfig,
  validateImageLayout,
  validateDockerManifest,
  validateDockerManifestList,
  parseDescriptor,
  parseImageManifest,
  parseImageIndex,
  parseImageConfig,
  parseImageLayout,
  parseDockerManifest,
  parseDockerManifestList,
  isDescriptor,
  isImageManifest,
  isImageIndex,
  isImageConfig,
  isImageLayout,
  isDockerManifest,
  isDockerManifestList,
  type DocumentTypes,
  type ValidateOptions,
} from './validate.js';
export {
  ReferenceErrorCode,
  InvalidReferenceError,
  NAME_MAX_LENGTH,
  TAG_MAX_LENGTH,
  parseReference,
  parseNormalizedReference,
  normalizeReference,
  familiarName,
  formatReference,
  isValidReference,
  type Reference,
} from './reference.js';
export { matchPlatform, hostPlatform, normalizePlatform, parsePlatform, formatPlatform, type PlatformSpec } from './platform-match.js';
