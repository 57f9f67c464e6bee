/**
 * The image a signature in a layout is for: the manifest or index a name or
 * digest selects at the top of the layout (as cosign signs the digest a
 * reference names: an index, not one platform's manifest), its bytes read
 * verified. Both signature formats sign in layouts through here.
 */
import { BundleError, BundleErrorCode, Layout, MAX_MANIFEST_BYTES } from '@ocikit/bundle';
import { isValidDigest } from '@ocikit/digest';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { SignatureError, SignatureErrorCode } from '../errors.js';

/** A Layout, or one opened from its directory. */
export function openLayout(layout: Layout | string): Promise<Layout> {
  return typeof layout === 'string' ? Layout.open(layout) : Promise.resolve(layout);
}

const SIGNABLE: readonly string[] = [MediaType.ImageManifest, MediaType.ImageIndex, MediaType.DockerManifest, MediaType.DockerManifestList];

/** The manifest or index `reference` (a name or a digest) selects in `layout`, with its bytes. */
export async function readImageManifest(layout: Layout, reference: string): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const target = isValidDigest(reference) ? { digest: reference } : reference;
  const found = await layout.descriptors(target);
  if (found.length === 0) {
    throw new BundleError(BundleErrorCode.RefNotFound, `no manifest or index ${JSON.stringify(reference)} in layout ${layout.dir}`);
  }
  const digests = new Set(found.map((d) => d.digest));
  if (digests.size > 1) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `${JSON.stringify(reference)} names ${digests.size} manifests in layout ${layout.dir}; sign one by its digest`);
  }
  const d = found[0]!;
  if (!SIGNABLE.includes(d.mediaType)) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `${JSON.stringify(reference)} names a ${d.mediaType}, not an image manifest or index`);
  }
  const descriptor: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  return { descriptor, bytes: await layout.readBlob(descriptor, MAX_MANIFEST_BYTES) };
}
