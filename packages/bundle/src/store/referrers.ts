/**
 * Referrers (image-spec manifest.md "subject"): manifests and indexes that
 * point at another through `subject` (signatures, SBOMs). Nothing in
 * index.json names them, so they are found by reading every blob that could
 * be one.
 */
import path from 'node:path';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { Limits, readRegularFile } from '@ocikit/validation';

/**
 * If the blob is a manifest or index with a subject, its descriptor and the
 * subject's digest. A blob that is not such a document (a layer, invalid
 * JSON) is simply not a referrer: this only decides what gc keeps, and any
 * document kept is read (and validated) as it is walked.
 */
export function asReferrer(dir: string, digest: string): Promise<{ descriptor: Descriptor; subject: string } | undefined> {
  // Read synchronously (one small file); the answer arrives as a promise, as before.
  return new Promise((resolve) => resolve(referrerNow(dir, digest)));
}

function referrerNow(dir: string, digest: string): { descriptor: Descriptor; subject: string } | undefined {
  const file = path.join(dir, 'blobs', ...digest.split(':'));
  let bytes: Buffer;
  let doc: { mediaType?: unknown; subject?: { digest?: unknown }; manifests?: unknown; layers?: unknown };
  try {
    // Larger than a manifest may be, a FIFO, a symlink, gone: not a referrer.
    bytes = readRegularFile(file, Limits.ManifestBytes, { followSymlinks: false });
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  const subject = doc?.subject?.digest;
  if (typeof subject !== 'string') return undefined;
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : Array.isArray(doc.manifests) ? MediaType.ImageIndex : MediaType.ImageManifest;
  return { descriptor: { mediaType, digest, size: bytes.length }, subject };
}
