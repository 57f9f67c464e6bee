import type { Annotations, DigestString, MediaTypeString } from './descriptor.js';
import type { Platform } from './platform.js';

/**
 * Docker Image Manifest V2, Schema 2 (distribution `manifest-v2-2.md`), the
 * format the OCI manifest started from; media type
 * `application/vnd.docker.distribution.manifest.v2+json`.
 * @see https://github.com/distribution/distribution/blob/v2.8.3/docs/spec/manifest-v2-2.md#image-manifest-field-descriptions
 */
export interface DockerManifest {
  /**
   * REQUIRED. MUST be `2`.
   * @TJS-type integer
   * @minimum 2
   * @maximum 2
   */
  schemaVersion: number;
  /** REQUIRED. MUST be `application/vnd.docker.distribution.manifest.v2+json`. */
  mediaType: MediaTypeString;
  /** REQUIRED. The image configuration, generally `application/vnd.docker.container.image.v1+json`. */
  config: DockerDescriptor;
  /** REQUIRED. Layers, base first; generally `application/vnd.docker.image.rootfs.diff.tar.gzip`. */
  layers: DockerDescriptor[];
}

/** A descriptor in a Docker schema 2 manifest: media type, size, digest, and optional URLs. */
export interface DockerDescriptor {
  /** REQUIRED. Media type of the referenced object. */
  mediaType: MediaTypeString;
  /**
   * REQUIRED. Size in bytes of the referenced object.
   * @TJS-type integer
   * @minimum 0
   */
  size: number;
  /** REQUIRED. Digest of the content. */
  digest: DigestString;
  /** OPTIONAL. URLs from which the content may be fetched (foreign layers). */
  urls?: string[];
  /** OPTIONAL. Annotations, as tools that write both formats include them. */
  annotations?: Annotations;
}

/**
 * Docker manifest list (distribution `manifest-v2-2.md`), media type
 * `application/vnd.docker.distribution.manifest.list.v2+json`: the "fat
 * manifest" the OCI image index started from.
 * @see https://github.com/distribution/distribution/blob/v2.8.3/docs/spec/manifest-v2-2.md#manifest-list-field-descriptions
 */
export interface DockerManifestList {
  /**
   * REQUIRED. MUST be `2`.
   * @TJS-type integer
   * @minimum 2
   * @maximum 2
   */
  schemaVersion: number;
  /** REQUIRED. MUST be `application/vnd.docker.distribution.manifest.list.v2+json`. */
  mediaType: MediaTypeString;
  /** REQUIRED. Manifests for specific platforms. */
  manifests: DockerManifestListEntry[];
}

/** One entry of a Docker manifest list: a descriptor with a REQUIRED platform. */
export interface DockerManifestListEntry {
  /** REQUIRED. Generally `application/vnd.docker.distribution.manifest.v2+json`. */
  mediaType: MediaTypeString;
  /**
   * REQUIRED. Size in bytes of the referenced manifest.
   * @TJS-type integer
   * @minimum 0
   */
  size: number;
  /** REQUIRED. Digest of the referenced manifest. */
  digest: DigestString;
  /** OPTIONAL. URLs from which the content may be fetched. */
  urls?: string[];
  /** OPTIONAL. Annotations. */
  annotations?: Annotations;
  /** REQUIRED. The platform the referenced image runs on. */
  platform: DockerPlatform;
}

/**
 * Platform of a Docker manifest list entry: the fields of the OCI platform,
 * which took them from here; `features` keeps its Docker meaning (the OCI
 * platform reserves it).
 */
export interface DockerPlatform extends Platform {
  /** OPTIONAL. Required CPU features (e.g. `sse4`, `aes`). */
  features?: string[];
}
