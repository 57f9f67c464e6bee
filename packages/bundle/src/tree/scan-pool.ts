/**
 * The parallel bundle scan: directories are handed out to worker threads
 * (one per core), each listing, describing and hashing whole directories
 * and answering with the subdirectories it found, which are handed out in
 * turn. Every core walks and hashes at once; the calling thread only
 * coordinates. Without threads, or without a compiled worker, the same
 * scan runs on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { WorkerPool, workerScript } from '@ocikit/digest/worker-pool';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { describeEntry, scanDirs, type ScanRequest, type ScanResponse } from './scan.js';

const WORKER = workerScript('./scan-worker.js', import.meta.url);
/** Directories per request, and requests each worker holds, so none waits for the next. */
const DIRS_PER_REQUEST = 4;
const IN_FLIGHT = 2;

export interface ScannedEntry {
  /** Path relative to the root as latin1 ('' for the root). */
  rel: string;
  /** Record fields after the path. */
  fields: string;
  /** `dev:ino` for files with several links, else ''. */
  link: string;
}

function fail(root: string, e: { message: string; code?: string }): BundleError {
  return new BundleError(BundleErrorCode.InvalidBundle, `cannot read rootfs ${q(root)}: ${e.message}`);
}

/** Every entry under `root` (the root first, as ''), sorted by path bytes. */
export async function scanTree(root: string, options: { mtimes?: boolean; threads?: number } = {}): Promise<ScannedEntry[]> {
  const mtimes = options.mtimes === true;
  const rootLatin1 = Buffer.from(root).toString('latin1');
  const buffer = Buffer.allocUnsafeSlow(1 << 20);
  let rootDesc;
  try {
    rootDesc = describeEntry(Buffer.from(root), mtimes, buffer);
  } catch (err) {
    throw fail(root, err as Error);
  }
  if (!rootDesc.dir) throw new BundleError(BundleErrorCode.InvalidBundle, `rootfs ${q(root)} is not a directory`);
  const flat: string[] = ['', rootDesc.fields, rootDesc.link];
  const queue: string[] = [''];

  const threads = options.threads ?? availableParallelism();
  if (threads <= 0 || WORKER === undefined) {
    while (queue.length > 0) {
      const r = scanDirs({ root: rootLatin1, dirs: queue.splice(0, DIRS_PER_REQUEST), mtimes }, buffer);
      if (r.error) throw fail(root, r.error);
      for (const e of r.entries) flat.push(e);
      queue.push(...r.subdirs);
    }
  } else {
    const workers = new WorkerPool<ScanRequest, ScanResponse>({ script: WORKER, size: threads, name: 'bundle scan' });
    try {
      await new Promise<void>((resolve, reject) => {
        let failed = false;
        const dispatch = (): void => {
          // Least busy first, so every worker holds IN_FLIGHT requests before any holds more.
          while (queue.length > 0 && workers.outstanding() < threads * IN_FLIGHT) {
            // Share the queue among idle workers rather than giving one all of it.
            const n = Math.max(1, Math.min(DIRS_PER_REQUEST, Math.ceil(queue.length / (threads * IN_FLIGHT))));
            workers.request({ root: rootLatin1, dirs: queue.splice(0, n), mtimes }).then(answer, (err: Error) => {
              failed = true;
              reject(err);
            });
          }
          if (workers.outstanding() === 0 && queue.length === 0) resolve();
        };
        const answer = (r: ScanResponse): void => {
          if (failed) return;
          if (r.error) {
            failed = true;
            reject(fail(root, r.error));
            return;
          }
          for (const e of r.entries) flat.push(e);
          for (const d of r.subdirs) queue.push(d);
          dispatch();
        };
        dispatch();
      });
    } finally {
      await workers.close();
    }
  }
  const out: ScannedEntry[] = [];
  for (let i = 0; i < flat.length; i += 3) out.push({ rel: flat[i]!, fields: flat[i + 1]!, link: flat[i + 2]! });
  // latin1 strings compare by byte value: this is the order of path bytes.
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
