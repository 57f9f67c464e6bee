/**
 * The one place image documents (manifests, indexes, configs) are read from
 * a layout: verified against their descriptors, then parsed and typed by
 * @ocikit/image-spec. There is no second shape check here: image-spec's
 * MUST-level findings refuse a document, its SHOULD-level findings never
 * do (unpack must not refuse what umoci accepts for SHOULD-level reasons).
 * `sniffDocument` alone reads a blob unverified, only to learn what it is.
 */
import {
  Annotation as SpecAnnotation,
  InvalidDocumentError,
  MediaType,
  parse,
  type Descriptor,
  type DocumentKind,
  type DocumentTypes,
  type DockerManifest,
  type DockerManifestList,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '@ocikit/image-spec';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { blobPath, readBlob } from './blobs.js';
import { Limits, readRegularFile } from '@ocikit/validation';

export const INDEX_TYPES: readonly string[] = [MediaType.ImageIndex, MediaType.DockerManifestList];
export const MANIFEST_TYPES: readonly string[] = [MediaType.ImageManifest, MediaType.DockerManifest];
export const CONFIG_TYPES: readonly string[] = [MediaType.ImageConfig, MediaType.DockerImageConfig];

export const Annotation = {
  RefName: SpecAnnotation.RefName,
} as const;

/** An image manifest this package reads: OCI, or Docker schema 2. */
export type Manifest = ImageManifest | DockerManifest;
/** An index this package reads: OCI image index, or Docker manifest list. */
export type Index = ImageIndex | DockerManifestList;

/** @deprecated Use `ImageIndex` (or `ImageIndex | DockerManifestList`) from `@ocikit/image-spec`. */
export type IndexDoc = ImageIndex;
/** @deprecated Use `ImageManifest | DockerManifest` from `@ocikit/image-spec`. */
export type ManifestDoc = Manifest;
/** @deprecated Use `ImageConfig` from `@ocikit/image-spec`. */
export type ConfigDoc = ImageConfig;



/** The kind to parse a manifest or index blob as, from its descriptor's media type. */
export function manifestKind(mediaType: string): 'image-manifest' | 'docker-manifest' {
  return mediaType === MediaType.DockerManifest ? 'docker-manifest' : 'image-manifest';
}
export function indexKind(mediaType: string): 'image-index' | 'docker-manifest-list' {
  return mediaType === MediaType.DockerManifestList ? 'docker-manifest-list' : 'image-index';
}

/**
 * Parse a document with image-spec; MUST-level findings refuse it as
 * `INVALID_DOCUMENT` (naming the first), warnings are ignored.
 */
export function parseDocument<K extends DocumentKind>(kind: K, input: unknown, what: string): DocumentTypes[K] {
  try {
    return parse(kind, input);
  } catch (err) {
    if (!(err instanceof InvalidDocumentError)) throw err;
    const first = err.errors[0];
    const more = err.errors.length > 1 ? ` (and ${err.errors.length - 1} more)` : '';
    throw new BundleError(BundleErrorCode.InvalidDocument, `${what} is invalid: ${first?.path || '/'}: ${first?.message ?? 'no detail'}${more}`, {
      cause: err,
      ...(first?.ref !== undefined && { ref: first.ref }),
    });
  }
}

/** Read a manifest, index or config blob of the layout at `dir` (verified) and parse it. */
export async function readDocument<K extends DocumentKind>(dir: string, desc: Descriptor, kind: K): Promise<DocumentTypes[K]> {
  const bytes = await readBlob(dir, desc, kind === 'image-config' ? Limits.ConfigBytes : Limits.ManifestBytes);
  return parseDocument(kind, bytes, `${kind} ${desc.digest}`);
}

/** image-spec: a document's mediaType, when present, must match its descriptor. */
export function checkMediaType(inDoc: string | undefined, desc: Descriptor, what: string): void {
  if (inDoc !== undefined && inDoc !== desc.mediaType) {
    throw new BundleError(BundleErrorCode.MediaTypeMismatch, `${what} ${desc.digest} says mediaType ${q(inDoc)} but its descriptor says ${q(desc.mediaType)}`, {
      ref: BundleSpecRef.Descriptor,
    });
  }
}

/** An image manifest and its config, read and checked as one. */
export interface ImageDocuments {
  manifest: Manifest;
  config: ImageConfig;
}

/**
 * Read the image whose manifest `desc` names: the manifest (OCI or Docker
 * schema 2, by the descriptor's media type), then its config; refused when
 * either is invalid, when the manifest's mediaType contradicts `desc`, when
 * the config is not an image config, or when the config's diff_ids do not
 * pair with the layers. Unpack (through resolve) and pack both read images
 * through this, so a base image is trusted by pack exactly as by unpack.
 */
export async function readImage(dir: string, desc: Descriptor): Promise<ImageDocuments> {
  if (!MANIFEST_TYPES.includes(desc.mediaType)) {
    throw new BundleError(BundleErrorCode.UnsupportedMediaType, `${desc.digest} is a ${q(desc.mediaType)}, not an image manifest`);
  }
  const manifest: Manifest = await readDocument(dir, desc, manifestKind(desc.mediaType));
  checkMediaType(manifest.mediaType, desc, 'manifest');
  if (!CONFIG_TYPES.includes(manifest.config.mediaType)) {
    throw new BundleError(BundleErrorCode.UnsupportedMediaType, `manifest ${desc.digest} has config media type ${q(manifest.config.mediaType)}, not an image config`);
  }
  const config = await readDocument(dir, manifest.config, 'image-config');
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new BundleError(
      BundleErrorCode.InvalidDocument,
      `manifest ${desc.digest} has ${manifest.layers.length} layers but its config lists ${config.rootfs.diff_ids.length} diff_ids`,
      { ref: BundleSpecRef.DiffIds },
    );
  }
  return { manifest, config };
}

