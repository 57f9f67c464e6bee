/**
 * Compression on every core, still the standard formats: the stream is cut
 * into independent chunks, each compressed on libuv's thread pool, and the
 * results concatenated in order. A gzip file may hold several members
 * (RFC 1952 section 2.2) and a zstd stream several frames (RFC 8878
 * section 3.1); every reader (GNU gzip, Go's compress/gzip, zlib with
 * multi-member handling, zstd) reads them as one stream. The default
 * compression level (6) is kept.
 *
 * gzip members are made by libdeflate on worker threads, one per core: the
 * system's native build when it loads, else WebAssembly (deflater.ts).
 * Measured here on a realistic rootfs, the WebAssembly build deflates about
 * 25% faster than Node's zlib at the same level, with smaller output (zlib
 * at level 6 made 66.5 MB where libdeflate made 64.9 MB of a 210 MB tar),
 * and the native build about 1.45x faster again. Where the compiled worker
 * is absent, or workers are turned off, zlib on libuv's thread pool makes
 * the members instead.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { transfer, WorkerPool, WorkerPoolError, workerScript } from '@ocikit/digest/worker-pool';
import { BundleError, BundleErrorCode } from '../errors.js';
import { DeflaterChoice, loadNativeDeflater } from './deflater.js';
import type { GzipRequest, GzipResponse, GzipWorkerData } from './gzip-worker.js';

export const PackCompression = {
  Gzip: 'gzip',
  Zstd: 'zstd',
  None: 'none',
} as const;
export type PackCompression = (typeof PackCompression)[keyof typeof PackCompression];

/**
 * Chunk buffers in circulation: a chunk comes back once compressed (or
 * written), so a whole layer is made with a handful of buffers and memory
 * does not depend on garbage collection keeping up.
 */
export class ChunkPool {
  readonly #free: Buffer[] = [];
  constructor(readonly size: number = CHUNK_SIZE) {}
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }
  give(b: Buffer): void {
    if (b.length === this.size && b.byteOffset === 0 && this.#free.length < 16) this.#free.push(b);
  }
}

/** Uncompressed bytes per independently compressed chunk: the ratio lost at each cut is a few hundred bytes. */
export const CHUNK_SIZE = 4 << 20;
/** zstd's default level (what `zstd` without -# uses). */
const ZSTD_LEVEL = 3;

const gzipAsync = promisify(gzip);

type ZstdCompress = (data: Buffer, level: number) => Promise<Buffer>;
let zstdCompress: ZstdCompress | undefined;
function loadZstd(): ZstdCompress {
  if (zstdCompress === undefined) {
    try {
      zstdCompress = (createRequire(import.meta.url)('@mongodb-js/zstd') as { compress: ZstdCompress }).compress;
    } catch (cause) {
      throw new BundleError(BundleErrorCode.CompressorUnavailable, `zstd compression is not available on this platform (@mongodb-js/zstd: ${(cause as Error).message.split('\n')[0]})`, { cause });
    }
  }
  return zstdCompress;
}

const GZIP_WORKER = workerScript('./gzip-worker.js', import.meta.url);

/**
 * gzip members made on worker threads, handed out round robin (chunks are
 * the same size, and results are taken in order). The pool waits for a
 * worker still loading its deflater before terminating it (see WorkerPool.close).
 */
class GzipWorkers {
  readonly #pool: WorkerPool<GzipRequest, GzipResponse>;

  constructor(count: number, deflater: DeflaterChoice) {
    this.#pool = new WorkerPool({ script: GZIP_WORKER!, size: count, name: 'gzip', workerData: { deflater } satisfies GzipWorkerData, dispatch: 'round-robin' });
  }

  static available(): boolean {
    return GZIP_WORKER !== undefined;
  }

  /** Compress a chunk; its memory comes back through `recycle` once the worker is done with it. */
  async compress(chunk: Buffer, recycle?: (b: Buffer) => void): Promise<Buffer> {
    // Hand the chunk's memory over when it owns a whole buffer; copy otherwise
    // (a pooled Buffer shares its memory with others).
    const own = chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length && !(chunk.buffer instanceof SharedArrayBuffer);
    const data = own ? chunk : new Uint8Array(chunk);
    let r: GzipResponse;
    try {
      r = await this.#pool.request(transfer({ data }, [data.buffer as ArrayBuffer]));
    } catch (err) {
      if (err instanceof WorkerPoolError) throw err;
      // The deflater's refusal (or the worker's crash), named: "gzip: <reason>".
      throw new Error(`gzip: ${(err as Error).message}`, { cause: err });
    }
    recycle?.(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength));
    return Buffer.from(r.out.buffer, r.out.byteOffset, r.out.byteLength);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** Compress one chunk as a self-contained gzip member or zstd frame. */
export function compressChunk(chunk: Buffer, kind: PackCompression): Promise<Buffer> {
  if (kind === PackCompression.Gzip) return gzipAsync(chunk);
  if (kind === PackCompression.Zstd) return loadZstd()(chunk, ZSTD_LEVEL);
  return Promise.resolve(chunk);
}

export interface CompressOptions {
  /** Chunks compressed at once (default: twice the cores, so a core never waits for the next chunk). */
  inFlight?: number;
  /** Told each uncompressed chunk before it is compressed (for the diff_id). */
  onChunk?: (chunk: Buffer) => void;
  /** gzip on worker threads with libdeflate when available (default true); false uses zlib. */
  gzipWorkers?: boolean;
  /** Which libdeflate build the gzip workers use (default auto: native when it loads). */
  deflater?: DeflaterChoice;
  /** Where chunks go back once compressed or passed on. */
  pool?: ChunkPool;
}

/**
 * Compress a sequence of uncompressed chunks, yielding compressed output in
 * order. At most `inFlight` chunks are held, so memory stays bounded.
 */
export async function* compressChunks(source: Iterable<Buffer> | AsyncIterable<Buffer>, kind: PackCompression, options: CompressOptions = {}): AsyncGenerator<Buffer> {
  // Fail before any work when the compressor asked for is missing.
  if (kind === PackCompression.Zstd) loadZstd();
  if (kind === PackCompression.Gzip && options.deflater === DeflaterChoice.Native) {
    const native = loadNativeDeflater();
    if (native instanceof Error) throw native;
  }
  const inFlight = Math.max(1, options.inFlight ?? availableParallelism() * 2);
  const queue: Promise<Buffer>[] = [];
  const workers = kind === PackCompression.Gzip && options.gzipWorkers !== false && GzipWorkers.available() ? new GzipWorkers(availableParallelism(), options.deflater ?? DeflaterChoice.Auto) : undefined;
  try {
    for await (const chunk of source) {
      options.onChunk?.(chunk);
      const recycle = options.pool ? (b: Buffer) => options.pool!.give(b) : undefined;
      if (kind === PackCompression.None) {
        yield chunk;
        recycle?.(chunk); // the consumer is done with it when it asks for the next
        continue;
      }
      const p = workers ? workers.compress(chunk, recycle) : compressChunk(chunk, kind).then((out) => (recycle?.(chunk), out));
      p.catch(() => undefined); // observed below, in order
      queue.push(p);
      while (queue.length >= inFlight) yield await queue.shift()!;
    }
    while (queue.length > 0) yield await queue.shift()!;
  } finally {
    // Abandoned early: let pending work finish unobserved.
    queue.length = 0;
    await workers?.close();
  }
}
