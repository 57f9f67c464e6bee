/**
 * Hash many files on every core: worker threads take batches of files (a
 * message per batch, not per file, so tens of thousands of small files cost
 * little), each hashing with 1 MiB synchronous reads. The workers are
 * @ocikit/digest's WorkerPool; with no threads asked for, or no compiled
 * worker, files are hashed on this thread.
 */
import { availableParallelism } from 'node:os';
import { WorkerPool, workerScript } from '@ocikit/digest/worker-pool';
import { hashFileSync, type HashRequest, type HashResponse, type HashResult } from './hash-file.js';

const WORKER = workerScript('./hash-worker.js', import.meta.url);
/** A batch is sent when it holds this many files or bytes. */
const BATCH_FILES = 128;
const BATCH_BYTES = 8 << 20;
const NUL = Buffer.alloc(1);

export interface HashPoolOptions {
  /** Worker threads (default: the number of cores; 0 hashes on this thread). */
  threads?: number;
}

export class HashPool {
  /** Batches go to the least loaded worker. */
  readonly #workers: WorkerPool<HashRequest, HashResponse> | undefined;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #batchWaiters: ((r: HashResult) => void)[] = [];
  #batchRejects: ((e: unknown) => void)[] = [];
  readonly #inline: Buffer | undefined;

  constructor(options: HashPoolOptions = {}) {
    const wanted = options.threads ?? availableParallelism();
    if (wanted > 0 && WORKER !== undefined) this.#workers = new WorkerPool({ script: WORKER, size: wanted, name: 'file hash' });
    else this.#inline = Buffer.allocUnsafeSlow(1 << 20);
  }

  /** Hash one file (by host path); batched with others until `flush` or a full batch. */
  hash(host: Buffer, size: number): Promise<HashResult> {
    if (this.#inline) {
      try {
        return Promise.resolve(hashFileSync(host, this.#inline));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return Promise.resolve({ error: { message: e.message, ...(e.code !== undefined && { code: e.code }) } });
      }
    }
    return new Promise((resolve, reject) => {
      this.#batch.push(host);
      this.#batchWaiters.push(resolve);
      this.#batchRejects.push(reject);
      this.#batchBytes += size;
      if (this.#batch.length >= BATCH_FILES || this.#batchBytes >= BATCH_BYTES) this.flush();
    });
  }

  /** Send the batch being filled. */
  flush(): void {
    if (this.#batch.length === 0) return;
    const paths = this.#batch;
    const waiters = this.#batchWaiters;
    const rejects = this.#batchRejects;
    this.#batch = [];
    this.#batchWaiters = [];
    this.#batchRejects = [];
    this.#batchBytes = 0;
    const list = Buffer.concat(paths.flatMap((p) => [p, NUL]));
    // Copied, not transferred: a small list lives in Buffer's shared slab.
    this.#workers!.request({ paths: list }).then(
      ({ results }) => results.forEach((r, i) => waiters[i]!(r)),
      (e: unknown) => rejects.forEach((r) => r(e)),
    );
  }

  async close(): Promise<void> {
    await this.#workers?.close();
  }
}
