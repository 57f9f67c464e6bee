/**
 * Incremental hashing: one `Digester` per piece of content, fed in any
 * number of chunks, giving `<algorithm>:<hex>` (descriptor.md "Digest
 * calculations": D = '<alg>:' + Encode(H(C)), Encode being lower-case hex
 * for every supported algorithm).
 */
import { DEFAULT_ALGORITHM, isSupportedAlgorithm, type SupportedAlgorithm } from './algorithms.js';
import { unsupported, type Digest } from './grammar.js';
import { createHashBackend, type HashBackend } from './hash-backend.js';

/** Hashes content fed in chunks and counts its bytes. */
export interface Digester<A extends SupportedAlgorithm = SupportedAlgorithm> {
  readonly algorithm: A;
  /** Bytes fed so far. */
  readonly size: number;
  /** Feed a chunk; strings are UTF-8. Throws once `digest()` was called. */
  update(data: Uint8Array | string): this;
  /** Finish and return `<algorithm>:<hex>`. Later calls return the same value. */
  digest(): Digest<A>;
}

const encoder = new TextEncoder();

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

function checkAlgorithm(algorithm: string): SupportedAlgorithm {
  if (typeof algorithm !== 'string' || !isSupportedAlgorithm(algorithm)) throw unsupported(String(algorithm));
  return algorithm;
}

class IncrementalDigester<A extends SupportedAlgorithm> implements Digester<A> {
  #backend: HashBackend;
  #size = 0;
  #result: Digest<A> | undefined;

  constructor(readonly algorithm: A) {
    this.#backend = createHashBackend(algorithm);
  }

  get size(): number {
    return this.#size;
  }

  update(data: Uint8Array | string): this {
    if (this.#result !== undefined) throw new Error('Digester.update() called after digest()');
    const bytes = toBytes(data);
    this.#backend.update(bytes);
    this.#size += bytes.byteLength;
    return this;
  }

  digest(): Digest<A> {
    this.#result ??= `${this.algorithm}:${this.#backend.hex()}`;
    return this.#result;
  }
}

/**
 * Start hashing with `algorithm` (default sha256).
 *
 * @throws DigestError DIGEST_UNSUPPORTED for an algorithm this package cannot compute
 */
export function createDigester<A extends SupportedAlgorithm = 'sha256'>(algorithm?: A): Digester<A>;
export function createDigester(algorithm: string): Digester;
export function createDigester(algorithm: string = DEFAULT_ALGORITHM): Digester {
  return new IncrementalDigester(checkAlgorithm(algorithm));
}

/**
 * The digest of bytes in memory (strings are hashed as UTF-8), e.g.
 * `digestOf('')` is `sha256:e3b0c442...b855`.
 *
 * @throws DigestError DIGEST_UNSUPPORTED for an algorithm this package cannot compute
 */
export function digestOf<A extends SupportedAlgorithm = 'sha256'>(data: Uint8Array | string, algorithm?: A): Digest<A>;
export function digestOf(data: Uint8Array | string, algorithm: string): Digest;
export function digestOf(data: Uint8Array | string, algorithm: string = DEFAULT_ALGORITHM): Digest {
  return createDigester(algorithm).update(data).digest();
}
