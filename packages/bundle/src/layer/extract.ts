/**
 * One layer from compressed bytes to changeset entries: decompression
 * chosen by media type (layer.md "Distributable Format"), the uncompressed
 * stream hashed against the config's diff_id, a size limit against
 * decompression bombs, and the tar stream parsed as it arrives. Memory stays
 * bounded by the chunk size whatever the layer's size.
 */
import * as zlib from 'node:zlib';
import { Decompress as FzstdDecompress } from 'fzstd';
import { Transform, type TransformCallback } from 'node:stream';
import { createDigester, DigestError, parseSupportedDigest } from '@ocikit/digest';
import { BundleError, BundleErrorCode, BundleSpecRef, inLayer, q } from '../errors.js';
import { TarReader, type TarHandler } from '../tar/reader.js';
import { Compression, layerCompression } from './media-types.js';
import { decompressOnWorker, InflateError, inflateWorkerAvailable, WORKER_ALGORITHMS, type WorkerCodec } from './inflate-worker.js';

export { Compression, layerCompression };

/** Chunk size for inflating: large chunks keep zlib near its best speed. */
export const CHUNK = 1 << 20;

function sniff(first: Buffer): Compression | 'unknown' {
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) return Compression.Gzip;
  if (first.length >= 4 && first.readUInt32LE(0) === 0xfd2fb528) return Compression.Zstd;
  // A tar header has "ustar" at 257, or at least a plausible checksum; let the reader judge.
  return 'unknown';
}

interface NativeZstd {
  createZstdDecompress?: (o: object) => Transform;
  zstdCompressSync?: (b: Buffer) => Buffer;
  zstdDecompressSync?: (b: Buffer) => Buffer;
}
let nativeZstd: ((o: object) => Transform) | null | undefined;

/**
 * node:zlib's zstd decoder, where the runtime has one that refuses a truncated
 * frame. Node 22's (22.15 to at least 22.23) ends a cut stream without an
 * error, so a truncated layer would pass as shorter content: there the
 * streaming decoder below is used instead. Probed once.
 */
function strictNativeZstd(): ((o: object) => Transform) | null {
  if (nativeZstd !== undefined) return nativeZstd;
  const z = zlib as unknown as NativeZstd;
  nativeZstd = null;
  if (typeof z.createZstdDecompress === 'function' && typeof z.zstdCompressSync === 'function' && typeof z.zstdDecompressSync === 'function') {
    const frame = z.zstdCompressSync(Buffer.alloc(4096, 'ocikit'));
    try {
      z.zstdDecompressSync(frame.subarray(0, frame.length - 4));
    } catch {
      nativeZstd = z.createZstdDecompress.bind(zlib);
    }
  }
  return nativeZstd;
}

function hasNativeZstd(): boolean {
  return strictNativeZstd() !== null;
}

