/**
 * What every store of cosign signatures shares (a registry's `.sig` tag, a
 * registry's referrers, a layout's referrers): each signature is a layer
 * whose blob is the payload and whose annotation is the signature. Checking
 * a set of them, and recognising one already stored, is written once here;
 * each store only says how to fetch a payload, verified by digest and size.
 */
import type { KeyObject } from 'node:crypto';
import type { Digest } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/image-spec';
import { COSIGN_SIGNATURE_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';
import { verifyEach } from '../verify-each.js';
import { MAX_PAYLOAD_BYTES } from '../simple-signing/payload.js';
import type { IdentityPolicy } from '../simple-signing/verify.js';
import { COSIGN_SIGNATURE_ANNOTATION, COSIGN_SIMPLE_SIGNING_MEDIA_TYPE, verifyCosignPayloadSignature, verifyCosignSignature, type VerifiedCosignSignature } from './simple-signing.js';

/**
 * The artifact type of a cosign signature stored as an OCI 1.1 referrer
 * (cosign `--registry-referrers-mode=oci-1-1`, pkg/oci/remote `ArtifactType("sig")`).
 */
export const COSIGN_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

const STORAGE_REF = `${COSIGN_SIGNATURE_SPEC}#storage`;

/** One stored signature: the layer holding it, and where it is (for messages). */
export interface StoredCosignSignature {
  layer: Descriptor;
  /** `layer 2`, `sha256:… layer 0`. */
  label: string;
}

/** What verifying every signature stored for one image reports. */
export interface VerifiedCosignSignatures {
  /** The digest of the image's manifest; the signatures cover it. */
  manifestDigest: Digest;
  /** Every stored signature that verified (at least one). */
  verified: VerifiedCosignSignature[];
  /** How many signatures are stored in all. */
  signatureCount: number;
}

export interface VerifyStoredCosignOptions {
  signatures: readonly StoredCosignSignature[];
  /** The payload of one signature's layer, verified by digest and size; content that is not as named is a PayloadInvalid refusal. */
  fetchPayload: (layer: Descriptor, label: string) => Promise<Uint8Array>;
  publicKey: KeyObject;
  /** The signed manifest's bytes. */
  manifest: Uint8Array;
  manifestDigest: Digest;
  expectedReference: string;
  identityPolicy?: IdentityPolicy;
  /** The image, for messages (`registry/repo@sha256:…`, `layout dir@sha256:…`). */
  image: string;
  /** Where signatures were looked for, for the NotSigned message. */
  lookedIn: string;
}

/**
 * Verify every stored signature of one image; at least one must verify.
 * @throws SignatureError NotSigned when none is stored; when none verifies,
 *   the refusal of the signature that came closest; InvalidArgument at once
 */
export async function verifyStoredCosignSignatures(options: VerifyStoredCosignOptions): Promise<VerifiedCosignSignatures> {
  const { signatures, manifestDigest } = options;
  const verified = await verifyEach(
    signatures,
    async ({ layer, label }) => {
      if (layer.mediaType !== COSIGN_SIMPLE_SIGNING_MEDIA_TYPE) payloadInvalid(`${label} has media type ${JSON.stringify(layer.mediaType)}, not ${COSIGN_SIMPLE_SIGNING_MEDIA_TYPE}`);
      if (layer.size > MAX_PAYLOAD_BYTES) payloadInvalid(`${label} is ${layer.size} bytes, over the payload limit of ${MAX_PAYLOAD_BYTES}`);
      const payload = await options.fetchPayload(layer, label);
      const signature = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
      if (signature === undefined) {
        throw new SignatureError(SignatureErrorCode.BadSignature, `${label} carries no ${COSIGN_SIGNATURE_ANNOTATION} annotation`, { ref: STORAGE_REF });
      }
      return verifyCosignSignature({
        payload,
        signature,
        publicKey: options.publicKey,
        manifest: options.manifest,
        expectedReference: options.expectedReference,
        ...(options.identityPolicy !== undefined && { identityPolicy: options.identityPolicy }),
      });
    },
    { format: 'cosign', image: options.image, lookedIn: options.lookedIn, ref: STORAGE_REF },
  );
  return { manifestDigest, verified, signatureCount: signatures.length };
}

/**
 * Whether `layer` holds this very signature: the same payload, and a
 * signature annotation that verifies it under `publicKey` (cosign's
 * duplicate test; ECDSA signatures differ each time, so bytes cannot be compared).
 */
export function isSameCosignSignature(layer: Descriptor, payloadDigest: string, payload: Uint8Array, publicKey: KeyObject): boolean {
  if (layer.digest !== payloadDigest || layer.mediaType !== COSIGN_SIMPLE_SIGNING_MEDIA_TYPE) return false;
  const signature = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
  if (signature === undefined) return false;
  try {
    verifyCosignPayloadSignature(payload, signature, publicKey);
    return true;
  } catch {
    return false;
  }
}

function payloadInvalid(message: string): never {
  throw new SignatureError(SignatureErrorCode.PayloadInvalid, message, { ref: STORAGE_REF });
}
