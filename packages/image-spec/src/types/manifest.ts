import type { Annotations, Descriptor, MediaTypeString } from './descriptor.js';

/**
 * An OCI image manifest (image-spec `manifest.md`), media type
 * `application/vnd.oci.image.manifest.v1+json`: a configuration and a set of
 * layers for a single container image, or an artifact.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md#image-manifest-property-descriptions
 */
export interface ImageManifest {
  /**
   * REQUIRED. MUST be `2`, for backward compatibility with older versions of Docker.
   * @TJS-type integer
   * @minimum 2
   * @maximum 2
   */
  schemaVersion: number;
  /**
   * SHOULD be used; when used it MUST be `application/vnd.oci.image.manifest.v1+json`.
   */
  mediaType?: MediaTypeString;
  /**
   * OPTIONAL. Type of an artifact when the manifest is used for an artifact;
   * MUST be set when `config.mediaType` is the empty value
   * (`application/vnd.oci.empty.v1+json`); MUST comply with RFC 6838.
   */
  artifactType?: MediaTypeString;
  /**
   * REQUIRED. Descriptor of the configuration object (for images
   * `application/vnd.oci.image.config.v1+json`; for artifacts a type of their
   * own or the empty descriptor).
   */
  config: Descriptor;
  /**
   * Each item MUST be a descriptor; for portability there SHOULD be at least one.
   * For images, base layer first, then in stack order.
   */
  layers: Descriptor[];
  /**
   * OPTIONAL. Descriptor of another manifest: a weak association used by the
   * referrers API.
   */
  subject?: Descriptor;
  /** OPTIONAL. Arbitrary metadata; MUST use the annotation rules. */
  annotations?: Annotations;
}
