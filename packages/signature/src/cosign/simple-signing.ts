/**
 * cosign's simple signing (specs/SIGNATURE_SPEC.md, "Payloads" and
 * "Signature Schemes"): the containers/image payload layout with
 * `critical.type` "cosign container image signature", signed with ECDSA
 * P-256 over the SHA-256 of the payload bytes; the signature is DER, carried
 * as standard base64.
 *
 * Verification believes nothing in the payload before the signature over
 * its bytes verifies; then the payload is parsed strictly, its digest
 * compared with the manifest's, its identity with the reference expected.
 *
 * cosign itself ignores `critical.identity.docker-reference` and by default
 * writes only the repository there (sigstore pkg/signature/payload). Here the
 * identity is checked: exactly by default (containers/image's
 * `matchRepoDigestOrExact`), or the repository alone with
 * {@link IdentityPolicy.MatchRepository}, which is what signatures made by
 * cosign without `--sign-container-identity` need.
 */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { digestOf, parseDigest, type Digest, type SupportedAlgorithm } from '@ocikit/digest';
import { COSIGN_SIGNATURE_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';
import { buildSimpleSigningPayload, MAX_PAYLOAD_BYTES, normalizeIdentity, parseSimpleSigningPayload, type SimpleSigningPayload } from '../simple-signing/payload.js';
import { IdentityPolicy, identityMatches, refuseSchema1 } from '../simple-signing/verify.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { toPublicKey } from './keys.js';

/** `critical.type` of a cosign image signature (sigstore `payload.CosignSignatureType`). */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** The media type of a cosign simple signing payload, as a layer of the signature manifest (cosign pkg/types). */
export const COSIGN_SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** The layer annotation holding the base64 signature (cosign pkg/oci/static `SignatureAnnotationKey`). */
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

export interface BuildCosignPayloadOptions {
  /** The reference signed for; needs a tag or a digest. */
  dockerReference: string;
  /** The digest of the manifest as served. */
  manifestDigest: string;
  /** `optional` entries (cosign's `-a key=value` annotations). */
  optional?: Record<string, unknown>;
}

/** A cosign payload: the simple signing layout with cosign's type, keys sorted. */
export function buildCosignPayload(options: BuildCosignPayloadOptions): Uint8Array {
  return buildSimpleSigningPayload({
    dockerReference: options.dockerReference,
    manifestDigest: options.manifestDigest,
    ...(options.optional !== undefined && { optional: options.optional }),
    type: COSIGN_SIGNATURE_TYPE,
  });
}

/**
 * Parse a cosign payload strictly; `"optional": null`, which cosign writes
 * when there are no annotations, reads as an empty `optional`.
 * @throws SignatureError PayloadInvalid, UnknownCriticalKey, WrongType
 */
export function parseCosignPayload(bytes: Uint8Array | string): SimpleSigningPayload {
  return parseSimpleSigningPayload(bytes, { type: COSIGN_SIGNATURE_TYPE, nullOptional: true });
}

/** ECDSA P-256 over SHA-256 of `payload`: the DER signature as standard base64, as the annotation carries it. */
export function signCosignPayload(payload: Uint8Array, privateKey: KeyObject): string {
  if (privateKey.type !== 'private') throw new SignatureError(SignatureErrorCode.InvalidArgument, `signing needs a private key, found a ${privateKey.type} key`);
  // Checks the algorithm and curve, so a wrong key type fails here, not in OpenSSL.
  toPublicKey(privateKey);
  return encodeBase64(cryptoSign('sha256', payload, { key: privateKey, dsaEncoding: 'der' }));
}

/**
 * Check a base64 DER signature over `payload` under `publicKey`.
 * @throws SignatureError BadSignature when it is not canonical base64, not DER, or does not verify
 */
export function verifyCosignPayloadSignature(payload: Uint8Array, signature: string, publicKey: KeyObject | string): void {
  const key = toPublicKey(publicKey);
  const der = decodeBase64(signature);
  if (der === undefined || der.length === 0) bad('the signature is not standard base64');
  let ok: boolean;
  try {
    ok = cryptoVerify('sha256', payload, { key, dsaEncoding: 'der' }, der);
  } catch {
    ok = false;
  }
  if (!ok) bad('the signature does not verify over the payload with the public key given');
}

export interface VerifyCosignSignatureOptions {
  /** The payload bytes (a layer's blob). */
  payload: Uint8Array;
  /** The base64 signature (the layer's `dev.cosignproject.cosign/signature` annotation). */
  signature: string;
  /** The ECDSA P-256 public key to trust: a key object or `PUBLIC KEY` PEM text. */
  publicKey: KeyObject | string;
  /** The manifest bytes exactly as served; the payload must name their digest. */
  manifest: Uint8Array;
  /** The reference the image was pulled as (`registry/repo:tag` or `…@sha256:…`). */
  expectedReference: string;
  /** How the payload's `docker-reference` must match; default {@link IdentityPolicy.MatchRepoDigestOrExact}. */
  identityPolicy?: IdentityPolicy;
}

export interface VerifiedCosignSignature {
  payload: SimpleSigningPayload;
  /** The digest of the manifest given, which the signature covers. */
  manifestDigest: Digest;
  /** The base64 signature that verified. */
  signature: string;
}

/**
 * Verify one cosign signature of `manifest` for `expectedReference`.
 * @throws SignatureError BadSignature (the signature); PayloadInvalid, UnknownCriticalKey,
 *   WrongType (the payload); DigestMismatch, IdentityMismatch; UnsupportedManifest, InvalidArgument, KeyInvalid
 */
export function verifyCosignSignature(options: VerifyCosignSignatureOptions): VerifiedCosignSignature {
  const expected = normalizeIdentity(options.expectedReference, 'expected reference');
  const policy = options.identityPolicy ?? IdentityPolicy.MatchRepoDigestOrExact;
  if (!Object.values(IdentityPolicy).includes(policy)) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `identity policy ${JSON.stringify(policy)} is not one of ${Object.values(IdentityPolicy).join(', ')}`);
  }
  refuseSchema1(options.manifest);
  if (options.payload.byteLength > MAX_PAYLOAD_BYTES) {
    throw new SignatureError(SignatureErrorCode.PayloadInvalid, `payload is ${options.payload.byteLength} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`);
  }
  verifyCosignPayloadSignature(options.payload, options.signature, options.publicKey);
  const payload = parseCosignPayload(options.payload);
  const algorithm = parseDigest(payload.manifestDigest).algorithm as SupportedAlgorithm;
  const actual = digestOf(options.manifest, algorithm);
  if (actual !== payload.manifestDigest) {
    throw new SignatureError(SignatureErrorCode.DigestMismatch, `the signature covers manifest ${payload.manifestDigest}, but the manifest given is ${actual}`, { ref: COSIGN_SIGNATURE_SPEC });
  }
  if (!identityMatches(expected, payload.dockerReference, policy)) {
    const hint = policy === IdentityPolicy.MatchRepoDigestOrExact ? ' (a signature naming only the repository, as cosign writes by default, needs repository matching)' : '';
    throw new SignatureError(SignatureErrorCode.IdentityMismatch, `the signature is for ${JSON.stringify(payload.dockerReference)}, not for ${JSON.stringify(expected.full)}${hint}`, {
      ref: COSIGN_SIGNATURE_SPEC,
    });
  }
  return { payload, manifestDigest: actual, signature: options.signature };
}

export interface SignCosignOptions {
  /** The manifest bytes exactly as served (their digest is signed). */
  manifest: Uint8Array;
  /** The reference to sign for; needs a tag or a digest. */
  dockerReference: string;
  privateKey: KeyObject;
  /** `optional` entries (annotations). */
  optional?: Record<string, unknown>;
}

export interface SignedCosign {
  /** The payload that was signed. */
  payload: Uint8Array;
  /** The base64 DER signature. */
  signature: string;
  manifestDigest: Digest;
}

/** Build the cosign payload for `manifest` and sign it. */
export function signCosign(options: SignCosignOptions): SignedCosign {
  refuseSchema1(options.manifest);
  const manifestDigest = digestOf(options.manifest);
  const payload = buildCosignPayload({
    dockerReference: options.dockerReference,
    manifestDigest,
    ...(options.optional !== undefined && { optional: options.optional }),
  });
  return { payload, signature: signCosignPayload(payload, options.privateKey), manifestDigest };
}

function bad(message: string): never {
  throw new SignatureError(SignatureErrorCode.BadSignature, message, { ref: COSIGN_SIGNATURE_SPEC });
}
