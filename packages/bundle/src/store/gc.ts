/**
 * Garbage collection of a layout: remove blobs nothing reachable from
 * index.json refers to, keeping referrers of what is reachable, and the
 * scratch files of writers that died.
 */
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { sweepScratch, strayScratch } from '../fs/scratch.js';
import { listBlobs } from './blobs.js';
import { indexKind, INDEX_TYPES, manifestKind, MANIFEST_TYPES, readDocument } from './documents.js';
import { withLock } from './lock.js';
import { asReferrer } from './referrers.js';
import { readIndex } from './refs.js';

/**
 * How long an unreferenced blob is spared by default. A writer stores its
 * blobs first and names them in index.json last, so a blob that is young
 * and unreferenced may be one a running pack or copy is about to name.
 */
export const GC_GRACE_MS = 15 * 60_000;

export interface GcOptions {
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Spare unreferenced blobs written less than this long ago (default GC_GRACE_MS; 0 spares none). */
  graceMs?: number;
}

export interface GcBlob {
  digest: string;
  size: number;
}

export interface GcResult {
  /** Unreferenced blobs removed (with dryRun: that would be removed). */
  removed: GcBlob[];
  /** Unreferenced blobs kept because they are younger than the grace period. */
  spared: GcBlob[];
  /** Scratch files and directories of writers that are gone (removed unless dryRun). */
  scratch: string[];
}

/**
 * Collect the layout at `dir`. Manifests whose `subject` is reachable
 * (referrers: signatures, SBOMs) are kept, with everything they refer to.
 * Runs under the layout lock, so no writer changes index.json meanwhile;
 * blobs younger than the grace period are spared, so a writer that has
 * stored blobs but not yet named them loses nothing.
 */
export async function gc(dir: string, options: GcOptions = {}): Promise<GcResult> {
  const graceMs = options.graceMs ?? GC_GRACE_MS;
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
    const result: GcResult = { removed: [], spared: [], scratch: [] };
    const now = Date.now();
    for (const digest of all) {
      if (reached.has(digest)) continue;
      const file = path.join(dir, 'blobs', ...digest.split(':'));
      const st = await lstat(file).catch(() => undefined);
      if (st === undefined) continue;
      const blob = { digest, size: st.size };
      if (now - st.mtimeMs < graceMs) {
        result.spared.push(blob);
        continue;
      }
      if (!options.dryRun) await rm(file, { force: true, recursive: true });
      result.removed.push(blob);
    }
    result.scratch = options.dryRun ? strayScratch(dir) : sweepScratch(dir);
    return result;
  });
}
