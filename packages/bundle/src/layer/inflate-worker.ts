/**
 * Decompression and diff_id hashing on a worker thread, so that the main
 * thread spends its time on the tar stream and the filesystem. Compressed
 * chunks go in (already verified by the layout as they were read), inflated
 * chunks come out, each side bounded by credits so that memory stays at a
 * few MiB whatever the layer's size.
 *
 * This module is both sides: `decompressOnWorker` on the calling thread,
 * and, loaded as the script of @ocikit/digest's WorkerPool (marked by its
 * workerData), the worker that serves it. Requests: `in` (a compressed
 * chunk, answered once the decompressor took it: the input credit) and
 * `end` (answered with the digest and size once every output chunk was
 * sent). Output chunks travel as the pool's events.
 */
import { createHash } from 'node:crypto';
import { Decompress } from 'fzstd';
import { isMainThread, workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { serve, transfer, WorkerPool, WorkerPoolError, workerScript, type ServeContext } from '@ocikit/digest/worker-pool';

/** Algorithms node:crypto hashes in the worker (blake3 stays on the main thread). */
export const WORKER_ALGORITHMS: readonly string[] = ['sha256', 'sha384', 'sha512'];

const INFLATE_WORKER = workerScript('./inflate-worker.js', import.meta.url);
/** Compressed chunks sent and not yet taken by the decompressor. */
const INPUT_CREDITS = 4;
/** Inflated chunks sent and not yet consumed: the worker blocks beyond this. */
const OUTPUT_CREDITS = 8;

interface InflateWorkerData {
  /** Marks this module's worker role (it is imported on the main thread too). */
  inflate: true;
  compression: WorkerCodec;
  algorithm: string;
  chunk: number;
  /** One Int32: output credits, shared so that the worker can wait on them. */
  credits: SharedArrayBuffer;
}
type InflateRequest = { t: 'in'; b: ArrayBuffer } | { t: 'end' };
type InflateAnswer = { digest: string; size: number } | null;

/** What the worker decompresses: gzip with node:zlib, zstd with fzstd. */
export type WorkerCodec = 'gzip' | 'zstd';

/** Whether the worker script is there (it is after a build; a test runner on sources uses the built one). */
export function inflateWorkerAvailable(): boolean {
  return INFLATE_WORKER !== undefined;
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
  if (INFLATE_WORKER === undefined) throw new Error('the inflate worker is not built (no inflate-worker.js beside this module or under dist/)');
  const credits = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(credits, 0, OUTPUT_CREDITS);
  const inbox: Buffer[] = [];
  let result: { digest: string; size: number } | undefined;
  let failure: { error: unknown } | undefined;
  let crashed: Error | undefined;
  let settled = false;
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
  const fail = (error: unknown): void => {
    failure ??= { error };
    feederWake();
    consumerWake();
  };
  const workers = new WorkerPool<InflateRequest, InflateAnswer, ArrayBuffer>({
    script: INFLATE_WORKER,
    size: 1,
    name: 'inflate',
    workerData: { inflate: true, compression: codec, algorithm, chunk, credits: credits.buffer } satisfies InflateWorkerData,
    onEvent: (b) => {
      inbox.push(Buffer.from(b));
      consumerWake();
    },
    onFailure: (e) => {
      crashed = e;
      fail(e);
    },
  });
  // A request refused by the worker is the decompressor's error; a crash or the pool's own refusal stays as it is.
  const refused = (e: unknown): void => {
    if (settled) return;
    const err = e as Error & { code?: string };
    fail(e === crashed || e instanceof WorkerPoolError ? e : new InflateError(err.message, err.code));
  };

  let inFlight = 0;
  const feeding = (async () => {
    try {
      for await (const c of source) {
        while (inFlight >= INPUT_CREDITS && failure === undefined) await new Promise<void>((r) => (wakeFeeder = r));
        if (failure !== undefined) return;
        inFlight++;
        const copy = new Uint8Array(c.length);
        copy.set(c);
        workers.request(transfer({ t: 'in', b: copy.buffer }, [copy.buffer])).then(() => {
          inFlight--;
          feederWake();
        }, refused);
      }
      if (failure === undefined) {
        workers.request({ t: 'end' }).then((r) => {
          result = r ?? undefined;
          consumerWake();
        }, refused);
      }
    } catch (error) {
      fail(error);
    }
  })();

  try {
    for (;;) {
      // Output before the answer to `end` (or before a refusal) arrived first: take it first.
      while (inbox.length === 0 && result === undefined && failure === undefined) await new Promise<void>((r) => (wakeConsumer = r));
      const b = inbox.shift();
      if (b === undefined) break;
      consume(b);
      Atomics.add(credits, 0, 1);
      Atomics.notify(credits, 0);
    }
  } catch (error) {
    fail(error);
  } finally {
    settled = true;
    feederWake();
    await workers.close();
  }
  await feeding;
  if (failure) throw failure.error;
  return result!;
}

/** The worker's side: decompress what `in` brings, hash and emit the output in chunk-sized batches. */
function serveInflate(data: InflateWorkerData): void {
  // Output credits live in shared memory: the worker blocks (Atomics.wait)
  // when the main thread is behind, which also bounds a zstd decoder that
  // produces output synchronously.
  const credits = new Int32Array(data.credits);
  const hash = createHash(data.algorithm);
  let size = 0;
  let failed: Error | undefined;
  // Output is batched into chunk-sized buffers (fzstd emits blocks of a few
  // KiB to 128 KiB; one message each would make the threads ping-pong).
  let batch = new Uint8Array(data.chunk);
  let fill = 0;
  /** Requests waiting on the decompressor (an `in` for drain, the `end`): a failure refuses them all. */
  const waiting = new Set<{ resolve: (a: InflateAnswer) => void; reject: (e: unknown) => void }>();

  const flush = (): void => {
    if (fill === 0) return;
    while (Atomics.load(credits, 0) <= 0) Atomics.wait(credits, 0, Atomics.load(credits, 0));
    Atomics.sub(credits, 0, 1);
    const out = fill === batch.length ? batch : batch.slice(0, fill);
    context.emit(transfer(out.buffer, [out.buffer]));
    batch = new Uint8Array(data.chunk);
    fill = 0;
  };
  const emit = (c: Uint8Array): void => {
    hash.update(c);
    size += c.length;
    for (let off = 0; off < c.length; ) {
      const n = Math.min(batch.length - fill, c.length - off);
      batch.set(c.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === batch.length) flush();
    }
  };
  const fail = (e: unknown): void => {
    if (failed) return;
    failed = e instanceof Error ? e : new Error(String(e));
    for (const w of waiting) w.reject(failed);
    waiting.clear();
  };
  const wait = (start: (settle: (a: InflateAnswer) => void) => void): Promise<InflateAnswer> =>
    new Promise((resolve, reject) => {
      const w = {
        resolve: (a: InflateAnswer) => (waiting.delete(w), resolve(a)),
        reject,
      };
      waiting.add(w);
      start(w.resolve);
      // Failed before or while starting (a decoder that throws at once): refuse now, nothing else will.
      if (failed && waiting.delete(w)) reject(failed);
    });
  const finish = (settle: (a: InflateAnswer) => void): void => {
    if (failed) return;
    flush();
    settle({ digest: `${data.algorithm}:${hash.digest('hex')}`, size });
  };

  let write: (b: Uint8Array) => Promise<InflateAnswer>;
  let end: () => Promise<InflateAnswer>;
  if (data.compression === 'gzip') {
    const g = createGunzip({ chunkSize: data.chunk });
    g.on('data', emit);
    g.on('error', fail);
    write = (b) => wait((settle) => (g.write(b) ? settle(null) : g.once('drain', () => settle(null))));
    end = () =>
      wait((settle) => {
        g.once('end', () => finish(settle));
        g.end();
      });
  } else {
    const d = new Decompress((c) => emit(c));
    write = (b) => {
      try {
        if (!failed) d.push(b, false);
      } catch (e) {
        fail(e);
      }
      return failed ? Promise.reject(failed) : Promise.resolve(null);
    };
    end = () => {
      try {
        if (!failed) d.push(new Uint8Array(0), true);
      } catch (e) {
        fail(e);
      }
      return wait(finish);
    };
  }
  // Output is emitted from the decompressor's callbacks, outside any handler: through the context serve returns.
  const context: ServeContext<ArrayBuffer> = serve<InflateRequest, InflateAnswer, ArrayBuffer>((req) => {
    if (failed) throw failed;
    return req.t === 'in' ? write(new Uint8Array(req.b)) : end();
  });
}

const role = workerData as Partial<InflateWorkerData> | undefined;
if (!isMainThread && role?.inflate === true) serveInflate(role as InflateWorkerData);
