/**
 * The errors of @ocikit/signature: one class, one vocabulary. Every refusal
 * of a signature has its own code, so a caller (and a test) can tell an
 * untrusted key from a tampered manifest. Messages never carry key material.
 */
import { OcikitError, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

/** containers/image's description of the simple signing format. */
export const SIMPLE_SIGNING_SPEC = 'https://github.com/containers/image/blob/main/docs/containers-signature.5.md';

/** containers/image's description of the registries.d directory: where lookaside signatures of each registry scope are stored. */
export const REGISTRIES_D_SPEC = 'https://github.com/containers/image/blob/main/docs/containers-registries.d.5.md';

/** containers/image's description of lookaside storage: the `BASE/REPO@ALGO=HEX/signature-N` layout. */
export const LOOKASIDE_SPEC = 'https://github.com/containers/image/blob/main/docs/signature-protocols.md';

/** cosign's description of its signature format: payload, storage in a registry, signature scheme. */
export const COSIGN_SIGNATURE_SPEC = 'https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md';

export const SignatureErrorCode = {
  /** The payload is not JSON, or not the object the format describes (missing or mistyped field, duplicate key). */
  PayloadInvalid: 'SIGNATURE_PAYLOAD_INVALID',
  /** A key in `critical` (or one of its objects) the verifier does not know: the format says such a signature MUST be refused. */
  UnknownCriticalKey: 'SIGNATURE_UNKNOWN_CRITICAL_KEY',
  /** `critical.type` is not the one expected. */
  WrongType: 'SIGNATURE_WRONG_TYPE',
  /** The payload's `docker-manifest-digest` is not the digest of the manifest given. */
  DigestMismatch: 'SIGNATURE_DIGEST_MISMATCH',
  /** The payload's `docker-reference` does not match the reference expected, under the identity policy. */
  IdentityMismatch: 'SIGNATURE_IDENTITY_MISMATCH',
  /** The signature was made by a key that is not trusted (not in the keys given, or not the fingerprint asked for). */
  UntrustedKey: 'SIGNATURE_UNTRUSTED_KEY',
  /** The signing key (or the signature) has expired, or the key is revoked. */
  KeyExpiredOrRevoked: 'SIGNATURE_KEY_EXPIRED_OR_REVOKED',
  /** The OpenPGP data is corrupt, not a signed message, or the signature does not verify. */
  BadSignature: 'SIGNATURE_BAD',
  /** The manifest cannot be checked this way (Docker schema 1, whose digest is not of the bytes). */
  UnsupportedManifest: 'SIGNATURE_UNSUPPORTED_MANIFEST',
  /** An argument the caller gave is unusable (an invalid reference, no trusted keys). */
  InvalidArgument: 'SIGNATURE_INVALID_ARGUMENT',
  /** `gpg` could not be run, timed out, or failed while signing or importing keys. */
  Gpg: 'SIGNATURE_GPG_FAILED',
  /** An encrypted private key did not open with the passphrase given: a wrong passphrase, or a damaged key file (the cipher cannot tell them apart). */
  WrongPassphrase: 'SIGNATURE_WRONG_PASSPHRASE',
  /** A key file is not a key of the kind expected (PEM type, encryption envelope, KDF parameters, key algorithm or curve). */
  KeyInvalid: 'SIGNATURE_KEY_INVALID',
  /** No signature is stored for the image (no cosign `.sig` tag, or one without signature layers). */
  NotSigned: 'SIGNATURE_NOT_FOUND',
  /** Where signatures are stored holds something else (cosign's `.sig` tag names a document that is not an image manifest of signature layers). */
  StorageInvalid: 'SIGNATURE_STORAGE_INVALID',
  /** Where signatures are stored could not be read or written: an HTTP status other than 200 or 404, a network failure or timeout, a file system error. */
  StorageUnavailable: 'SIGNATURE_STORAGE_UNAVAILABLE',
  /** A registries.d file cannot be read, is not YAML, is not what containers-registries.d(5) describes, or defines a scope another file defines too; or the storage it names cannot be used (an unsupported URL scheme, an http(s) URL to write to). */
  ConfigInvalid: 'SIGNATURE_CONFIG_INVALID',
} as const;
export type SignatureErrorCode = CodeOf<typeof SignatureErrorCode>;

/** Everything @ocikit/signature throws on purpose. */
export class SignatureError extends OcikitError<SignatureErrorCode> {
  override readonly name: string = 'SignatureError';

  constructor(code: SignatureErrorCode, message: string, options: OcikitErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isSignatureError(err: unknown, code?: SignatureErrorCode): err is SignatureError {
  return err instanceof SignatureError && (code === undefined || err.code === code);
}
