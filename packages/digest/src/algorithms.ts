/**
 * Which algorithms exist, which are registered by image-spec, and what their
 * encoded part must look like.
 *
 * image-spec descriptor.md "Registered algorithms" (main, after v1.1.1):
 * `sha256` and `blake3` encode as /[a-f0-9]{64}/, `sha512` as /[a-f0-9]{128}/;
 * upper-case hex MUST NOT be used.
 */
export const Algorithm = {
  SHA256: 'sha256',
  SHA384: 'sha384',
  SHA512: 'sha512',
  BLAKE3: 'blake3',
} as const;
export type Algorithm = (typeof Algorithm)[keyof typeof Algorithm];

/** The algorithm identifiers image-spec registers (descriptor.md "Registered algorithms"). */
export const REGISTERED_ALGORITHMS = [Algorithm.SHA256, Algorithm.SHA512, Algorithm.BLAKE3] as const;
export type RegisteredAlgorithm = (typeof REGISTERED_ALGORITHMS)[number];

/**
 * Everything this package can compute and verify: the registered algorithms
 * plus `sha384`, which is not registered but which go-digest, containerd and
 * distribution accept, so content addressed by it exists (see README).
 */
export const SUPPORTED_ALGORITHMS = [Algorithm.SHA256, Algorithm.SHA384, Algorithm.SHA512, Algorithm.BLAKE3] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** The algorithm used when none is named: image-spec says compliant implementations SHOULD use SHA-256. */
export const DEFAULT_ALGORITHM = Algorithm.SHA256;

/** Length in hex characters of each supported algorithm's encoded part. */
export const ENCODED_LENGTH: { readonly [A in SupportedAlgorithm]: number } = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
  blake3: 64,
};

/** True when `algorithm` is one image-spec registers. */
export function isRegisteredAlgorithm(algorithm: string): algorithm is RegisteredAlgorithm {
  return (REGISTERED_ALGORITHMS as readonly string[]).includes(algorithm);
}

/** True when this package can compute `algorithm`. */
export function isSupportedAlgorithm(algorithm: string): algorithm is SupportedAlgorithm {
  return (SUPPORTED_ALGORITHMS as readonly string[]).includes(algorithm);
}
