/**
 * Hashing content as it streams (STYLE.md "Streams, not buffers"): Node
 * Readables, web ReadableStreams and any async iterable of byte chunks.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { DEFAULT_ALGORITHM, type SupportedAlgorithm } from './algorithms.js';
import { createDigester, type Digester } from './digester.js';
import type { Digest } from './grammar.js';

/** Bytes in chunks: what every streaming function here accepts. */
export type ByteSource =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | ReadableStream<Uint8Array>;

/** What hashing some content found: its digest and its length in bytes. */
export interface DigestResult<A extends string = string> {
  readonly digest: Digest<A>;
  readonly size: number;
}

function isWebStream(source: unknown): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream | null)?.getReader === 'function';
}

/** Iterate a web stream through its reader (works where it is not async-iterable), releasing it on early exit. */
async function* readWebStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    // Stopped early (size overrun, consumer error): cancel so the producer stops.
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Every source as one async iterable of chunks. */
export function chunksOf(source: ByteSource): AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> {
  if (isWebStream(source)) return readWebStream(source);
  if (source != null && (Symbol.asyncIterator in Object(source) || Symbol.iterator in Object(source))) return source;
  throw new TypeError('expected a Node Readable, a web ReadableStream or an (async) iterable of Uint8Array chunks');
}

/** Check one chunk's type: a readable in object mode could yield anything. */
export function checkChunk(chunk: unknown): Uint8Array | string {
  if (chunk instanceof Uint8Array || typeof chunk === 'string') return chunk;
  throw new TypeError(`expected Uint8Array or string chunks, found ${chunk === null ? 'null' : typeof chunk}`);
}

/**
 * Hash a stream to its end. The source is consumed; memory stays flat
 * whatever its length.
 *
 * @throws DigestError DIGEST_UNSUPPORTED for an algorithm this package cannot compute
 */
export async function digestStream<A extends SupportedAlgorithm = 'sha256'>(source: ByteSource, algorithm?: A): Promise<DigestResult<A>>;
export async function digestStream(source: ByteSource, algorithm: string): Promise<DigestResult>;
export async function digestStream(source: ByteSource, algorithm: string = DEFAULT_ALGORITHM): Promise<DigestResult> {
  const d = createDigester(algorithm);
  for await (const chunk of chunksOf(source)) d.update(checkChunk(chunk));
  return { digest: d.digest(), size: d.size };
}

/**
 * A pass-through that hashes what flows through it; after `finish`,
 * `result` holds the digest and size. Use it to store content while
 * learning its digest (write to a temporary name, then rename to the digest).
 */
export class DigestingStream<A extends SupportedAlgorithm = SupportedAlgorithm> extends Transform {
  readonly #digester: Digester<A>;
  #result: DigestResult<A> | undefined;

  constructor(algorithm: A) {
    super();
    this.#digester = createDigester(algorithm);
  }

  /** The digest and size, once the stream has flushed; undefined before. */
  get result(): DigestResult<A> | undefined {
    return this.#result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#digester.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#result = { digest: this.#digester.digest(), size: this.#digester.size };
    this.emit('digest', this.#result);
    callback();
  }
}

/**
 * A pass-through that hashes with `algorithm` (default sha256).
 *
 * @throws DigestError DIGEST_UNSUPPORTED for an algorithm this package cannot compute
 */
export function createDigestingStream<A extends SupportedAlgorithm = 'sha256'>(algorithm?: A): DigestingStream<A>;
export function createDigestingStream(algorithm: string): DigestingStream;
export function createDigestingStream(algorithm: string = DEFAULT_ALGORITHM): DigestingStream {
  return new DigestingStream(algorithm as SupportedAlgorithm);
}