/** The members of a blob that tell a manifest or index apart, when it is one. */
export interface SniffedDocument {
  /** The blob's descriptor: its own `mediaType` (else an index or manifest by its shape), digest, and size on disk. */
  descriptor: Descriptor;
  /** Its `subject`, as found (unchecked): a referrer names what it refers to here. */
  subject?: { digest?: unknown };
  /** Its `artifactType`, else its config's media type (what a referrers list reports), when a string. */
  artifactType?: string;
}

/**
 * What a blob named only by its digest is, when it is a JSON document: its
 * descriptor (media type from its own `mediaType`, else an index when it has
 * `manifests` and a manifest otherwise) and its `subject`. Unverified: this
 * only decides what a blob is (a referrer for gc, a manifest to tag by
 * digest); whatever is then used is read verified through its descriptor.
 * Undefined for a blob that is absent, not a regular file, larger than a
 * manifest may be, or not a JSON object, and for a name that is no digest.
 */
export function sniffDocument(dir: string, digest: string): Promise<SniffedDocument | undefined> {
  // One small synchronous read; the answer arrives as a promise.
  return new Promise((resolve) => resolve(sniffNow(dir, digest)));
}

function sniffNow(dir: string, digest: string): SniffedDocument | undefined {
  let file: string;
  try {
    file = blobPath(dir, digest);
  } catch {
    return undefined; // gc lists whatever sits under blobs/, names that are no digest included
  }
  let bytes: Buffer;
  let doc: { mediaType?: unknown; subject?: { digest?: unknown }; manifests?: unknown; artifactType?: unknown; config?: { mediaType?: unknown } } | null;
  try {
    // Larger than a manifest may be, a FIFO, a symlink, gone, not JSON: not a document.
    bytes = readRegularFile(file, Limits.ManifestBytes, { followSymlinks: false });
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : Array.isArray(doc.manifests) ? MediaType.ImageIndex : MediaType.ImageManifest;
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : typeof doc.config?.mediaType === 'string' ? doc.config.mediaType : undefined;
  return {
    descriptor: { mediaType, digest, size: bytes.length },
    ...(doc.subject !== undefined && { subject: doc.subject }),
    ...(artifactType !== undefined && { artifactType }),
  };
}