/** zstd: node:zlib where the runtime has a strict one (Node >= 24), else fzstd's streaming decoder. */
function createZstdDecompressor(): Transform {
  const native = strictNativeZstd();
  if (native !== null) return native({ chunkSize: CHUNK });
  let decoder: FzstdDecompress | undefined;
  return new Transform({
    transform(this: Transform, chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        decoder ??= new FzstdDecompress((out) => {
          this.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
        });
        decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), false);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(this: Transform, cb: TransformCallback) {
      try {
        if (decoder === undefined) throw new Error('empty zstd stream');
        decoder.push(new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

/** Resolves at 'drain' or once the stream is gone (so a writer never waits forever). */
function drained(stream: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * Feed `source` through `decompressor` and hand each output chunk to
 * `consume`, with backpressure both ways. The first error wins: the
 * source's (a blob that failed verification), the decompressor's, or the
 * consumer's; every other party is then stopped.
 */
async function decompress(source: AsyncIterable<Buffer>, decompressor: Transform, consume: (chunk: Buffer) => void): Promise<void> {
  let failure: { error: unknown } | undefined;
  const feeding = (async () => {
    try {
      for await (const c of source) {
        if (decompressor.destroyed) return;
        if (!decompressor.write(c)) await drained(decompressor);
      }
      if (!decompressor.destroyed) decompressor.end();
    } catch (error) {
      failure ??= { error };
      decompressor.destroy(error as Error);
    }
  })();
  try {
    for await (const c of decompressor as AsyncIterable<Buffer>) consume(c);
  } catch (error) {
    failure ??= { error };
    decompressor.destroy();
  }
  await feeding;
  if (failure) throw failure.error;
}

export interface ExtractOptions {
  /** The layer descriptor's media type. */
  mediaType: string;
  /** The config's rootfs.diff_ids entry for this layer. */
  diffId: string;
  /** Receives the changeset's entries. */
  handler: TarHandler;
  /** The layer's digest: every refusal names it, and the entry being read (inLayer). */
  label: string;
  /** Uncompressed bytes allowed for this layer (the rest of the --max-size budget). */
  maxBytes?: number;
  /** Told the uncompressed bytes of each chunk. */
  onBytes?: (n: number) => void;
  /**
   * Decompress on a worker thread: `auto` (default) for zstd without a
   * native decoder, `always` for gzip too, `never` to stay on this thread.
   */
  worker?: 'auto' | 'always' | 'never';
}

export interface ExtractResult {
  /** Uncompressed size. */
  size: number;
  entries: number;
  /**
   * The tar stream ended with its end-of-archive marker. umoci 0.4.7's
   * `insert` writes layers without it (umoci#436); like Go's archive/tar we
   * accept a stream that stops at an entry boundary, and `validate --deep` warns.
   */
  terminated: boolean;
}

/**
 * Decompress, hash and parse one layer from `chunks` (the compressed blob,
 * verified by the caller). Throws BundleError DIFF_ID_MISMATCH when the
 * uncompressed bytes do not hash to `diffId`. Every refusal (the handler's,
 * the tar reader's, the blob's verification, the limits) comes out as one
 * line naming the layer and, while one is being read, the entry:
 * `layer sha256:… entry "etc/x": …`, with `layer` and `entry` set on the error.
 */
export async function extractLayer(chunks: AsyncIterable<Buffer>, options: ExtractOptions): Promise<ExtractResult> {
  let current: string | undefined;
  const handler: TarHandler = {
    entry(e) {
      current = e.name;
      options.handler.entry(e);
    },
    data: (chunk) => options.handler.data(chunk),
    end() {
      options.handler.end();
      current = undefined;
    },
  };
  try {
    return await extract(chunks, { ...options, handler });
  } catch (err) {
    throw inLayer(err, options.label, current);
  }
}

async function extract(chunks: AsyncIterable<Buffer>, options: ExtractOptions): Promise<ExtractResult> {
  const compression = layerCompression(options.mediaType);
  let expected;
  try {
    expected = parseSupportedDigest(options.diffId);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidDocument, `the config's diff_id ${q(options.diffId)} is not a usable digest`, { cause, ref: BundleSpecRef.DiffIds });
  }
  // Where a worker thread helps: fzstd (pure JS, else on this thread) by
  // default, gzip only when asked (its inflate already runs on libuv's pool).
  const mode = options.worker ?? 'auto';
  const codec: WorkerCodec | undefined =
    mode === 'never' || !WORKER_ALGORITHMS.includes(expected.algorithm) || !inflateWorkerAvailable()
      ? undefined
      : compression === Compression.Zstd && !hasNativeZstd()
        ? 'zstd'
        : compression === Compression.Gzip && mode === 'always'
          ? 'gzip'
          : undefined;

  const diff = codec !== undefined ? undefined : createDigester(expected.algorithm);
  const reader = new TarReader(options.handler);
  const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
  let total = 0;
  const consume = (chunk: Buffer): void => {
    total += chunk.length;
    if (total > max) {
      // Parse up to the limit first, so that the refusal names the entry crossing it.
      reader.write(chunk.subarray(0, chunk.length - (total - max)));
      throw new BundleError(BundleErrorCode.TooLarge, `unpacks to more than the ${max}-byte limit (--max-size)`);
    }
    diff?.update(chunk);
    reader.write(chunk);
    options.onBytes?.(chunk.length);
  };

  // Check the content against the media type on the first chunk.
  let checked = false;
  const check = (first: Buffer): void => {
    checked = true;
    const seen = sniff(first);
    const fits = compression === Compression.None ? seen === 'unknown' : seen === compression;
    if (!fits) {
      throw new BundleError(
        BundleErrorCode.MediaTypeMismatch,
        `declared ${q(options.mediaType)} but its content is ${seen === 'unknown' ? 'not ' + compression : seen}`,
        { ref: BundleSpecRef.LayerMediaTypes },
      );
    }
  };
  async function* checkedChunks(): AsyncGenerator<Buffer> {
    for await (const c of chunks) {
      if (!checked && c.length > 0) check(c);
      yield c;
    }
  }

  let actual: string | undefined;
  try {
    if (codec !== undefined) {
      actual = (await decompressOnWorker(codec, checkedChunks(), expected.algorithm, CHUNK, consume)).digest;
    } else if (compression === Compression.None) {
      for await (const c of checkedChunks()) consume(c);
    } else {
      const decompressor = compression === Compression.Gzip ? zlib.createGunzip({ chunkSize: CHUNK, readableHighWaterMark: 8 * CHUNK } as zlib.ZlibOptions) : createZstdDecompressor();
      await decompress(checkedChunks(), decompressor, consume);
    }
    if (!checked) check(Buffer.alloc(0));
    reader.finish();
  } catch (err) {
    if (err instanceof BundleError || err instanceof DigestError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (err instanceof InflateError) {
      throw new BundleError(BundleErrorCode.CorruptCompression, `${compression} data is truncated or corrupt (${e.message})`, { cause: err });
    }
    if (typeof e?.code === 'string' && (e.code.startsWith('Z_') || e.code.startsWith('ERR_ZSTD') || e.code === 'ERR__ZSTD')) {
      throw new BundleError(BundleErrorCode.CorruptCompression, `${compression} data is truncated or corrupt (${e.message})`, { cause: err });
    }
    if (compression === Compression.Zstd && !(typeof e?.code === 'string' && e.code.startsWith('E'))) {
      throw new BundleError(BundleErrorCode.CorruptCompression, `zstd data is truncated or corrupt (${e?.message ?? String(err)})`, { cause: err });
    }
    throw err;
  }
  actual ??= diff!.digest();
  if (actual !== options.diffId) {
    throw new BundleError(BundleErrorCode.DiffIdMismatch, `unpacks to ${actual}, but the config's diff_id says ${options.diffId}`, {
      ref: BundleSpecRef.DiffIds,
    });
  }
  return { size: total, entries: reader.entries, terminated: reader.ended };
}
