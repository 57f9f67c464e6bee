/**
 * Pre-defined annotation keys (image-spec `annotations.md`). The
 * `org.opencontainers` prefix is reserved for keys defined by OCI specifications.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/annotations.md#pre-defined-annotation-keys
 */
export const Annotation = {
  /** Date and time on which the image was built, conforming to RFC 3339. */
  Created: 'org.opencontainers.image.created',
  /** Contact details of the people or organization responsible for the image (freeform). */
  Authors: 'org.opencontainers.image.authors',
  /** URL to find more information on the image. */
  Url: 'org.opencontainers.image.url',
  /** URL to get documentation on the image. */
  Documentation: 'org.opencontainers.image.documentation',
  /** URL to get source code for building the image. */
  Source: 'org.opencontainers.image.source',
  /** Version of the packaged software. */
  Version: 'org.opencontainers.image.version',
  /** Source control revision identifier for the packaged software. */
  Revision: 'org.opencontainers.image.revision',
  /** Name of the distributing entity, organization or individual. */
  Vendor: 'org.opencontainers.image.vendor',
  /** License(s) under which contained software is distributed, as an SPDX License Expression. */
  Licenses: 'org.opencontainers.image.licenses',
  /** Name of the reference for a target; SHOULD only be considered valid on descriptors in a layout's `index.json`. */
  RefName: 'org.opencontainers.image.ref.name',
  /** Human-readable title of the image. */
  Title: 'org.opencontainers.image.title',
  /** Human-readable description of the software packaged in the image. */
  Description: 'org.opencontainers.image.description',
  /** Digest of the image this image is based on. */
  BaseDigest: 'org.opencontainers.image.base.digest',
  /** Image reference of the image this image is based on. */
  BaseName: 'org.opencontainers.image.base.name',
} as const;
export type Annotation = (typeof Annotation)[keyof typeof Annotation];

/** Prefix reserved for keys defined in OCI specifications. */
export const RESERVED_ANNOTATION_PREFIX = 'org.opencontainers.';
