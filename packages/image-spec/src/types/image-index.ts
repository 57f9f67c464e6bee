import type { Annotations, Descriptor, MediaTypeString } from './descriptor.js';

/**
 * An OCI image index (image-spec `image-index.md`), media type
 * `application/vnd.oci.image.index.v1+json`: a higher-level manifest pointing
 * to manifests, typically one per platform.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md#image-index-property-descriptions
 */
export interface ImageIndex {
  /**
   * REQUIRED. MUST be `2`, for backward compatibility with older versions of Docker.
   * @TJS-type integer
   * @minimum 2
   * @maximum 2
   */
  schemaVersion: number;
  /** SHOULD be used; when used it MUST be `application/vnd.oci.image.index.v1+json`. */
  mediaType?: MediaTypeString;
  /** OPTIONAL. Type of an artifact when the index is used for one; MUST comply with RFC 6838. */
  artifactType?: MediaTypeString;
  /**
   * REQUIRED (the array MAY be empty). Descriptors of manifests, each with an
   * optional `platform`; if several match a client's requirements, the first
   * matching entry SHOULD be used.
   */
  manifests: Descriptor[];
  /** OPTIONAL. Descriptor of another manifest, used by the referrers API. */
  subject?: Descriptor;
  /** OPTIONAL. Arbitrary metadata; MUST use the annotation rules. */
  annotations?: Annotations;
}
