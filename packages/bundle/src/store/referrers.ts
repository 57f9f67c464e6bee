/**
 * Referrers (image-spec manifest.md "subject"): manifests and indexes that
 * point at another through `subject` (signatures, SBOMs). Nothing in
 * index.json names them, so they are found by reading every blob that could
 * be one.
 */
import { readFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { MAX_MANIFEST_BYTES } from './limits.js';

/**
 * If the blob is a manifest or index with a subject, its descriptor and the
 * subject's digest. A blob that is not such a document (a layer, invalid
 * JSON) is simply not a referrer: this only decides what gc keeps, and any
 * document kept is read (and validated) as it is walked.
 */
export async function asReferrer(dir: string, digest: string): Promise<{ descriptor: Descriptor; subject: string } | undefined> {
  const file = path.join(dir, 'blobs', ...digest.split(':'));
  const st = await lstat(file).catch(() => undefined);
  if (!st?.isFile() || st.size > MAX_MANIFEST_BYTES) return undefined;
  let doc: { mediaType?: unknown; subject?: { digest?: unknown }; manifests?: unknown; layers?: unknown };
  try {
    doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  const subject = doc?.subject?.digest;
  if (typeof subject !== 'string') return undefined;
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : Array.isArray(doc.manifests) ? MediaType.ImageIndex : MediaType.ImageManifest;
  return { descriptor: { mediaType, digest, size: st.size }, subject };
}
