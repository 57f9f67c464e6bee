import { OcikitError, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

/**
 * The vocabulary of digest errors. Codes are stable: callers branch on them,
 * and they follow go-digest's error names where one exists
 * (ErrDigestInvalidFormat, ErrDigestInvalidLength, ErrDigestUnsupported).
 */
export const DigestErrorCode = {
  /** The string is outside the digest grammar, or its encoded part breaks the algorithm's alphabet. */
  InvalidFormat: 'DIGEST_INVALID_FORMAT',
  /** A supported algorithm's encoded part has the wrong number of characters. */
  InvalidLength: 'DIGEST_INVALID_LENGTH',
  /** The digest is grammatical but names an algorithm this package cannot compute. */
  Unsupported: 'DIGEST_UNSUPPORTED',
  /** Content hashed to a different digest than expected. */
  Mismatch: 'DIGEST_MISMATCH',
  /** Content had a different number of bytes than expected. */
  SizeMismatch: 'SIZE_MISMATCH',
} as const;
export type DigestErrorCode = CodeOf<typeof DigestErrorCode>;

/** image-spec sections the rules come from (versioned where the text is released). */
export const SpecRef = {
  Digests: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests',
  RegisteredAlgorithms: 'https://github.com/opencontainers/image-spec/blob/main/descriptor.md#registered-algorithms',
  Verification: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#verification',
  Size: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#properties',
} as const;

/** The cause and the spec link (`ref`) of a {@link DigestError}. */
export type DigestErrorOptions = OcikitErrorOptions;

/** Every error this package throws. `code` says which rule was broken. */
export class DigestError extends OcikitError<DigestErrorCode> {
  override readonly name: string = 'DigestError';
}

/** Content did not hash to the expected digest. */
export class DigestMismatchError extends DigestError {
  override readonly name = 'DigestMismatchError';
  declare readonly code: typeof DigestErrorCode.Mismatch;

  constructor(
    readonly expected: string,
    readonly actual: string,
    options: DigestErrorOptions = {},
  ) {
    super(DigestErrorCode.Mismatch, `digest mismatch: expected ${expected}, got ${actual}`, {
      ref: SpecRef.Verification,
      ...options,
    });
  }
}

/**
 * Content had a different length than the descriptor's `size`. `actual` is
 * the byte count seen so far when the stream failed early for running over.
 */
export class SizeMismatchError extends DigestError {
  override readonly name = 'SizeMismatchError';
  declare readonly code: typeof DigestErrorCode.SizeMismatch;

  constructor(
    readonly expected: number,
    readonly actual: number,
    options: DigestErrorOptions & { atLeast?: boolean } = {},
  ) {
    super(
      DigestErrorCode.SizeMismatch,
      `size mismatch: expected ${expected} bytes, got ${options.atLeast ? 'at least ' : ''}${actual}`,
      { ref: SpecRef.Size, ...options },
    );
  }
}
