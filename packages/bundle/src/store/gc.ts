/**
 * Garbage collection of a layout: remove blobs nothing reachable from
 * index.json refers to, keeping referrers of what is reachable.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { listBlobs, TMP_PREFIX } from './blobs.js';
import { indexKind, INDEX_TYPES, manifestKind, MANIFEST_TYPES, readDocument } from './documents.js';
import { withLock } from './lock.js';
import { asReferrer } from './referrers.js';
import { readIndex } from './refs.js';

export interface GcOptions {
  /** Find what would be removed, and remove nothing. */
  dryRun?: boolean;
}

/** A blob gc removed (or, in a dry run, would remove), with its size on disk. */
export interface RemovedBlob {
  digest: string;
  size: number;
}

/**
 * Remove blobs of the layout at `dir` that nothing reachable from
 * index.json refers to. Manifests whose `subject` is reachable (referrers:
 * signatures, SBOMs) are kept, with everything they refer to. Stray temp
 * files of interrupted writes go too. Runs under the index lock, so no
 * writer adds a reference while blobs are removed. Returns the removed blobs.
 */
export async function gc(dir: string, options: GcOptions = {}): Promise<RemovedBlob[]> {
  return withLock(dir, async () => {
    const reached = new Set<string>();
    const walk = async (d: Descriptor): Promise<void> => {
      if (reached.has(d.digest)) return;
      reached.add(d.digest);
      if (INDEX_TYPES.includes(d.mediaType)) {
        const idx = await readDocument(dir, d, indexKind(d.mediaType));
        for (const m of idx.manifests) await walk(m);
        if ('subject' in idx && idx.subject !== undefined) await walk(idx.subject);
      } else if (MANIFEST_TYPES.includes(d.mediaType)) {
        const m = await readDocument(dir, d, manifestKind(d.mediaType));
        await walk(m.config);
        for (const l of m.layers) await walk(l);
        if ('subject' in m && m.subject !== undefined) await walk(m.subject);
      }
    };
    for (const d of (await readIndex(dir)).manifests) await walk(d);
    const all = await listBlobs(dir);
    // Referrers: unreached documents whose subject is reached, to a fixed point.
    for (let changed = true; changed; ) {
      changed = false;
      for (const digest of all) {
        if (reached.has(digest)) continue;
        const referrer = await asReferrer(dir, digest);
        if (referrer && reached.has(referrer.subject)) {
          await walk(referrer.descriptor);
          changed = true;
        }
      }
    }
    const removed: RemovedBlob[] = [];
    for (const digest of all) {
      if (reached.has(digest)) continue;
      const file = path.join(dir, 'blobs', ...digest.split(':'));
      const size = (await lstat(file).catch(() => undefined))?.size ?? 0;
      if (!options.dryRun) await rm(file, { force: true, recursive: true });
      removed.push({ digest, size });
    }
    if (options.dryRun) return removed;
    for (const name of await readdir(dir)) if (name.startsWith(TMP_PREFIX)) await rm(path.join(dir, name), { force: true, recursive: true });
    return removed;
  });
}
