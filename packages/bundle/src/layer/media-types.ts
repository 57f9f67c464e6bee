/**
 * Layer media types this package unpacks (image-spec layer.md,
 * media-types.md; Docker's schema 2) and the compression each one names.
 * Kept apart from the extractor so that checking a media type loads no
 * decompressor.
 */
import { MediaType } from '@ocikit/image-spec/media-types';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';

export const Compression = { None: 'none', Gzip: 'gzip', Zstd: 'zstd' } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

const COMPRESSION: { readonly [mediaType: string]: Compression } = {
  [MediaType.ImageLayer]: Compression.None,
  [MediaType.ImageLayerGzip]: Compression.Gzip,
  [MediaType.ImageLayerZstd]: Compression.Zstd,
  [MediaType.ImageLayerNonDistributable]: Compression.None,
  [MediaType.ImageLayerNonDistributableGzip]: Compression.Gzip,
  [MediaType.ImageLayerNonDistributableZstd]: Compression.Zstd,
  [MediaType.DockerLayerGzip]: Compression.Gzip,
  [MediaType.DockerForeignLayerGzip]: Compression.Gzip,
};

/** The compression of a layer media type; anything else is refused by name. */
export function layerCompression(mediaType: string): Compression {
  const c = Object.prototype.hasOwnProperty.call(COMPRESSION, mediaType) ? COMPRESSION[mediaType] : undefined;
  if (c === undefined) {
    throw new BundleError(BundleErrorCode.UnsupportedMediaType, `layer media type ${q(mediaType)} is not one that can be unpacked (tar, tar+gzip, tar+zstd)`, {
      ref: BundleSpecRef.LayerMediaTypes,
    });
  }
  return c;
}
