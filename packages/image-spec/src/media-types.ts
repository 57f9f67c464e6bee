import type { DocumentKind } from './kinds.js';

/**
 * Media types defined by image-spec (`media-types.md`) and by Docker's image
 * manifest v2 schema 2, which OCI media types are compatible with.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/media-types.md
 */
export const MediaType = {
  /** A content descriptor. */
  Descriptor: 'application/vnd.oci.descriptor.v1+json',
  /** The `oci-layout` file of an image layout. */
  LayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  /** An image index. */
  ImageIndex: 'application/vnd.oci.image.index.v1+json',
  /** An image manifest. */
  ImageManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** An image configuration. */
  ImageConfig: 'application/vnd.oci.image.config.v1+json',
  /** A layer, as a tar archive. */
  ImageLayer: 'application/vnd.oci.image.layer.v1.tar',
  /** A layer, as a tar archive compressed with gzip. */
  ImageLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** A layer, as a tar archive compressed with zstd. */
  ImageLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** Deprecated: a layer with distribution restrictions, as a tar archive. */
  ImageLayerNonDistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  /** Deprecated: a layer with distribution restrictions, compressed with gzip. */
  ImageLayerNonDistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  /** Deprecated: a layer with distribution restrictions, compressed with zstd. */
  ImageLayerNonDistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** The empty JSON object `{}`, for descriptors with no content of their own. */
  EmptyJSON: 'application/vnd.oci.empty.v1+json',
  /** Docker image manifest v2, schema 2. */
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list (the "fat manifest"). */
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker image manifest v2, schema 1, signed (legacy). */
  DockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  /** Docker container image configuration. */
  DockerImageConfig: 'application/vnd.docker.container.image.v1+json',
  /** Docker layer, a gzip-compressed tar archive. */
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Docker foreign layer: may be pulled from `urls`, never pushed. */
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** Docker plugin configuration. */
  DockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
} as const;
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

/** Layer media types image-spec requires implementations to support (plus zstd, added in v1.1). */
export const OCI_LAYER_MEDIA_TYPES: readonly string[] = [
  MediaType.ImageLayer,
  MediaType.ImageLayerGzip,
  MediaType.ImageLayerZstd,
  MediaType.ImageLayerNonDistributable,
  MediaType.ImageLayerNonDistributableGzip,
  MediaType.ImageLayerNonDistributableZstd,
];

/** Layer media types a Docker schema 2 manifest uses. */
export const DOCKER_LAYER_MEDIA_TYPES: readonly string[] = [MediaType.DockerLayerGzip, MediaType.DockerForeignLayerGzip];

const KIND_BY_MEDIA_TYPE: Readonly<Record<string, DocumentKind>> = {
  [MediaType.Descriptor]: 'descriptor',
  [MediaType.ImageManifest]: 'image-manifest',
  [MediaType.ImageIndex]: 'image-index',
  [MediaType.ImageConfig]: 'image-config',
  [MediaType.LayoutHeader]: 'oci-layout',
  [MediaType.DockerManifest]: 'docker-manifest',
  [MediaType.DockerManifestList]: 'docker-manifest-list',
  [MediaType.DockerImageConfig]: 'image-config',
};

/**
 * The document kind to validate content of a media type as (a descriptor's
 * `mediaType`, an HTTP `Content-Type`; parameters are ignored), or undefined
 * for content this package does not describe (layers, artifacts).
 */
export function kindForMediaType(mediaType: string): DocumentKind | undefined {
  const bare = mediaType.split(';', 1)[0]!.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(KIND_BY_MEDIA_TYPE, bare) ? KIND_BY_MEDIA_TYPE[bare] : undefined;
}
