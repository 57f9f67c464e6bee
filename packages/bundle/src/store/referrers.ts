/**
 * Referrers (image-spec manifest.md "subject"): manifests and indexes that
 * point at another through `subject` (signatures, SBOMs). Nothing in
 * index.json names them, so they are found by reading every blob that could
 * be one.
 */
import type { Descriptor } from '@ocikit/image-spec';
import { sniffDocument } from './documents.js';

/**
 * If the blob is a manifest or index with a subject, its descriptor and the
 * subject's digest. A blob that is not such a document (a layer, invalid
 * JSON) is simply not a referrer: this only decides what gc keeps, and any
 * document kept is read (and validated) as it is walked.
 */
export async function asReferrer(dir: string, digest: string): Promise<{ descriptor: Descriptor; subject: string } | undefined> {
  const sniffed = await sniffDocument(dir, digest);
  const subject = sniffed?.subject?.digest;
  if (sniffed === undefined || typeof subject !== 'string') return undefined;
  return { descriptor: sniffed.descriptor, subject };
}
