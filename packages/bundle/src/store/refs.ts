/**
 * References of a layout: index.json and the
 * `org.opencontainers.image.ref.name` annotations of its descriptors
 * (image-spec image-layout.md "index.json file"). Every change is made
 * under the index lock and lands by an atomic rename, so concurrent
 * writers both land and an interrupted write leaves the previous
 * index.json in place.
 */
import path from 'node:path';
import { isRefName, REF_NAME_GRAMMAR, type Descriptor, type ImageIndex } from '@ocikit/image-spec';
import { FileError, Limits, readRegularFile } from '@ocikit/validation';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { sweepScratch } from '../fs/scratch.js';
import { replaceFile } from './blobs.js';
import { Annotation, INDEX_TYPES, indexKind, MANIFEST_TYPES, manifestKind, parseDocument, readDocument, sniffDocument } from './documents.js';
import { withLock } from './lock.js';

/**
 * What a reference selects: a name (the descriptors of index.json carrying
 * it), or a manifest or index by digest. A digest is an object because a
 * name may look like one (`sha256:abc` fits the ref.name grammar).
 */
export type RefTarget = string | { readonly digest: string };

/** `"v1"` or `sha256:…`, for messages. */
export function showTarget(target: RefTarget): string {
  return typeof target === 'string' ? q(target) : target.digest;
}

/**
 * index.json of the layout at `dir`, parsed by image-spec: a regular file
 * of at most MAX_MANIFEST_BYTES, as `validate` reads it (a FIFO or a larger
 * file is a FileError naming it).
 */
export function readIndex(dir: string): Promise<ImageIndex> {
  // Read synchronously (one small file); failures arrive as rejections.
  return new Promise((resolve) => resolve(readIndexNow(dir)));
}

function readIndexNow(dir: string): ImageIndex {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path.join(dir, 'index.json'), Limits.ManifestBytes);
  } catch (cause) {
    if (cause instanceof FileError) throw cause;
    throw new BundleError(BundleErrorCode.InvalidLayout, `layout ${q(dir)} has no readable index.json`, { cause, ref: BundleSpecRef.IndexJson });
  }
  return parseDocument('image-index', bytes, 'index.json');
}

/**
 * Change index.json under the lock: `change` gets the current index and
 * returns the new one, which must be a valid index; the file is replaced
 * atomically.
 */
export async function updateIndex(dir: string, change: (index: ImageIndex) => ImageIndex | Promise<ImageIndex>): Promise<ImageIndex> {
  return withLock(dir, async () => {
    // The writer that takes the lock clears what killed writers left.
    sweepScratch(dir);
    const next = await change(await readIndex(dir));
    parseDocument('image-index', next, 'new index.json');
    await replaceFile(dir, 'index.json', `${JSON.stringify(next)}\n`);
    return next;
  });
}

/** The reference name a descriptor of index.json carries, if any. */
export function refName(d: Descriptor): string | undefined {
  return d.annotations?.[Annotation.RefName];
}

/** Names given by `org.opencontainers.image.ref.name` in index.json. */
export async function listRefs(dir: string): Promise<{ name: string; descriptor: Descriptor }[]> {
  const index = await readIndex(dir);
  return index.manifests.flatMap((d) => {
    const name = refName(d);
    return name === undefined ? [] : [{ name, descriptor: d }];
  });
}

/** Whether a descriptor of index.json is one `target` selects. */
function selects(d: Descriptor, target: RefTarget): boolean {
  return typeof target === 'string' ? refName(d) === target : d.digest === target.digest;
}

