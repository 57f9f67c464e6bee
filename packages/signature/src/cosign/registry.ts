/**
 * cosign signatures in a registry, stored as cosign stores them
 * (specs/SIGNATURE_SPEC.md "Storage"; pkg/oci/remote, pkg/oci/mutate,
 * pkg/oci/static, pkg/oci/empty):
 *
 * - the tag `sha256-<hex>.sig` in the image's own repository names an image
 *   manifest (OCI unless one exists in Docker's format);
 * - each layer is one signature: its blob is the payload (media type
 *   `application/vnd.dev.cosign.simplesigning.v1+json`), its annotation
 *   `dev.cosignproject.cosign/signature` the base64 signature;
 * - the config is the one go-containerregistry's `mutate.Append` writes over
 *   its empty image: an image config whose `rootfs.diff_ids` lists each
 *   payload's digest and whose `history` has one empty entry per layer.
 *
 * Signing appends a layer and re-tags; signatures already there are kept, and
 * one equal to the new one (same payload, a signature that verifies under the
 * same key) is not added twice, as cosign's duplicate detector does. Like
 * cosign's, the append is read-modify-write on a tag: two signers at the
 * same instant can lose one signature.
 *
 * Verifying reads every layer (at most 1000, cosign's own bound), fetches
 * each payload verified by digest and size (never more than
 * MAX_PAYLOAD_BYTES), and succeeds when any signature verifies.
 */
