/**
 * Digesting many files at once: a small pool of worker threads, one file
 * per worker at a time, so N files use up to N cores. Results come back per
 * file, so callers keep their own order (the CLI prints in argument order).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_ALGORITHM, type SupportedAlgorithm } from './algorithms.js';
import { createDigester } from './digester.js';
import { digestFile } from './file.js';
import { digestFileBlocking } from './file-blocking.js';
import type { WorkerRequest, WorkerResponse } from './file-worker.js';
import type { Digest } from './grammar.js';
import type { DigestResult } from './stream.js';

export interface FileDigestPoolOptions {
  /** Files hashed at the same time; default: the number of cores. */
  readonly concurrency?: number;
  /** Use worker threads (default true when more than one at a time); false hashes on this thread. */
  readonly threads?: boolean;
  /**
   * With threads, make one of the `concurrency` lanes this thread (default
   * false): one worker fewer to start, for callers that would otherwise sit
   * waiting. Its files are read synchronously, as in a worker, so the event
   * loop waits while each one is hashed. Measured on a two-core machine validating a 180 MiB layout:
   * the spared worker start-up (about 25 ms of CPU) ends the job sooner.
   */
  readonly callingThread?: boolean;
}

/** A queue of files to hash, `concurrency` at a time. Close it when done. */
export interface FileDigestPool {
  readonly concurrency: number;
  /** Hash one file; rejects with the fs error when it cannot be read. */
  digest(path: string, algorithm?: SupportedAlgorithm): Promise<DigestResult>;
  /** Stop the workers; pending files reject. */
  close(): Promise<void>;
}

interface Job {
  readonly path: string;
  readonly algorithm: SupportedAlgorithm;
  readonly resolve: (r: DigestResult) => void;
  readonly reject: (e: unknown) => void;
}

// The compiled worker sits beside this module in dist/. Under a TypeScript
// test runner there is no .js file: hash on this thread instead.
const WORKER_URL = new URL('./file-worker.js', import.meta.url);

function workerAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

function reviveError(e: Extract<WorkerResponse, { error: unknown }>['error']): Error {
  const err = new Error(e.message) as NodeJS.ErrnoException;
  err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  if (e.syscall !== undefined) err.syscall = e.syscall;
  if (e.path !== undefined) err.path = e.path;
  if (e.errno !== undefined) err.errno = e.errno;
  return err;
}

/** One slot of the pool: runs jobs one after another. */
interface Lane {
  run(job: Job): Promise<void>;
  close(): Promise<void>;
}

/** The calling thread as a lane: synchronous reads, like a worker (it has nothing else to do meanwhile). */
function callingThreadLane(): Lane {
  return {
    run: (job) =>
      digestFileBlocking(job.path, job.algorithm).then(
        (r) => job.resolve({ digest: r.digest as Digest, size: r.size }),
        job.reject,
      ),
    close: () => Promise.resolve(),
  };
}

function inlineLane(): Lane {
  return {
    run: (job) => digestFile(job.path, job.algorithm).then(job.resolve, job.reject),
    close: () => Promise.resolve(),
  };
}

function workerLane(): Lane {
  let worker: Worker | undefined;
  let current: (Job & { id: number }) | undefined;
  let nextId = 0;
  const start = (): Worker => {
    // Referenced only while it works: an idle pool never holds the process open.
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('message', (msg: WorkerResponse) => {
      const job = current;
      if (!job || job.id !== msg.id) return;
      current = undefined;
      w.unref();
      if ('error' in msg) job.reject(reviveError(msg.error));
      else job.resolve({ digest: msg.digest as Digest, size: msg.size });
    });
    w.on('error', (err) => {
      current?.reject(err);
      current = undefined;
      if (worker === w) worker = undefined;
    });
    // A worker that dies without an error event (killed): fail its job, start afresh next time.
    w.on('exit', (code) => {
      current?.reject(new Error(`file digest worker exited with code ${code}`));
      current = undefined;
      if (worker === w) worker = undefined;
    });
    return w;
  };
  return {
    run(job) {
      worker ??= start();
      const id = nextId++;
      return new Promise<void>((done) => {
        current = {
          ...job,
          id,
          resolve: (r) => (job.resolve(r), done()),
          reject: (e) => (job.reject(e), done()),
        };
        worker!.ref();
        worker!.postMessage({ id, path: job.path, algorithm: job.algorithm } satisfies WorkerRequest);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      current?.reject(new Error('file digest pool closed'));
      current = undefined;
      if (w) await w.terminate();
    },
  };
}

/** Start a pool. Workers start lazily, one per lane, on first use. */
export function createFileDigestPool(options: FileDigestPoolOptions = {}): FileDigestPool {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
  const threads = (options.threads ?? concurrency > 1) && workerAvailable();
  const lanes: Lane[] = Array.from({ length: concurrency }, (_, i) => (!threads ? inlineLane() : i === 0 && options.callingThread === true ? callingThreadLane() : workerLane()));
  // Taken from the end: the calling thread's lane (first) gets the first job, as it needs no start-up.
  const idle = [...lanes].reverse();
  const queue: Job[] = [];
  let closed = false;

  const pump = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const lane = idle.pop()!;
      const job = queue.shift()!;
      void lane.run(job).then(() => {
        idle.push(lane);
        pump();
      });
    }
  };

  return {
    concurrency,
    digest(path, algorithm = DEFAULT_ALGORITHM) {
      if (closed) return Promise.reject(new Error('file digest pool closed'));
      createDigester(algorithm); // DIGEST_UNSUPPORTED here, not in a worker
      return new Promise<DigestResult>((resolve, reject) => {
        queue.push({ path, algorithm, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('file digest pool closed'));
      await Promise.all(lanes.map((l) => l.close()));
    },
  };
}

/**
 * Hash many files, `concurrency` at a time, yielding results in the order of
 * `paths` (an unreadable file yields its error and the rest go on).
 */
export async function* digestFiles(
  paths: readonly string[],
  algorithm: SupportedAlgorithm = DEFAULT_ALGORITHM,
  options: FileDigestPoolOptions = {},
): AsyncGenerator<{ path: string; result: DigestResult } | { path: string; error: unknown }> {
  const pool = createFileDigestPool({ concurrency: Math.min(paths.length, options.concurrency ?? availableParallelism()), ...options });
  try {
    const pending = paths.map((path) =>
      pool.digest(path, algorithm).then(
        (result) => ({ path, result }),
        (error: unknown) => ({ path, error }),
      ),
    );
    for (const p of pending) yield await p;
  } finally {
    await pool.close();
  }
}
