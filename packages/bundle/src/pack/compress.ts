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
 * is absent (a TypeScript test runner), zlib on libuv's thread pool makes
 * the members instead.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { gzip } from 'node:zlib';
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

const GZIP_WORKER_URL = new URL('./gzip-worker.js', import.meta.url);

/** gzip members made on worker threads, handed out round robin. */
class GzipWorkers {
  readonly #workers: Worker[];
  /** One per worker: settled once it has loaded its deflater, or has gone. */
  readonly #loaded: Promise<void>[] = [];
  readonly #pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: unknown) => void; recycle?: (b: Buffer) => void }>();
  #next = 0;

  constructor(count: number, deflater: DeflaterChoice) {
    this.#workers = Array.from({ length: count }, () => {
      const w = new Worker(GZIP_WORKER_URL, { workerData: { deflater } satisfies GzipWorkerData });
      let loaded!: () => void;
      this.#loaded.push(new Promise<void>((resolve) => (loaded = resolve)));
      w.once('exit', () => loaded());
      w.on('message', (r: GzipResponse) => {
        if ('ready' in r) {
          loaded();
          return;
        }
        const p = this.#pending.get(r.id);
        this.#pending.delete(r.id);
        if ('error' in r) p?.reject(new Error(`gzip: ${r.error}`));
        else {
          p?.recycle?.(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength));
          p?.resolve(Buffer.from(r.out.buffer, r.out.byteOffset, r.out.byteLength));
        }
      });
      w.on('error', (err) => {
        loaded();
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
      });
      return w;
    });
  }

  static available(): boolean {
    return GZIP_WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(GZIP_WORKER_URL));
  }

  /** Compress a chunk; its memory comes back through `recycle` once the worker is done with it. */
  compress(chunk: Buffer, recycle?: (b: Buffer) => void): Promise<Buffer> {
    const id = this.#next++;
    // Hand the chunk's memory over when it owns a whole buffer; copy otherwise
    // (a pooled Buffer shares its memory with others).
    const own = chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length && !(chunk.buffer instanceof SharedArrayBuffer);
    const data = own ? chunk : new Uint8Array(chunk);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, ...(recycle && { recycle }) });
      this.#workers[id % this.#workers.length]!.postMessage({ id, data } satisfies GzipRequest, [data.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    // Never terminate a worker in the middle of loading a native library
    // (koffi, libdeflate): a small layer can be done before every worker has
    // started, and an add-on interrupted in its init aborts the whole process.
    await Promise.all(this.#loaded);
    await Promise.all(this.#workers.map((w) => w.terminate()));
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
