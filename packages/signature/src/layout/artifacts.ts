/**
 * Signature artifacts in an OCI image layout (image-spec v1.1 manifest.md
 * "Guidelines for Artifact Usage", image-layout.md "index.json"): each
 * signature is an image manifest whose `subject` is the signed manifest,
 * with its own `artifactType`, the empty config and the signature data as
 * layers. A layout has no referrers API, so each such manifest is also
 * listed in index.json (with its `artifactType`, without a ref.name), which
 * keeps it reachable for gc, `umoci gc` and copies of the whole layout.
 *
 * This module knows no signature format: cosign and OpenPGP simple
 * signatures each name their own artifact type and layers.
 *
 * Writes take the layout's lock through `Layout.updateIndex` (index.json
 * replaced by temp file and rename); the duplicate check runs under the same
 * lock, so two signers at once both land and the same signature never lands
 * twice. Reads are bounded (MAX_LAYOUT_SIGNATURE_ARTIFACTS, manifests by
 * MAX_MANIFEST_BYTES, layers by the caller's limit) and every blob is read
 * verified by digest and size, as Layout reads blobs.
 */
import { DigestMismatchError, SizeMismatchError, digestOf } from '@ocikit/digest';
import { BundleError, BundleErrorCode, type Layout } from '@ocikit/bundle';
import { EMPTY_DESCRIPTOR, EMPTY_JSON, MediaType, type Descriptor, type ImageIndex, type ImageManifest } from '@ocikit/image-spec';
import { SignatureError, SignatureErrorCode } from '../errors.js';

/** The most signature artifacts of one type read or written for one subject (cosign reads at most 1000 signatures). */
export const MAX_LAYOUT_SIGNATURE_ARTIFACTS = 1000;

/** The most layers one signature artifact may have. */
export const MAX_LAYOUT_ARTIFACT_LAYERS = 1000;

/** image-spec manifest.md: `subject`, `artifactType`; image-layout.md: index.json. */
const ARTIFACT_REF = 'https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md#guidelines-for-artifact-usage';

/** One layer to store: its bytes become a blob. */
export interface LayoutArtifactLayer {
  mediaType: string;
  bytes: Uint8Array;
  annotations?: Record<string, string>;
}

/** A signature artifact found in a layout, its manifest read verified and parsed by image-spec. */
export interface LayoutSignatureArtifact {
  /** The manifest's descriptor, with its `artifactType`. */
  descriptor: Descriptor;
  manifest: ImageManifest;
}

export interface PutLayoutSignatureArtifactOptions {
  /** The signed manifest or index; it must be in the layout. */
  subject: Descriptor;
  /** The artifact's type, e.g. `application/vnd.dev.cosign.artifact.sig.v1+json`. */
  artifactType: string;
  /** The signature data, one blob each, in order (at least one). */
  layers: readonly LayoutArtifactLayer[];
  /** Annotations of the artifact manifest. */
  annotations?: Record<string, string>;
  /**
   * Whether an artifact already stored (same subject and type) is the one
   * being put; when one is, nothing is written. Called under the layout's
   * lock, so the answer still holds when the write would happen.
   */
  isDuplicate?: (existing: LayoutSignatureArtifact) => boolean | Promise<boolean>;
}

export interface PutLayoutSignatureArtifactResult {
  /** The artifact stored: the new one, or the duplicate already there. */
  descriptor: Descriptor;
  /** False when a duplicate was found and nothing was written. */
  added: boolean;
  /** Every artifact of this type for the subject, after the put. */
  artifacts: LayoutSignatureArtifact[];
}

/** Thrown inside the index update to leave index.json untouched. */
class Unchanged extends Error {
  constructor(readonly result: PutLayoutSignatureArtifactResult) {
    super('unchanged');
  }
}

/**
 * Store one signature artifact for `subject`: its layer blobs, the empty
 * config, its manifest, and its descriptor in index.json, under the
 * layout's lock.
 * @throws SignatureError InvalidArgument (no layers, a subject not in the
 *   layout), StorageInvalid (stored artifacts unreadable, or already the
 *   most allowed); BundleError from the layout (its lock, its files)
 */
export async function putLayoutSignatureArtifact(layout: Layout, options: PutLayoutSignatureArtifactOptions): Promise<PutLayoutSignatureArtifactResult> {
  const { subject, artifactType } = options;
  if (options.layers.length === 0 || options.layers.length > MAX_LAYOUT_ARTIFACT_LAYERS) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `a signature artifact needs 1 to ${MAX_LAYOUT_ARTIFACT_LAYERS} layers, found ${options.layers.length}`);
  }
  if (artifactType === '' || artifactType === MediaType.EmptyJSON) throw new SignatureError(SignatureErrorCode.InvalidArgument, `${JSON.stringify(artifactType)} cannot be an artifact type`);
  if (!layout.hasBlob(subject.digest)) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `the subject ${subject.digest} is not in layout ${layout.dir}`);
  }
  const layers: Descriptor[] = options.layers.map((l) => ({
    mediaType: l.mediaType,
    digest: digestOf(l.bytes),
    size: l.bytes.byteLength,
    ...(l.annotations !== undefined && { annotations: { ...l.annotations } }),
  }));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    artifactType,
    config: { mediaType: EMPTY_DESCRIPTOR.mediaType, digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size },
    layers,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(options.annotations !== undefined && { annotations: { ...options.annotations } }),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const descriptor: Descriptor = { mediaType: MediaType.ImageManifest, digest: digestOf(manifestBytes), size: manifestBytes.byteLength, artifactType };

  let result: PutLayoutSignatureArtifactResult | undefined;
  try {
    await layout.updateIndex(async (index) => {
      const existing = await findArtifacts(layout, index, subject.digest, artifactType);
      for (const a of existing) {
        if (a.descriptor.digest === descriptor.digest || (options.isDuplicate !== undefined && (await options.isDuplicate(a)))) {
          throw new Unchanged({ descriptor: a.descriptor, added: false, artifacts: existing });
        }
      }
      if (existing.length >= MAX_LAYOUT_SIGNATURE_ARTIFACTS) {
        storageInvalid(`layout ${layout.dir} already holds ${existing.length} ${artifactType} artifacts for ${subject.digest}, the most read`);
      }
      // Blobs first, the index last: a reader never finds an artifact whose blobs are missing.
      for (const l of options.layers) await layout.writeBlob(l.bytes);
      await layout.writeBlob(Buffer.from(EMPTY_JSON));
      await layout.writeBlob(manifestBytes);
      result = { descriptor, added: true, artifacts: [...existing, { descriptor, manifest }] };
      return { ...index, manifests: [...index.manifests, descriptor] };
    });
  } catch (err) {
    if (err instanceof Unchanged) return err.result;
    throw err;
  }
  return result!;
}

