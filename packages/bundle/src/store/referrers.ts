/**
 * Referrers (image-spec manifest.md "subject"): manifests and indexes that
 * point at another through `subject` (signatures, SBOMs). Nothing in
 * index.json names them, so they are found by reading every blob that could
 * be one.
 */
import type { Descriptor } from '@ocikit/image-spec';
import { listBlobs } from './blobs.js';
import { sniffDocument } from './documents.js';

/**
 * If the blob is a manifest or index with a subject, its descriptor and the
 * subject's digest. A blob that is not such a document (a layer, invalid
 * JSON) is simply not a referrer: this only decides what gc keeps, and any
 * document kept is read (and validated) as it is walked.
 */
export async function asReferrer(dir: string, digest: string): Promise<{ descriptor: Descriptor; subject: string; artifactType?: string } | undefined> {
  const sniffed = await sniffDocument(dir, digest);
  const subject = sniffed?.subject?.digest;
  if (sniffed === undefined || typeof subject !== 'string') return undefined;
  return { descriptor: sniffed.descriptor, subject, ...(sniffed.artifactType !== undefined && { artifactType: sniffed.artifactType }) };
}

/**
 * Every referrer in the layout, by the digest of its subject. Each blob that
 * could be a manifest is read once; the descriptors carry the referrer's
 * `artifactType` (else its config's media type, as distribution-spec's
 * referrers API reports it) when it states one.
 */
export async function listReferrers(dir: string): Promise<Map<string, Descriptor[]>> {
  const bySubject = new Map<string, Descriptor[]>();
  for (const digest of await listBlobs(dir)) {
    const r = await asReferrer(dir, digest);
    if (r === undefined) continue;
    const list = bySubject.get(r.subject) ?? [];
    list.push(r.artifactType === undefined ? r.descriptor : { ...r.descriptor, artifactType: r.artifactType });
    bySubject.set(r.subject, list);
  }
  return bySubject;
}
