/**
 * The digest string grammar, image-spec descriptor.md "Digests":
 *
 *   digest                := algorithm ":" encoded
 *   algorithm             := algorithm-component [algorithm-separator algorithm-component]*
 *   algorithm-component   := /[a-z0-9]+/
 *   algorithm-separator   := /[+._-]/
 *   encoded               := /[a-zA-Z0-9=_-]+/
 *
 * plus, for each algorithm this package supports, the encoded rule of
 * "Registered algorithms" (lower-case hex of a fixed length).
 */
import { ENCODED_LENGTH, isSupportedAlgorithm, type SupportedAlgorithm } from './algorithms.js';
import { DigestError, DigestErrorCode, SpecRef } from './errors.js';

/** A digest string: `<algorithm>:<encoded>`. The type says the shape; `isValidDigest` proves it. */
export type Digest<A extends string = string> = `${A}:${string}`;

/** The two portions of a digest string. */
export interface ParsedDigest<A extends string = string> {
  readonly algorithm: A;
  readonly encoded: string;
}

// Small named atoms, composed; each is the spec's production of the same name.
const ALGORITHM_COMPONENT = '[a-z0-9]+';
const ALGORITHM_SEPARATOR = '[+._-]';
const ALGORITHM = `${ALGORITHM_COMPONENT}(?:${ALGORITHM_SEPARATOR}${ALGORITHM_COMPONENT})*`;
const ENCODED = '[a-zA-Z0-9=_-]+';

/** Regular-expression sources of the grammar, anchored, for schemas and other validators. */
export const DigestPattern = {
  algorithm: `^${ALGORITHM}$`,
  encoded: `^${ENCODED}$`,
  digest: `^${ALGORITHM}:${ENCODED}$`,
} as const;

const DIGEST_RE = new RegExp(`^(${ALGORITHM}):(${ENCODED})$`);
const ALGORITHM_RE = new RegExp(DigestPattern.algorithm);
const LOWER_HEX_RE = /^[a-f0-9]+$/;

/** Quote untrusted input for a one-line message: escaped and capped. */
export function quote(s: string): string {
  const q = JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
  return q;
}

/** A broken rule, as data: what `validateDigest` reports and `parseDigest` throws. */
export interface DigestFinding {
  readonly code: DigestErrorCode;
  readonly message: string;
  readonly level: 'MUST' | 'SHOULD';
  readonly ref: string;
}

/** Find the first rule `s` breaks, or return the parsed portions. Never throws. */
function check(s: unknown): DigestFinding | ParsedDigest {
  if (typeof s !== 'string') {
    return finding(DigestErrorCode.InvalidFormat, `invalid digest: expected a string "<algorithm>:<encoded>", found ${typeof s}`, SpecRef.Digests);
  }
  const m = DIGEST_RE.exec(s);
  if (!m) {
    return finding(DigestErrorCode.InvalidFormat, `invalid digest ${quote(s)}: ${grammarProblem(s)}`, SpecRef.Digests);
  }
  const algorithm = m[1]!;
  const encoded = m[2]!;
  if (isSupportedAlgorithm(algorithm)) {
    const problem = encodedProblem(algorithm, encoded);
    if (problem) return problem;
  }
  return { algorithm, encoded };
}

/** The encoded rule of a supported algorithm (descriptor.md "Registered algorithms"). */
function encodedProblem(algorithm: SupportedAlgorithm, encoded: string): DigestFinding | undefined {
  const want = ENCODED_LENGTH[algorithm];
  // Length before alphabet, as go-digest does, so a truncated digest reads as such.
  if (encoded.length !== want) {
    return finding(
      DigestErrorCode.InvalidLength,
      `invalid ${algorithm} digest: expected ${want} hex characters, found ${encoded.length}`,
      SpecRef.RegisteredAlgorithms,
    );
  }
  if (!LOWER_HEX_RE.test(encoded)) {
    const bad = [...encoded].find((c) => !/[a-f0-9]/.test(c))!;
    return finding(
      DigestErrorCode.InvalidFormat,
      `invalid ${algorithm} digest: expected lower-case hex [a-f0-9], found ${JSON.stringify(bad)}${/[A-F]/.test(bad) ? ' (upper case MUST NOT be used)' : ''}`,
      SpecRef.RegisteredAlgorithms,
    );
  }
  return undefined;
}