/** The error for a target that selects nothing, naming what the layout offers. */
export function refNotFound(dir: string, target: RefTarget, index: ImageIndex): BundleError {
  if (typeof target !== 'string') {
    return new BundleError(BundleErrorCode.RefNotFound, `no manifest or index ${target.digest} in ${q(dir)}`, { ref: BundleSpecRef.Blobs });
  }
  const known = index.manifests.map(refName).filter((n): n is string => n !== undefined);
  return new BundleError(BundleErrorCode.RefNotFound, `no image named ${q(target)} in ${q(dir)} (names: ${known.length ? known.map(q).join(', ') : 'none'})`, {
    ref: BundleSpecRef.IndexJson,
  });
}

/**
 * The descriptors `target` selects: for a name, those of index.json that
 * carry it; for a digest, the first of index.json with it, else the blob
 * itself when it is a manifest or index (a platform's manifest inside an
 * index, a referrer). Empty when nothing answers.
 */
export async function findDescriptors(dir: string, index: ImageIndex, target: RefTarget): Promise<Descriptor[]> {
  const listed = index.manifests.filter((d) => selects(d, target));
  if (typeof target === 'string') return listed;
  if (listed.length > 0) return [listed[0]!];
  const sniffed = (await sniffDocument(dir, target.digest))?.descriptor;
  if (sniffed === undefined) return [];
  const { mediaType } = sniffed;
  if (INDEX_TYPES.includes(mediaType)) await readDocument(dir, sniffed, indexKind(mediaType));
  else if (MANIFEST_TYPES.includes(mediaType)) await readDocument(dir, sniffed, manifestKind(mediaType));
  else return [];
  // Named by nothing in index.json, and now read verified as the document its media type says.
  return [sniffed];
}

/** Refuse a reference name to write that breaks the grammar of annotations.md. */
export function checkRefName(name: string): void {
  if (!isRefName(name)) {
    throw new BundleError(BundleErrorCode.InvalidRefName, `reference name ${q(name)} is not an org.opencontainers.image.ref.name: expected ${REF_NAME_GRAMMAR}`, {
      ref: BundleSpecRef.RefName,
    });
  }
}

/** Point `name` at `desc` (replacing descriptors of that name). */
export async function setRef(dir: string, name: string, desc: Descriptor): Promise<void> {
  checkRefName(name);
  await updateIndex(dir, (index) => ({
    ...index,
    manifests: [...index.manifests.filter((d) => refName(d) !== name), { ...desc, annotations: { ...desc.annotations, [Annotation.RefName]: name } }],
  }));
}

/**
 * Point the name `to` at what `from` selects (as `crane tag`): every
 * descriptor of that name (one per platform, when a name has several), or
 * the manifest or index with that digest. Descriptors already named `to` are
 * replaced; `to` must fit the ref.name grammar, else nothing is written.
 * Returns the descriptors written.
 */
export async function tagRef(dir: string, from: RefTarget, to: string): Promise<Descriptor[]> {
  checkRefName(to);
  let tagged: Descriptor[] = [];
  await updateIndex(dir, async (index) => {
    const sources = await findDescriptors(dir, index, from);
    if (sources.length === 0) throw refNotFound(dir, from, index);
    tagged = sources.map((d) => ({ ...d, annotations: { ...d.annotations, [Annotation.RefName]: to } }));
    return { ...index, manifests: [...index.manifests.filter((d) => refName(d) !== to), ...tagged] };
  });
  return tagged;
}

export interface RemoveRefOptions {
  /** Refuse (REF_NOT_FOUND, nothing written) when nothing is selected. */
  mustExist?: boolean;
}

/**
 * Remove the descriptors of index.json that `target` selects (by name, or
 * every one with a digest); returns how many were removed. Blobs stay until gc.
 */
export async function removeRef(dir: string, target: RefTarget, options: RemoveRefOptions = {}): Promise<number> {
  let removed = 0;
  await updateIndex(dir, (index) => {
    const kept = index.manifests.filter((d) => !selects(d, target));
    removed = index.manifests.length - kept.length;
    if (removed === 0 && options.mustExist) throw refNotFound(dir, target, index);
    return { ...index, manifests: kept };
  });
  return removed;
}