import type { KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import { digestOf, isSupported, isValidDigest, parseDigest, type Digest } from '@ocikit/digest';
import { RegistryError, RegistryErrorCode, type Repository } from '@ocikit/distribution';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { readJsonText } from '@ocikit/validation';
import { COSIGN_SIGNATURE_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';
import { MAX_PAYLOAD_BYTES } from '../simple-signing/payload.js';
import type { IdentityPolicy } from '../simple-signing/verify.js';
import { toPublicKey } from './keys.js';
import {
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_SIMPLE_SIGNING_MEDIA_TYPE,
  signCosign,
  verifyCosignPayloadSignature,
  verifyCosignSignature,
  type VerifiedCosignSignature,
} from './simple-signing.js';

/** The suffix of cosign's signature tag (pkg/oci/remote `SignatureTagSuffix`). */
export const COSIGN_SIGNATURE_TAG_SUFFIX = 'sig';

/** The most signature layers read or written (cosign pkg/oci/remote and pkg/oci/mutate `maxLayers`). */
export const COSIGN_MAX_SIGNATURE_LAYERS = 1000;

/** A signature manifest's config is a few hundred bytes per layer; more is not one. */
const CONFIG_LIMIT = 1024 * 1024;

/** go-containerregistry's zero time, as its `v1.Time` marshals it. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

const STORAGE_REF = `${COSIGN_SIGNATURE_SPEC}#storage`;

/**
 * The tag cosign stores an image's signatures under: its manifest digest
 * with `-` for `:`, then `.sig` (`sha256:ab…` becomes `sha256-ab….sig`).
 * @throws SignatureError InvalidArgument when `manifestDigest` is not a digest
 */
export function cosignSignatureTag(manifestDigest: string): string {
  if (!isValidDigest(manifestDigest)) throw new SignatureError(SignatureErrorCode.InvalidArgument, `${JSON.stringify(manifestDigest)} is not a digest`);
  const { algorithm, encoded } = parseDigest(manifestDigest);
  return `${algorithm}-${encoded}.${COSIGN_SIGNATURE_TAG_SUFFIX}`;
}

export interface SignImageCosignOptions {
  /** The repository holding the image; the signature goes beside it. */
  repository: Repository;
  /** The image: a tag or digest in that repository. A tag is resolved now, and that digest is signed. */
  reference: string;
  /** The ECDSA P-256 private key. */
  privateKey: KeyObject;
  /** The identity to sign for; default `REGISTRY/REPOSITORY:TAG` (or `@DIGEST`) of the image. */
  dockerReference?: string;
  /** `optional` entries of the payload (annotations). */
  optional?: Record<string, unknown>;
}

export interface SignedImageCosign {
  /** The digest `reference` resolved to, which the signature covers. */
  manifestDigest: Digest;
  /** The tag the signatures are stored under. */
  signatureTag: string;
  /** The signature manifest as it is now. */
  signatureManifest: Descriptor;
  payload: Uint8Array;
  /** The base64 signature stored. */
  signature: string;
  /** False when an equal signature was already stored and nothing was pushed. */
  added: boolean;
  /** How many signatures the tag holds now. */
  signatureCount: number;
}

/**
 * Sign an image in a registry the way `cosign sign --key` does, appending to
 * the signatures already stored for it.
 * @throws SignatureError StorageInvalid when the `.sig` tag holds something
 *   that cannot be appended to; InvalidArgument, KeyInvalid; RegistryError from the registry
 */
export async function signImageCosign(options: SignImageCosignOptions): Promise<SignedImageCosign> {
  const repo = options.repository;
  const image = await repo.getManifest(options.reference);
  const manifestDigest = image.descriptor.digest as Digest;
  const signed = signCosign({
    manifest: image.bytes,
    dockerReference: options.dockerReference ?? defaultIdentity(repo, options.reference),
    privateKey: options.privateKey,
    ...(options.optional !== undefined && { optional: options.optional }),
  });
  const signatureTag = cosignSignatureTag(manifestDigest);
  const existing = await readSignatureManifest(repo, signatureTag);
  const layer: Descriptor = {
    mediaType: COSIGN_SIMPLE_SIGNING_MEDIA_TYPE,
    size: signed.payload.byteLength,
    digest: digestOf(signed.payload),
    annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signed.signature },
  };
  const result = { manifestDigest, signatureTag, payload: signed.payload };

  if (existing !== undefined) {
    const publicKey = toPublicKey(options.privateKey);
    const duplicate = existing.layers.some((l) => l.digest === layer.digest && l.mediaType === layer.mediaType && verifiesUnder(signed.payload, l, publicKey));
    if (duplicate) {
      return { ...result, signatureManifest: existing.descriptor, signature: signed.signature, added: false, signatureCount: existing.layers.length };
    }
    if (existing.layers.length >= COSIGN_MAX_SIGNATURE_LAYERS) {
      throw new SignatureError(SignatureErrorCode.StorageInvalid, `${where(repo, signatureTag)} already holds ${existing.layers.length} signatures, the most cosign reads`, { ref: STORAGE_REF });
    }
  }

  await repo.pushBlob(layer, bytesSource(signed.payload));
  const config = existing === undefined ? newConfig([layer.digest]) : await appendedConfig(repo, existing, layer.digest, signatureTag);
  const configDescriptor: Descriptor = { mediaType: config.mediaType, size: config.bytes.byteLength, digest: digestOf(config.bytes) };
  await repo.pushBlob(configDescriptor, bytesSource(config.bytes));

  const layers = [...(existing?.rawLayers ?? []), descriptorJson(layer)];
  const doc: Record<string, unknown> =
    existing === undefined
      ? { schemaVersion: 2, mediaType: MediaType.ImageManifest, config: descriptorJson(configDescriptor), layers }
      : { ...existing.doc, config: descriptorJson(configDescriptor), layers };
  const mediaType = existing?.descriptor.mediaType ?? MediaType.ImageManifest;
  const signatureManifest = await repo.putManifest(signatureTag, Buffer.from(JSON.stringify(doc)), mediaType);
  return { ...result, signatureManifest, signature: signed.signature, added: true, signatureCount: layers.length };
}

export interface VerifyImageCosignOptions {
  /** The repository holding the image and its signatures. */
  repository: Repository;
  /** The image: a tag or digest in that repository. */
  reference: string;
  /** The ECDSA P-256 public key to trust: a key object or `PUBLIC KEY` PEM text. */
  publicKey: KeyObject | string;
  /** The identity the signature must name; default `REGISTRY/REPOSITORY:TAG` (or `@DIGEST`) of the image. */
  expectedReference?: string;
  /** How the signed identity must match; default {@link IdentityPolicy.MatchRepoDigestOrExact}. */
  identityPolicy?: IdentityPolicy;
}

export interface VerifiedImageCosign {
  /** The digest `reference` resolved to; the signatures cover it. */
  manifestDigest: Digest;
  signatureTag: string;
  /** Every stored signature that verified (at least one). */
  verified: VerifiedCosignSignature[];
  /** How many signatures are stored in all. */
  signatureCount: number;
}

/**
 * Verify an image's cosign signatures in its registry: at least one must
 * verify under `publicKey`, name the image's digest, carry cosign's type
 * and match the expected identity.
 * @throws SignatureError NotSigned when no signature is stored; when none
 *   verifies, the refusal of the signature that came closest (BadSignature,
 *   PayloadInvalid, WrongType, DigestMismatch, IdentityMismatch, ...);
 *   StorageInvalid, InvalidArgument, KeyInvalid; RegistryError from the registry
 */
export async function verifyImageCosign(options: VerifyImageCosignOptions): Promise<VerifiedImageCosign> {
  const repo = options.repository;
  const publicKey = toPublicKey(options.publicKey);
  const image = await repo.getManifest(options.reference);
  const manifestDigest = image.descriptor.digest as Digest;
  const expectedReference = options.expectedReference ?? defaultIdentity(repo, options.reference);
  const signatureTag = cosignSignatureTag(manifestDigest);
  const stored = await readSignatureManifest(repo, signatureTag);
  if (stored === undefined || stored.layers.length === 0) {
    throw new SignatureError(SignatureErrorCode.NotSigned, `${repo.client.registry}/${repo.name}@${manifestDigest} has no cosign signature (no layers under tag ${signatureTag})`, { ref: STORAGE_REF });
  }
  const verified: VerifiedCosignSignature[] = [];
  const refusals: { stage: number; error: SignatureError }[] = [];
  for (const [i, layer] of stored.layers.entries()) {
    try {
      const payload = await fetchPayload(repo, layer, i);
      const signature = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
      if (signature === undefined) {
        throw new SignatureError(SignatureErrorCode.BadSignature, `layer ${i} carries no ${COSIGN_SIGNATURE_ANNOTATION} annotation`, { ref: STORAGE_REF });
      }
      verified.push(
        verifyCosignSignature({
          payload,
          signature,
          publicKey,
          manifest: image.bytes,
          expectedReference,
          ...(options.identityPolicy !== undefined && { identityPolicy: options.identityPolicy }),
        }),
      );
    } catch (err) {
      if (!(err instanceof SignatureError) || err.code === SignatureErrorCode.InvalidArgument) throw err;
      refusals.push({ stage: STAGE[err.code] ?? 0, error: err });
    }
  }
  if (verified.length === 0) {
    // The refusal that got furthest says most: a good signature for another identity beats a foreign key's.
    const best = refusals.reduce((a, b) => (b.stage > a.stage ? b : a));
    throw new SignatureError(best.error.code, `none of the ${stored.layers.length} cosign signatures of ${repo.client.registry}/${repo.name}@${manifestDigest} verifies: ${best.error.message}`, {
      cause: best.error,
      ...(best.error.ref !== undefined && { ref: best.error.ref }),
    });
  }
  return { manifestDigest, signatureTag, verified, signatureCount: stored.layers.length };
}

/** How far verification got before a refusal: a later stage says more about what is wrong. */
const STAGE: Partial<Record<SignatureErrorCode, number>> = {
  [SignatureErrorCode.BadSignature]: 2,
  [SignatureErrorCode.PayloadInvalid]: 3,
  [SignatureErrorCode.UnknownCriticalKey]: 3,
  [SignatureErrorCode.WrongType]: 3,
  [SignatureErrorCode.DigestMismatch]: 4,
  [SignatureErrorCode.IdentityMismatch]: 5,
};

/** One layer of a signature manifest, its fields checked. */
interface SignatureLayer extends Descriptor {
  annotations?: Record<string, string>;
}

interface StoredSignatures {
  descriptor: Descriptor;
  /** The manifest as stored, every field kept. */
  doc: Record<string, unknown>;
  config: Descriptor;
  /** The layers as stored (kept verbatim when appending). */
  rawLayers: unknown[];
  layers: SignatureLayer[];
}

/** The signature manifest under `tag`, or undefined when the tag does not exist. */
async function readSignatureManifest(repo: Repository, tag: string): Promise<StoredSignatures | undefined> {
  let got;
  try {
    got = await repo.getManifest(tag);
  } catch (err) {
    if (err instanceof RegistryError && err.code === RegistryErrorCode.ManifestUnknown) return undefined;
    throw err;
  }
  const at = where(repo, tag);
  const { descriptor, bytes } = got;
  if (descriptor.mediaType !== MediaType.ImageManifest && descriptor.mediaType !== MediaType.DockerManifest) {
    storageInvalid(`${at} is a ${descriptor.mediaType}, not an image manifest`);
  }
  const read = readJsonText(bytes);
  const doc = read.value;
  if (!read.parsed || read.errors.length > 0 || !isObject(doc)) storageInvalid(`${at} is not a JSON object`);
  const rawLayers = doc['layers'] ?? [];
  if (!Array.isArray(rawLayers)) storageInvalid(`${at}: layers is not an array`);
  if (rawLayers.length > COSIGN_MAX_SIGNATURE_LAYERS) storageInvalid(`${at} has ${rawLayers.length} layers, more than the ${COSIGN_MAX_SIGNATURE_LAYERS} cosign reads`);
  const config = descriptorOf(doc['config'], `${at}: config`);
  const layers = rawLayers.map((l, i) => layerOf(l, `${at}: layer ${i}`));
  return { descriptor, doc, config, rawLayers, layers };
}

function descriptorOf(v: unknown, what: string): Descriptor {
  if (!isObject(v)) storageInvalid(`${what} is not a descriptor`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string') storageInvalid(`${what} has no media type`);
  if (!isValidDigest(digest) || !isSupported(parseDigest(digest).algorithm)) storageInvalid(`${what} has no usable digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) storageInvalid(`${what} has no usable size`);
  return { mediaType, digest, size };
}

function layerOf(v: unknown, what: string): SignatureLayer {
  const desc: SignatureLayer = descriptorOf(v, what);
  const annotations = (v as Record<string, unknown>)['annotations'];
  if (annotations !== undefined) {
    if (!isObject(annotations) || !Object.values(annotations).every((a) => typeof a === 'string')) storageInvalid(`${what}: annotations are not a map of strings`);
    desc.annotations = annotations as Record<string, string>;
  }
  return desc;
}

/** A layer's payload, verified by digest and size, bounded by MAX_PAYLOAD_BYTES before a byte is fetched. */
async function fetchPayload(repo: Repository, layer: SignatureLayer, index: number): Promise<Buffer> {
  if (layer.mediaType !== COSIGN_SIMPLE_SIGNING_MEDIA_TYPE) {
    payloadInvalid(`layer ${index} has media type ${JSON.stringify(layer.mediaType)}, not ${COSIGN_SIMPLE_SIGNING_MEDIA_TYPE}`);
  }
  if (layer.size > MAX_PAYLOAD_BYTES) payloadInvalid(`layer ${index} is ${layer.size} bytes, over the payload limit of ${MAX_PAYLOAD_BYTES}`);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of repo.fetchBlob(layer)) parts.push(chunk);
  } catch (err) {
    // Content that is not what the manifest names is a refusal of this signature; a failing registry is not.
    if (err instanceof RegistryError && CONTENT_FAILURES.has(err.code)) {
      payloadInvalid(`layer ${index}: the payload blob ${layer.digest} is not as its descriptor names it: ${err.message}`, err);
    }
    throw err;
  }
  return Buffer.concat(parts);
}

const CONTENT_FAILURES: ReadonlySet<RegistryErrorCode> = new Set([RegistryErrorCode.DigestMismatch, RegistryErrorCode.SizeMismatch, RegistryErrorCode.BlobUnknown]);

/** Whether `layer`'s signature annotation verifies `payload` under `publicKey` (cosign's duplicate test). */
function verifiesUnder(payload: Uint8Array, layer: SignatureLayer, publicKey: KeyObject): boolean {
  const signature = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
  if (signature === undefined) return false;
  try {
    verifyCosignPayloadSignature(payload, signature, publicKey);
    return true;
  } catch {
    return false;
  }
}

/** The config go-containerregistry writes for its empty image with these layers appended. */
function newConfig(diffIds: string[]): { mediaType: string; bytes: Buffer } {
  // Key order as Go's encoding/json writes v1.ConfigFile.
  const config = {
    architecture: '',
    created: ZERO_TIME,
    history: diffIds.map(() => ({ created: ZERO_TIME })),
    os: '',
    rootfs: { type: 'layers', diff_ids: diffIds },
    config: {},
  };
  return { mediaType: MediaType.ImageConfig, bytes: Buffer.from(JSON.stringify(config)) };
}

/** The stored config with one more layer recorded (`mutate.Append`); a config that is not an image config is kept as it is. */
async function appendedConfig(repo: Repository, stored: StoredSignatures, diffId: string, tag: string): Promise<{ mediaType: string; bytes: Buffer }> {
  const { config } = stored;
  const at = `${where(repo, tag)}: config ${config.digest}`;
  if (config.size > CONFIG_LIMIT) storageInvalid(`${at} is ${config.size} bytes, too large for a signature manifest's config`);
  const parts: Buffer[] = [];
  for await (const chunk of repo.fetchBlob(config)) parts.push(chunk);
  const bytes = Buffer.concat(parts);
  if (config.mediaType !== MediaType.ImageConfig && config.mediaType !== MediaType.DockerImageConfig) return { mediaType: config.mediaType, bytes };
  const read = readJsonText(bytes);
  const doc = read.value;
  if (!read.parsed || read.errors.length > 0 || !isObject(doc)) storageInvalid(`${at} is not a JSON object`);
  const rootfs = doc['rootfs'] ?? { type: 'layers', diff_ids: [] };
  if (!isObject(rootfs)) storageInvalid(`${at}: rootfs is not an object`);
  const diffIds: unknown = rootfs['diff_ids'] ?? [];
  const history: unknown = doc['history'] ?? [];
  if (!Array.isArray(diffIds) || !Array.isArray(history)) storageInvalid(`${at}: rootfs.diff_ids or history is not an array`);
  const updated = { ...doc, history: [...(history as unknown[]), { created: ZERO_TIME }], rootfs: { ...rootfs, diff_ids: [...(diffIds as unknown[]), diffId] } };
  return { mediaType: config.mediaType, bytes: Buffer.from(JSON.stringify(updated)) };
}

/** A descriptor as go-containerregistry writes one: mediaType, size, digest, then annotations. */
function descriptorJson(d: Descriptor): Record<string, unknown> {
  return { mediaType: d.mediaType, size: d.size, digest: d.digest, ...(d.annotations !== undefined && { annotations: d.annotations }) };
}

/** `open(offset)` as pushBlob wants it, over bytes already in memory (a payload or a config: small). */
function bytesSource(bytes: Uint8Array): (offset: number) => AsyncIterable<Uint8Array> {
  return (offset) => Readable.from([bytes.subarray(offset)], { objectMode: false });
}

function defaultIdentity(repo: Repository, reference: string): string {
  return `${repo.client.registry}/${repo.name}${isValidDigest(reference) ? '@' : ':'}${reference}`;
}

function where(repo: Repository, tag: string): string {
  return `${repo.client.registry}/${repo.name}:${tag}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function storageInvalid(message: string): never {
  throw new SignatureError(SignatureErrorCode.StorageInvalid, message, { ref: STORAGE_REF });
}

function payloadInvalid(message: string, cause?: unknown): never {
  throw new SignatureError(SignatureErrorCode.PayloadInvalid, message, { ref: STORAGE_REF, ...(cause !== undefined && { cause }) });
}