/** Say which part of the grammar `s` breaks, for a message that helps. */
function grammarProblem(s: string): string {
  const colon = s.indexOf(':');
  if (s.length === 0) return 'expected "<algorithm>:<encoded>", found an empty string';
  if (colon < 0) return 'expected "<algorithm>:<encoded>", found no ":"';
  const algorithm = s.slice(0, colon);
  const encoded = s.slice(colon + 1);
  if (algorithm.length === 0) return 'the algorithm before ":" is empty';
  if (!ALGORITHM_RE.test(algorithm)) {
    return 'the algorithm must be components of [a-z0-9] joined by one of "+._-"';
  }
  if (encoded.length === 0) return 'the encoded part after ":" is empty';
  return 'the encoded part must be characters of [a-zA-Z0-9=_-]';
}

function finding(code: DigestErrorCode, message: string, ref: string): DigestFinding {
  return { code, message, level: 'MUST', ref };
}

function isFinding(r: DigestFinding | ParsedDigest): r is DigestFinding {
  return 'code' in r;
}

/**
 * Split a digest into its algorithm and encoded portions, checking the
 * grammar and, for a supported algorithm, its encoded rule. A grammatical
 * digest with an unknown algorithm parses: image-spec says such digests
 * SHOULD pass validation (they are valid but unsupported).
 *
 * @throws DigestError DIGEST_INVALID_FORMAT or DIGEST_INVALID_LENGTH
 */
export function parseDigest(s: string): ParsedDigest {
  const r = check(s);
  if (isFinding(r)) throw new DigestError(r.code, r.message, { ref: r.ref });
  return r;
}

/** True when `s` is a digest string per the grammar and its algorithm's encoded rule. */
export function isValidDigest(s: unknown): s is Digest {
  return !isFinding(check(s));
}

/** Result of `validateDigest`: the project's three-verb shape. */
export interface DigestValidation {
  readonly valid: boolean;
  readonly errors: readonly DigestFinding[];
  readonly warnings: readonly DigestFinding[];
}

/**
 * Check a digest without throwing. Breaking the grammar is an error; a
 * grammatical digest whose algorithm this package cannot compute is valid
 * with a DIGEST_UNSUPPORTED warning, since its content cannot be verified.
 */
export function validateDigest(s: unknown): DigestValidation {
  const r = check(s);
  if (isFinding(r)) return { valid: false, errors: [r], warnings: [] };
  if (isSupportedAlgorithm(r.algorithm)) return { valid: true, errors: [], warnings: [] };
  return {
    valid: true,
    errors: [],
    warnings: [
      {
        code: DigestErrorCode.Unsupported,
        message: `unsupported digest algorithm ${quote(r.algorithm)}: content cannot be verified`,
        level: 'SHOULD',
        ref: SpecRef.RegisteredAlgorithms,
      },
    ],
  };
}

/**
 * True when this package can compute the algorithm of a digest, or the
 * algorithm itself (given without ":"). An invalid digest is not supported.
 */
export function isSupported(digestOrAlgorithm: string): boolean {
  if (typeof digestOrAlgorithm !== 'string') return false;
  if (!digestOrAlgorithm.includes(':')) return isSupportedAlgorithm(digestOrAlgorithm);
  const r = check(digestOrAlgorithm);
  return !isFinding(r) && isSupportedAlgorithm(r.algorithm);
}

/**
 * Parse and require a supported algorithm: what verification needs.
 *
 * @throws DigestError DIGEST_INVALID_FORMAT, DIGEST_INVALID_LENGTH or DIGEST_UNSUPPORTED
 */
export function parseSupportedDigest(s: string): ParsedDigest<SupportedAlgorithm> {
  const r = parseDigest(s);
  if (!isSupportedAlgorithm(r.algorithm)) throw unsupported(r.algorithm);
  return r as ParsedDigest<SupportedAlgorithm>;
}

/** The DIGEST_UNSUPPORTED error for an algorithm name. */
export function unsupported(algorithm: string): DigestError {
  return new DigestError(
    DigestErrorCode.Unsupported,
    `unsupported digest algorithm ${quote(algorithm)}: expected one of sha256, sha384, sha512, blake3`,
    { ref: SpecRef.RegisteredAlgorithms },
  );
}
