/**
 * Sign and verify images with containers/image simple signing
 * (containers-signature.5.md): the OpenPGP signature first, then the payload,
 * then the payload against the manifest and the reference the caller expects.
 * Nothing in the payload is believed before the signature verifies.
 *
 * Identity policy: containers/image's default, `matchRepoDigestOrExact`
 * (containers-policy.json.5.md, "signedIdentity"):
 * - expected reference with a tag (with or without a digest): the signed
 *   `docker-reference` must be that exact reference (after normalisation:
 *   `busybox:1` is `docker.io/library/busybox:1`);
 * - expected reference with only a digest: the signed reference must name the
 *   same repository (any tag or digest); the digest itself is checked against
 *   the manifest;
 * - a signed reference with neither tag nor digest never matches, nor does an
 *   expected bare name.
 */
import { digestOf, parseDigest, type Digest, type SupportedAlgorithm } from '@ocikit/digest';
import { readJsonText } from '@ocikit/validation';
import { SIMPLE_SIGNING_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';
import { gpgSign, gpgVerify, type GpgOptions, type GpgVerified, type TrustedKeys } from './gpg.js';
import { openpgpSign, openpgpVerify } from './openpgp.js';
import { buildSimpleSigningPayload, normalizeIdentity, parseSimpleSigningPayload, type SimpleSigningPayload } from './payload.js';

export interface VerifySimpleSignatureOptions extends GpgOptions {
  /** The signature blob (an OpenPGP signed message). */
  signature: Uint8Array;
  /** The manifest bytes exactly as served. */
  manifest: Uint8Array;
  /** The reference the image was pulled as (`registry/repo:tag` or `…@sha256:…`). */
  expectedReference: string;
  /**
   * Which keys to trust. With `keyFiles`, the signature is verified by
   * openpgp.js against the keys in those files (no gpg needed; `gnupgHome` is
   * ignored); otherwise by gpg against `gnupgHome` and `fingerprints`.
   */
  trustedKeys: TrustedKeys;
  /** How the signed identity must match `expectedReference`; default {@link IdentityPolicy.MatchRepoDigestOrExact}, containers/image's. */
  identityPolicy?: IdentityPolicy;
}

export interface VerifiedSimpleSignature {
  payload: SimpleSigningPayload;
  /** The digest of the manifest given, which the signature covers. */
  manifestDigest: Digest;
  signingKeyFingerprint: string;
  primaryKeyFingerprint: string;
}

/**
 * Verify a simple signature of `manifest` for `expectedReference`.
 * @throws SignatureError BadSignature, UntrustedKey, KeyExpiredOrRevoked (the OpenPGP layer);
 *   PayloadInvalid, UnknownCriticalKey, WrongType (the payload); DigestMismatch, IdentityMismatch,
 *   UnsupportedManifest, InvalidArgument
 */
export async function verifySimpleSignature(options: VerifySimpleSignatureOptions): Promise<VerifiedSimpleSignature> {
  const expected = normalizeIdentity(options.expectedReference, 'expected reference');
  refuseSchema1(options.manifest);
  const gpg = await verifyOpenpgpLayer(options);
  const payload = parseSimpleSigningPayload(gpg.payload);
  // The digest in the payload says which algorithm to hash with (containers/image manifest.MatchesDigest).
  const algorithm = parseDigest(payload.manifestDigest).algorithm as SupportedAlgorithm;
  const actual = digestOf(options.manifest, algorithm);
  if (actual !== payload.manifestDigest) {
    throw new SignatureError(SignatureErrorCode.DigestMismatch, `the signature covers manifest ${payload.manifestDigest}, but the manifest given is ${actual}`, {
      ref: SIMPLE_SIGNING_SPEC,
    });
  }
  if (!identityMatches(expected, payload.dockerReference, options.identityPolicy)) {
    throw new SignatureError(SignatureErrorCode.IdentityMismatch, `the signature is for ${JSON.stringify(payload.dockerReference)}, not for ${JSON.stringify(expected.full)}`, {
      ref: SIMPLE_SIGNING_SPEC,
    });
  }
  return { payload, manifestDigest: actual, signingKeyFingerprint: gpg.signingKeyFingerprint, primaryKeyFingerprint: gpg.primaryKeyFingerprint };
}

/** Key files go to openpgp.js, a GnuPG home to gpg: the two routes give the same result and the same error codes. */
function verifyOpenpgpLayer(options: VerifySimpleSignatureOptions): Promise<GpgVerified> {
  const { keyFiles, fingerprints } = options.trustedKeys;
  if (keyFiles !== undefined && keyFiles.length > 0) {
    return openpgpVerify(options.signature, { keyFiles, ...(fingerprints !== undefined && { fingerprints }) });
  }
  return gpgVerify(options.signature, options.trustedKeys, options);
}

/**
 * How a signed `docker-reference` is compared with the reference the image
 * was pulled as: two of containers/image's `signedIdentity` requirements
 * (containers-policy.json.5.md).
 */
export const IdentityPolicy = {
  /** containers/image's default: the exact reference when a tag is expected, the same repository when only a digest is; a signed bare name never matches. */
  MatchRepoDigestOrExact: 'matchRepoDigestOrExact',
  /** The same repository, whatever tag or digest either side names; a signed bare repository name matches too (cosign writes one unless told otherwise). */
  MatchRepository: 'matchRepository',
} as const;
export type IdentityPolicy = (typeof IdentityPolicy)[keyof typeof IdentityPolicy];

/**
 * Whether `signedRef` (a payload's `docker-reference`) satisfies the
 * `expected` identity under `policy`. An unparsable signed reference never does.
 */
export function identityMatches(expected: ReturnType<typeof normalizeIdentity>, signedRef: string, policy: IdentityPolicy = IdentityPolicy.MatchRepoDigestOrExact): boolean {
  let signed;
  try {
    signed = normalizeIdentity(signedRef, 'signed reference');
  } catch {
    return false;
  }
  if (policy === IdentityPolicy.MatchRepository) return signed.name === expected.name;
  if (signed.tag === undefined && signed.digest === undefined) return false;
  if (expected.tag !== undefined) return signed.full === expected.full;
  if (expected.digest !== undefined) return signed.name === expected.name;
  return false;
}

/** Docker schema 1 digests are of the manifest without its JWS signatures, not of the bytes; not supported here. */
export function refuseSchema1(manifest: Uint8Array): void {
  const read = readJsonText(manifest);
  const v = read.value as { schemaVersion?: unknown } | undefined;
  if (read.parsed && typeof v === 'object' && v !== null && v.schemaVersion === 1) {
    throw new SignatureError(SignatureErrorCode.UnsupportedManifest, 'Docker schema 1 manifests are not supported: their digest is not of the bytes as served');
  }
}

export interface SignSimpleOptions extends GpgOptions {
  /** The manifest bytes exactly as served (their digest is signed). */
  manifest: Uint8Array;
  /** The reference to sign for; needs a tag or a digest. */
  dockerReference: string;
  /** Sign with this secret key of the GnuPG keyring (fingerprint), through gpg, as `--sign-by`. Exactly one of `signBy` and `keyFile`. */
  signBy?: string;
  /** With `signBy`: a file holding the passphrase, for gpg's loopback pinentry. */
  passphraseFile?: string;
  /** Sign with the OpenPGP secret key in this file (armored or binary), through openpgp.js, as `--gpg-key`. Exactly one of `signBy` and `keyFile`. */
  keyFile?: string;
  /** With `keyFile`: the passphrase protecting the secret key. */
  passphrase?: string;
  /** `optional.creator`; default none. */
  creator?: string;
  /** `optional.timestamp` in seconds; default now. */
  timestamp?: number;
  /** Further `optional` entries. */
  optional?: Record<string, unknown>;
}

export interface SignedSimple {
  /** The OpenPGP signed message, as `skopeo standalone-sign` writes it. */
  signature: Uint8Array;
  /** The payload that was signed. */
  payload: Uint8Array;
  manifestDigest: Digest;
}

/**
 * Sign `manifest` for `dockerReference` with the GnuPG key `signBy` (gpg) or
 * the key in `keyFile` (openpgp.js).
 * @throws SignatureError InvalidArgument (neither or both of `signBy` and `keyFile`), UnsupportedManifest;
 *   Gpg (the gpg route); KeyInvalid, WrongPassphrase, KeyExpiredOrRevoked (the key file route)
 */
export async function signSimple(options: SignSimpleOptions): Promise<SignedSimple> {
  const { signBy, keyFile } = options;
  if ((signBy === undefined) === (keyFile === undefined)) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, 'sign with either a GnuPG key (signBy) or a key file (keyFile), exactly one of them');
  }
  if (keyFile === undefined && options.passphrase !== undefined) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, 'a passphrase goes with a key file; for a GnuPG key give a passphrase file');
  }
  if (signBy === undefined && options.passphraseFile !== undefined) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, 'a passphrase file goes with a GnuPG key; for a key file give the passphrase');
  }
  refuseSchema1(options.manifest);
  const manifestDigest = digestOf(options.manifest);
  const payload = buildSimpleSigningPayload({
    dockerReference: options.dockerReference,
    manifestDigest,
    ...(options.creator !== undefined && { creator: options.creator }),
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    ...(options.optional !== undefined && { optional: options.optional }),
  });
  const signature =
    signBy !== undefined
      ? await gpgSign(payload, { ...options, signBy })
      : await openpgpSign(payload, { keyFile: keyFile!, ...(options.passphrase !== undefined && { passphrase: options.passphrase }) });
  return { signature, payload, manifestDigest };
}
