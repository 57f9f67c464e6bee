/**
 * Decompression and diff_id hashing on a worker thread, so that the main
 * thread spends its time on the tar stream and the filesystem. Compressed
 * chunks go in (already verified by the layout as they were read), inflated
 * chunks come out, each side bounded by credits so that memory stays at a
 * few MiB whatever the layer's size.
 *
 * The worker is plain CommonJS evaluated from a string, using only Node
 * built-ins, so it runs the same from `dist/` and from sources under test.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Algorithms node:crypto hashes in the worker (blake3 stays on the main thread). */
export const WORKER_ALGORITHMS: readonly string[] = ['sha256', 'sha384', 'sha512'];

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// Output credits live in shared memory: the worker blocks (Atomics.wait)
// when the main thread is behind, which also bounds a zstd decoder that
// produces output synchronously.
const credits = new Int32Array(workerData.credits);
const hash = createHash(workerData.algorithm);
let size = 0;
let failed = false;
// Output is batched into chunk-sized buffers (fzstd emits blocks of a few
// KiB to 128 KiB; one message each would make the threads ping-pong).
let batch = new Uint8Array(workerData.chunk);
let fill = 0;
function flush() {
  if (fill === 0) return;
  while (Atomics.load(credits, 0) <= 0) Atomics.wait(credits, 0, Atomics.load(credits, 0));
  Atomics.sub(credits, 0, 1);
  const out = fill === batch.length ? batch : batch.slice(0, fill);
  parentPort.postMessage({ t: 'data', b: out.buffer }, [out.buffer]);
  batch = new Uint8Array(workerData.chunk);
  fill = 0;
}
function emit(c) {
  hash.update(c);
  size += c.length;
  for (let off = 0; off < c.length; ) {
    const n = Math.min(batch.length - fill, c.length - off);
    batch.set(c.subarray(off, off + n), fill);
    fill += n;
    off += n;
    if (fill === batch.length) flush();
  }
}
function done() {
  if (failed) return;
  flush();
  parentPort.postMessage({ t: 'end', digest: workerData.algorithm + ':' + hash.digest('hex'), size });
}
function fail(e) {
  if (failed) return;
  failed = true;
  parentPort.postMessage({ t: 'error', message: String((e && e.message) || e), code: e && e.code });
}
let write;
let end;
if (workerData.compression === 'gzip') {
  const zlib = require('node:zlib');
  const g = zlib.createGunzip({ chunkSize: workerData.chunk });
  g.on('data', emit);
  g.on('end', done);
  g.on('error', fail);
  write = (b, took) => (g.write(b) ? took() : g.once('drain', took));
  end = () => g.end();
} else {
  const { Decompress } = require(workerData.fzstd);
  const d = new Decompress((c) => emit(c));
  write = (b, took) => {
    try {
      if (!failed) d.push(b, false);
    } catch (e) {
      fail(e);
    }
    took();
  };
  end = () => {
    try {
      if (!failed) d.push(new Uint8Array(0), true);
      done();
    } catch (e) {
      fail(e);
    }
  };
}
parentPort.on('message', (m) => {
  if (m.t === 'in') write(Buffer.from(m.b), () => parentPort.postMessage({ t: 'took' }));
  else if (m.t === 'end') end();
});
`;

type FromWorker =
  | { t: 'data'; b: ArrayBuffer }
  | { t: 'end'; digest: string; size: number }
  | { t: 'error'; message: string; code?: string }
  | { t: 'took' };

/** What the worker decompresses: gzip with node:zlib, zstd with fzstd. */
export type WorkerCodec = 'gzip' | 'zstd';

let fzstdPath: string | undefined;
function resolveFzstd(): string {
  // Resolved here, so that the worker finds fzstd whatever the process's cwd.
  fzstdPath ??= createRequire(import.meta.url).resolve('fzstd');
  return fzstdPath;
}

/** A zlib error from the worker, with zlib's code (Z_BUF_ERROR, Z_DATA_ERROR...). */
export class InflateError extends Error {
  override readonly name = 'InflateError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Decompress `source` on a worker, handing each chunk to `consume` on this
 * thread. Returns the digest of the decompressed bytes with `algorithm`.
 * The first error wins (source, decompression, or consume), and the worker
 * is always terminated.
 */
export async function decompressOnWorker(
  codec: WorkerCodec,
  source: AsyncIterable<Buffer>,
  algorithm: string,
  chunk: number,
  consume: (c: Buffer) => void,
): Promise<{ digest: string; size: number }> {
  const credits = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(credits, 0, 8);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { compression: codec, algorithm, chunk, credits: credits.buffer, ...(codec === 'zstd' ? { fzstd: resolveFzstd() } : {}) },
  });
  const inbox: FromWorker[] = [];
  let inputCredits = 4;
  let stopped = false;
  let gone: Error | undefined;
  let wakeFeeder: (() => void) | undefined;
  let wakeConsumer: (() => void) | undefined;
  const feederWake = (): void => {
    const w = wakeFeeder;
    wakeFeeder = undefined;
    w?.();
  };
  const consumerWake = (): void => {
    const w = wakeConsumer;
    wakeConsumer = undefined;
    w?.();
  };
  worker.on('message', (m: FromWorker) => {
    if (m.t === 'took') {
      inputCredits++;
      feederWake();
    } else {
      inbox.push(m);
      consumerWake();
    }
  });
  const die = (e: Error): void => {
    gone ??= e;
    feederWake();
    consumerWake();
  };
  worker.on('error', die);
  worker.on('exit', () => die(new Error('inflate worker exited')));

  let failure: { error: unknown } | undefined;
  const feeding = (async () => {
    try {
      for await (const c of source) {
        while (inputCredits <= 0 && !stopped && gone === undefined) await new Promise<void>((r) => (wakeFeeder = r));
        if (stopped || gone !== undefined) return;
        inputCredits--;
        const copy = new Uint8Array(c.length);
        copy.set(c);
        worker.postMessage({ t: 'in', b: copy.buffer }, [copy.buffer]);
      }
      if (!stopped && gone === undefined) worker.postMessage({ t: 'end' });
    } catch (error) {
      failure ??= { error };
      stopped = true;
      void worker.terminate();
    }
  })();

  let result: { digest: string; size: number } | undefined;
  try {
    for (;;) {
      while (inbox.length === 0 && gone === undefined) await new Promise<void>((r) => (wakeConsumer = r));
      const m = inbox.shift();
      if (m === undefined) throw gone!;
      if (m.t === 'data') {
        consume(Buffer.from(m.b));
        Atomics.add(credits, 0, 1);
        Atomics.notify(credits, 0);
      } else if (m.t === 'end') {
        result = { digest: m.digest, size: m.size };
        break;
      } else if (m.t === 'error') {
        throw new InflateError(m.message, m.code);
      }
    }
  } catch (error) {
    failure ??= { error };
  } finally {
    stopped = true;
    feederWake();
    await worker.terminate();
  }
  await feeding;
  if (failure) throw failure.error;
  return result!;
}
