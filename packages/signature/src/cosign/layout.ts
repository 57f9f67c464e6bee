/**
 * cosign signatures in an OCI image layout, stored as cosign's OCI 1.1 mode
 * (`--registry-referrers-mode=oci-1-1`) stores them in a registry: one
 * referrer per signature, of artifact type COSIGN_SIGNATURE_ARTIFACT_TYPE,
 * whose single layer is the payload (`application/vnd.dev.cosign.simplesigning.v1+json`)
 * annotated with the base64 signature, and whose subject is the signed
 * manifest. In a layout the referrer is listed in index.json too (see
 * ../layout/artifacts.ts), so `umoci`, `skopeo` and gc keep it, and a copy
 * with referrers carries it to a registry, where verifyImageCosign reads it.
 *
 * A layout has no registry name, so the identity signed for and the one
 * expected are always given.
 */
import type { KeyObject } from 'node:crypto';
import type { Layout } from '@ocikit/bundle';
import { digestOf, type Digest } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/image-spec';
import { SignatureError, SignatureErrorCode } from '../errors.js';
import { listLayoutSignatureArtifacts, putLayoutSignatureArtifact, readLayoutArtifactLayer } from '../layout/artifacts.js';
import { openLayout, readImageManifest } from '../layout/image.js';
import { MAX_PAYLOAD_BYTES } from '../simple-signing/payload.js';
import type { IdentityPolicy } from '../simple-signing/verify.js';
import { toPublicKey } from './keys.js';
import { COSIGN_MAX_SIGNATURE_LAYERS } from './registry.js';
import { COSIGN_SIGNATURE_ANNOTATION, COSIGN_SIMPLE_SIGNING_MEDIA_TYPE, signCosign } from './simple-signing.js';
import { COSIGN_SIGNATURE_ARTIFACT_TYPE, isSameCosignSignature, verifyStoredCosignSignatures, type StoredCosignSignature, type VerifiedCosignSignatures } from './stored.js';

export interface SignLayoutImageCosignOptions {
  /** The layout holding the image (a Layout, or its directory); the signature goes into it. */
  layout: Layout | string;
  /** The image: a name (`org.opencontainers.image.ref.name` in index.json) or the digest of a manifest or index in the layout. */
  reference: string;
  /** The ECDSA P-256 private key. */
  privateKey: KeyObject;
  /** The identity to sign for (`registry/repository:tag` or `…@sha256:…`): a layout has no registry name to default to. */
  dockerReference: string;
  /** `optional` entries of the payload (annotations). */
  optional?: Record<string, unknown>;
}

export interface SignedLayoutImageCosign {
  /** The digest `reference` names, which the signature covers. */
  manifestDigest: Digest;
  /** The signature artifact: the new one, or the equal one already stored. */
  signatureManifest: Descriptor;
  payload: Uint8Array;
  /** The base64 signature made. */
  signature: string;
  /** False when an equal signature (same payload, verifying under the same key) was already stored and nothing was written. */
  added: boolean;
  /** How many cosign signatures the layout holds for the image now. */
  signatureCount: number;
}

/**
 * Sign an image in a layout with a cosign key, adding one referrer; an
 * equal signature already stored is not added again.
 * @throws SignatureError InvalidArgument (a reference naming several
 *   manifests, a payload identity without tag or digest), KeyInvalid,
 *   StorageInvalid; BundleError from the layout (REF_NOT_FOUND, its lock)
 */
export async function signLayoutImageCosign(options: SignLayoutImageCosignOptions): Promise<SignedLayoutImageCosign> {
  const layout = await openLayout(options.layout);
  const image = await readImageManifest(layout, options.reference);
  const signed = signCosign({
    manifest: image.bytes,
    dockerReference: options.dockerReference,
    privateKey: options.privateKey,
    ...(options.optional !== undefined && { optional: options.optional }),
  });
  const publicKey = toPublicKey(options.privateKey);
  const payloadDigest = digestOf(signed.payload);
  const put = await putLayoutSignatureArtifact(layout, {
    subject: image.descriptor,
    artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE,
    layers: [{ mediaType: COSIGN_SIMPLE_SIGNING_MEDIA_TYPE, bytes: signed.payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signed.signature } }],
    isDuplicate: (a) => a.manifest.layers.some((l) => isSameCosignSignature(l, payloadDigest, signed.payload, publicKey)),
  });
  return {
    manifestDigest: image.descriptor.digest as Digest,
    signatureManifest: put.descriptor,
    payload: signed.payload,
    signature: signed.signature,
    added: put.added,
    signatureCount: put.artifacts.reduce((n, a) => n + a.manifest.layers.length, 0),
  };
}

export interface VerifyLayoutImageCosignOptions {
  /** The layout holding the image and its signatures (a Layout, or its directory). */
  layout: Layout | string;
  /** The image: a name in index.json or a digest. */
  reference: string;
  /** The ECDSA P-256 public key to trust: a key object or `PUBLIC KEY` PEM text. */
  publicKey: KeyObject | string;
  /** The identity the signature must name (`registry/repository:tag` or `…@sha256:…`). */
  expectedReference: string;
  /** How the signed identity must match; default {@link IdentityPolicy.MatchRepoDigestOrExact}. */
  identityPolicy?: IdentityPolicy;
}

export interface VerifiedLayoutImageCosign extends VerifiedCosignSignatures {
  /** The signature artifacts read. */
  signatureManifests: Descriptor[];
}

/**
 * Verify an image's cosign signatures in a layout: at least one must verify
 * under `publicKey`, name the image's digest, carry cosign's type and match
 * the expected identity. Refusals are those of verifyImageCosign.
 * @throws SignatureError NotSigned when no signature is stored; when none
 *   verifies, the refusal of the signature that came closest (BadSignature,
 *   PayloadInvalid, WrongType, DigestMismatch, IdentityMismatch, ...);
 *   StorageInvalid, InvalidArgument, KeyInvalid; BundleError from the layout
 */
export async function verifyLayoutImageCosign(options: VerifyLayoutImageCosignOptions): Promise<VerifiedLayoutImageCosign> {
  const layout = await openLayout(options.layout);
  const publicKey = toPublicKey(options.publicKey);
  const image = await readImageManifest(layout, options.reference);
  const manifestDigest = image.descriptor.digest as Digest;
  const artifacts = await listLayoutSignatureArtifacts(layout, manifestDigest, COSIGN_SIGNATURE_ARTIFACT_TYPE);
  const signatures = artifacts.flatMap((a) => a.manifest.layers.map((layer, i): StoredCosignSignature => ({ layer, label: `${a.descriptor.digest} layer ${i}` })));
  if (signatures.length > COSIGN_MAX_SIGNATURE_LAYERS) {
    throw new SignatureError(SignatureErrorCode.StorageInvalid, `layout ${layout.dir} holds ${signatures.length} cosign signatures for ${manifestDigest}, more than the ${COSIGN_MAX_SIGNATURE_LAYERS} read`);
  }
  const result = await verifyStoredCosignSignatures({
    signatures,
    fetchPayload: (layer) => readLayoutArtifactLayer(layout, layer, MAX_PAYLOAD_BYTES),
    publicKey,
    manifest: image.bytes,
    manifestDigest,
    expectedReference: options.expectedReference,
    ...(options.identityPolicy !== undefined && { identityPolicy: options.identityPolicy }),
    image: `layout ${layout.dir}@${manifestDigest}`,
    lookedIn: `no referrer of type ${COSIGN_SIGNATURE_ARTIFACT_TYPE}`,
  });
  return { ...result, signatureManifests: artifacts.map((a) => a.descriptor) };
}
