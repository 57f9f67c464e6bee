/**
 * Hash many files on every core: worker threads take batches of files (a
 * message per batch, not per file, so tens of thousands of small files cost
 * little), each hashing with 1 MiB synchronous reads. Under a TypeScript
 * test runner there is no compiled worker: files are hashed on this thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { hashFileSync, type HashRequest, type HashResponse, type HashResult } from './hash-file.js';

const WORKER_URL = new URL('./hash-worker.js', import.meta.url);
/** A batch is sent when it holds this many files or bytes. */
const BATCH_FILES = 128;
const BATCH_BYTES = 8 << 20;
const NUL = Buffer.alloc(1);

export interface HashPoolOptions {
  /** Worker threads (default: the number of cores; 0 hashes on this thread). */
  threads?: number;
}

export class HashPool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, { resolve: (r: HashResult[]) => void; reject: (e: unknown) => void }>();
  /** Outstanding batches per worker: new batches go to the least loaded. */
  readonly #load: number[] = [];
  #nextId = 0;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #batchWaiters: ((r: HashResult) => void)[] = [];
  #batchRejects: ((e: unknown) => void)[] = [];
  readonly #inline: Buffer | undefined;

  constructor(options: HashPoolOptions = {}) {
    const wanted = options.threads ?? availableParallelism();
    const usable = wanted > 0 && WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
    if (!usable) {
      this.#inline = Buffer.allocUnsafeSlow(1 << 20);
      return;
    }
    for (let i = 0; i < wanted; i++) {
      const w = new Worker(WORKER_URL);
      w.on('message', (msg: HashResponse) => {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        this.#load[i]!--;
        p?.resolve(msg.results);
      });
      w.on('error', (err) => {
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
      });
      this.#workers.push(w);
      this.#load.push(0);
    }
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
    let best = 0;
    for (let i = 1; i < this.#load.length; i++) if (this.#load[i]! < this.#load[best]!) best = i;
    const id = this.#nextId++;
    this.#load[best]!++;
    this.#pending.set(id, {
      resolve: (results) => results.forEach((r, i) => waiters[i]!(r)),
      reject: (e) => rejects.forEach((r) => r(e)),
    });
    const list = Buffer.concat(paths.flatMap((p) => [p, NUL]));
    this.#workers[best]!.postMessage({ id, paths: list } satisfies HashRequest);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
  }
}
