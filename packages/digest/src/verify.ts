/**
 * Verification: content is accepted only when both its size and its digest
 * match the descriptor (image-spec descriptor.md "Verification": the size
 * SHOULD be checked before the digest, and content whose length differs
 * SHOULD NOT be trusted). Failing early: once more bytes arrive than `size`
 * allows, hashing stops and the stream fails without reading the rest.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { SupportedAlgorithm } from './algorithms.js';
import { createDigester, type Digester } from './digester.js';
import { DigestMismatchError, SizeMismatchError } from './errors.js';
import { parseSupportedDigest, type Digest } from './grammar.js';
import { checkChunk, chunksOf, type ByteSource, type DigestResult } from './stream.js';

/** What content must be: a descriptor's `digest` and, optionally, its `size`. */
export interface Expected {
  readonly digest: string;
  /** Length in bytes; when given, checked first and enforced while streaming. */
  readonly size?: number;
}

/** Checks content fed in chunks against an expected digest and size. */
export interface Verifier {
  readonly algorithm: SupportedAlgorithm;
  /** Bytes fed so far. */
  readonly size: number;
  /** @throws SizeMismatchError as soon as the content is longer than the expected size */
  update(data: Uint8Array | string): this;
  /**
   * Finish: returns what was found when it matches.
   *
   * @throws SizeMismatchError when the length differs (checked before the digest)
   * @throws DigestMismatchError when the digest differs
   */
  verify(): DigestResult;
}

const encoder = new TextEncoder();

function checkSize(size: unknown): number | undefined {
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`expected size to be a non-negative safe integer, found ${typeof size === 'number' ? size : typeof size}`);
  }
  return size;
}

class StreamVerifier implements Verifier {
  readonly #expectedDigest: Digest;
  readonly #expectedSize: number | undefined;
  readonly #digester: Digester;
  #failed: Error | undefined;

  constructor(expected: Expected) {
    const { algorithm, encoded } = parseSupportedDigest(expected.digest);
    this.#expectedDigest = `${algorithm}:${encoded}`;
    this.#expectedSize = checkSize(expected.size);
    this.#digester = createDigester(algorithm);
  }

  get algorithm(): SupportedAlgorithm {
    return this.#digester.algorithm;
  }

  get size(): number {
    return this.#digester.size;
  }

  update(data: Uint8Array | string): this {
    if (this.#failed) throw this.#failed;
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    const seen = this.#digester.size + bytes.byteLength;
    if (this.#expectedSize !== undefined && seen > this.#expectedSize) {
      // Do not hash what cannot match: fail before touching the overrun.
      this.#failed = new SizeMismatchError(this.#expectedSize, seen, { atLeast: true });
      throw this.#failed;
    }
    this.#digester.update(bytes);
    return this;
  }

  verify(): DigestResult {
    if (this.#failed) throw this.#failed;
    const size = this.#digester.size;
    if (this.#expectedSize !== undefined && size !== this.#expectedSize) {
      throw new SizeMismatchError(this.#expectedSize, size);
    }
    const digest = this.#digester.digest();
    if (digest !== this.#expectedDigest) throw new DigestMismatchError(this.#expectedDigest, digest);
    return { digest, size };
  }
}

/**
 * An incremental verifier for content that arrives in pieces.
 *
 * @throws DigestError DIGEST_INVALID_FORMAT, DIGEST_INVALID_LENGTH or DIGEST_UNSUPPORTED for a bad expected digest
 */
export function createVerifier(expected: Expected): Verifier {
  return new StreamVerifier(expected);
}

/**
 * Read a stream to its end and check it against `expected`. Resolves with
 * the digest and size found; rejects with `SizeMismatchError` (early, when
 * the stream runs over `size`, which stops reading it) or `DigestMismatchError`.
 */
export async function verifyStream(source: ByteSource, expected: Expected): Promise<DigestResult> {
  const v = createVerifier(expected);
  for await (const chunk of chunksOf(source)) v.update(checkChunk(chunk));
  return v.verify();
}

/** Check bytes in memory against `expected`; throws like `verifyStream`. */
export function verifyBytes(data: Uint8Array | string, expected: Expected): DigestResult {
  return createVerifier(expected).update(data).verify();
}

/**
 * A Node pass-through that verifies while data flows: it errors with
 * `SizeMismatchError` as soon as too many bytes arrive, and at the end
 * (before 'end' is emitted) with `SizeMismatchError` or `DigestMismatchError`.
 * Bytes before the failure have already passed downstream, so write to a
 * temporary place and keep the result only when the pipeline resolves.
 */
export class VerifyingStream extends Transform {
  readonly #verifier: Verifier;
  #result: DigestResult | undefined;

  constructor(expected: Expected) {
    super();
    this.#verifier = createVerifier(expected);
  }

  /** The verified digest and size, once the stream has ended cleanly. */
  get result(): DigestResult | undefined {
    return this.#result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#verifier.update(chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#result = this.#verifier.verify();
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback();
  }
}

/**
 * A Node pass-through that verifies `expected` while data flows.
 *
 * @throws DigestError for a bad expected digest, at once rather than mid-stream
 */
export function createVerifyingStream(expected: Expected): VerifyingStream {
  return new VerifyingStream(expected);
}

/** The same for web streams: a `TransformStream` that errors on a mismatch. */
export function createVerifyingTransformStream(expected: Expected): TransformStream<Uint8Array, Uint8Array> {
  const v = createVerifier(expected);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      v.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      v.verify();
    },
  });
}
