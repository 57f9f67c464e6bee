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
 * MAX_PAYLOAD_BYTES), and succeeds when any signature verifies. Besides the
 * `.sig` tag, it reads signatures stored as OCI 1.1 referrers (distribution-spec
 * v1.1 "Listing Referrers": the referrers API, else the fallback tag), as
 * cosign's `--registry-referrers-mode=oci-1-1` and ocikit's layouts store
 * them: artifact type COSIGN_SIGNATURE_ARTIFACT_TYPE, one signature layer
 * each. So an image signed in a layout and copied with its referrers
 * verifies in the registry too.
 */
import type { KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import { digestOf, isSupported, isValidDigest, parseDigest, type Digest } from '@ocikit/digest';
import { RegistryError, RegistryErrorCode, type Repository } from '@ocikit/distribution';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { readJsonText } from '@ocikit/validation';
import { COSIGN_SIGNATURE_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';
import type { IdentityPolicy } from '../simple-signing/verify.js';
import { toPublicKey } from './keys.js';
import { COSIGN_SIGNATURE_ANNOTATION, COSIGN_SIMPLE_SIGNING_MEDIA_TYPE, signCosign } from './simple-signing.js';
import {
  COSIGN_SIGNATURE_ARTIFACT_TYPE,
  isSameCosignSignature,
  verifyStoredCosignSignatures,
  type StoredCosignSignature,
  type VerifiedCosignSignatures,
} from './stored.js';

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
    const duplicate = existing.layers.some((l) => isSameCosignSignature(l, layer.digest, signed.payload, publicKey));
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

export interface VerifiedImageCosign extends VerifiedCosignSignatures {
  /** The `.sig` tag looked at (it may not exist when the signatures are referrers). */
  signatureTag: string;
  /** The signature manifests read: the `.sig` tag's, then each referrer's. */
  signatureManifests: Descriptor[];
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
  const signatureTag = cosignSignatureTag(manifestDigest);
  const stored = await readStoredSignatures(repo, manifestDigest, signatureTag);
  const signatures = stored.flatMap((m) => m.layers.map((layer, i): StoredCosignSignature => ({ layer, label: stored.length > 1 || m.tag === undefined ? `${m.descriptor.digest} layer ${i}` : `layer ${i}` })));
  if (signatures.length > COSIGN_MAX_SIGNATURE_LAYERS) {
    storageInvalid(`${repo.client.registry}/${repo.name}@${manifestDigest} has ${signatures.length} cosign signatures, more than the ${COSIGN_MAX_SIGNATURE_LAYERS} read`);
  }
  const result = await verifyStoredCosignSignatures({
    signatures,
    fetchPayload: (layer, label) => fetchPayload(repo, layer, label),
    publicKey,
    manifest: image.bytes,
    manifestDigest,
    expectedReference: options.expectedReference ?? defaultIdentity(repo, options.reference),
    ...(options.identityPolicy !== undefined && { identityPolicy: options.identityPolicy }),
    image: `${repo.client.registry}/${repo.name}@${manifestDigest}`,
    lookedIn: `no layers under tag ${signatureTag}, no referrers of type ${COSIGN_SIGNATURE_ARTIFACT_TYPE}`,
  });
  return { ...result, signatureTag, signatureManifests: stored.map((m) => m.descriptor) };
}

/**
 * The signature manifests of an image: the one under its `.sig` tag, then
 * each referrer of cosign's signature artifact type that is what the list
 * says (an image manifest of that type naming this subject; a stale entry of
 * the fallback tag, gone or for another subject, is passed over).
 */
async function readStoredSignatures(repo: Repository, manifestDigest: string, signatureTag: string): Promise<(StoredSignatures & { tag?: string })[]> {
  const out: (StoredSignatures & { tag?: string })[] = [];
  const tagged = await readSignatureManifest(repo, signatureTag);
  if (tagged !== undefined) out.push({ ...tagged, tag: signatureTag });
  const referrers = await repo.referrers(manifestDigest, { artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE });
  if (referrers.length > COSIGN_MAX_SIGNATURE_LAYERS) {
    storageInvalid(`${repo.client.registry}/${repo.name}@${manifestDigest} has ${referrers.length} cosign signature referrers, more than the ${COSIGN_MAX_SIGNATURE_LAYERS} read`);
  }
  const seen = new Set<string>(tagged === undefined ? [] : [tagged.descriptor.digest]);
  for (const r of referrers) {
    if (typeof r.digest !== 'string' || !isValidDigest(r.digest) || seen.has(r.digest)) continue;
    seen.add(r.digest);
    const m = await readSignatureManifest(repo, r.digest);
    if (m === undefined || m.descriptor.mediaType !== MediaType.ImageManifest) continue;
    const subject = m.doc['subject'];
    if (m.doc['artifactType'] !== COSIGN_SIGNATURE_ARTIFACT_TYPE || !isObject(subject) || subject['digest'] !== manifestDigest) continue;
    out.push(m);
  }
  return out;
}

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

/** The signature manifest under `reference` (the `.sig` tag, or a referrer's digest), or undefined when there is none. */
async function readSignatureManifest(repo: Repository, reference: string): Promise<StoredSignatures | undefined> {
  let got;
  try {
    got = await repo.getManifest(reference);
  } catch (err) {
    if (err instanceof RegistryError && err.code === RegistryErrorCode.ManifestUnknown) return undefined;
    throw err;
  }
  const at = where(repo, reference);
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

/** A layer's payload, verified by digest and size (its media type and size were checked before). */
async function fetchPayload(repo: Repository, layer: Descriptor, label: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of repo.fetchBlob(layer)) parts.push(chunk);
  } catch (err) {
    // Content that is not what the manifest names is a refusal of this signature; a failing registry is not.
    if (err instanceof RegistryError && CONTENT_FAILURES.has(err.code)) {
      payloadInvalid(`${label}: the payload blob ${layer.digest} is not as its descriptor names it: ${err.message}`, err);
    }
    throw err;
  }
  return Buffer.concat(parts);
}

const CONTENT_FAILURES: ReadonlySet<RegistryErrorCode> = new Set([RegistryErrorCode.DigestMismatch, RegistryErrorCode.SizeMismatch, RegistryErrorCode.BlobUnknown]);

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

function where(repo: Repository, reference: string): string {
  return `${repo.client.registry}/${repo.name}${isValidDigest(reference) ? '@' : ':'}${reference}`;
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