/**
 * The signature artifacts of type `artifactType` whose subject is
 * `subjectDigest`: those index.json lists, then referrers found in the store
 * (copied in by a tool that did not list them), each once, each manifest
 * read verified and parsed.
 * @throws SignatureError StorageInvalid when there are more than
 *   MAX_LAYOUT_SIGNATURE_ARTIFACTS, or one cannot be read or is not an
 *   artifact manifest of that type for that subject; BundleError from the layout
 */
export async function listLayoutSignatureArtifacts(layout: Layout, subjectDigest: string, artifactType: string): Promise<LayoutSignatureArtifact[]> {
  return findArtifacts(layout, await layout.readIndex(), subjectDigest, artifactType);
}

async function findArtifacts(layout: Layout, index: ImageIndex, subjectDigest: string, artifactType: string): Promise<LayoutSignatureArtifact[]> {
  const candidates = new Map<string, { descriptor: Descriptor; listed: boolean }>();
  for (const d of index.manifests) {
    if (d.artifactType === artifactType && d.mediaType === MediaType.ImageManifest && !candidates.has(d.digest)) candidates.set(d.digest, { descriptor: d, listed: true });
  }
  const inStore = ((await layout.referrers()).get(subjectDigest) ?? []).filter((d) => d.artifactType === artifactType);
  inStore.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  for (const d of inStore) if (!candidates.has(d.digest)) candidates.set(d.digest, { descriptor: d, listed: false });
  if (candidates.size > MAX_LAYOUT_SIGNATURE_ARTIFACTS) {
    storageInvalid(`layout ${layout.dir} holds ${candidates.size} ${artifactType} artifacts, more than the ${MAX_LAYOUT_SIGNATURE_ARTIFACTS} read`);
  }
  const found: LayoutSignatureArtifact[] = [];
  for (const { descriptor, listed } of candidates.values()) {
    const what = `${artifactType} artifact ${descriptor.digest} in layout ${layout.dir}`;
    let manifest: ImageManifest;
    try {
      manifest = await layout.readDocument(descriptor, 'image-manifest');
    } catch (err) {
      if (err instanceof BundleError || err instanceof DigestMismatchError || err instanceof SizeMismatchError) storageInvalid(`${what} cannot be read: ${err.message}`, err);
      throw err;
    }
    if (manifest.mediaType !== MediaType.ImageManifest || manifest.artifactType !== artifactType) {
      storageInvalid(`${what} is not an image manifest of that artifact type (found mediaType ${JSON.stringify(manifest.mediaType)}, artifactType ${JSON.stringify(manifest.artifactType)})`);
    }
    // index.json lists every artifact of the type; only those for this subject are wanted.
    if (manifest.subject?.digest !== subjectDigest) {
      if (listed) continue;
      storageInvalid(`${what} names subject ${manifest.subject?.digest ?? 'none'}, not ${subjectDigest}`);
    }
    if (manifest.layers.length > MAX_LAYOUT_ARTIFACT_LAYERS) storageInvalid(`${what} has ${manifest.layers.length} layers, more than the ${MAX_LAYOUT_ARTIFACT_LAYERS} read`);
    found.push({ descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, artifactType }, manifest });
  }
  return found;
}

/**
 * One layer of a signature artifact, read whole and verified by digest and
 * size; refused before a byte is read when larger than `maxBytes`.
 * @throws SignatureError PayloadInvalid when the blob is missing, larger
 *   than allowed, or not what its descriptor names; BundleError from the layout
 */
export async function readLayoutArtifactLayer(layout: Layout, layer: Descriptor, maxBytes: number): Promise<Buffer> {
  if (layer.size > maxBytes) payloadInvalid(`the blob ${layer.digest} is ${layer.size} bytes, over the limit of ${maxBytes}`);
  try {
    return await layout.readBlob(layer, maxBytes);
  } catch (err) {
    // Content that is not what the manifest names refuses this signature; a failing file system does not.
    if (err instanceof DigestMismatchError || err instanceof SizeMismatchError || (err instanceof BundleError && err.code === BundleErrorCode.BlobNotFound)) {
      payloadInvalid(`the blob ${layer.digest} is not as its descriptor names it: ${err.message}`, err);
    }
    throw err;
  }
}

function storageInvalid(message: string, cause?: unknown): never {
  throw new SignatureError(SignatureErrorCode.StorageInvalid, message, { ref: ARTIFACT_REF, ...(cause !== undefined && { cause }) });
}

function payloadInvalid(message: string, cause?: unknown): never {
  throw new SignatureError(SignatureErrorCode.PayloadInvalid, message, { ref: ARTIFACT_REF, ...(cause !== undefined && { cause }) });
}
