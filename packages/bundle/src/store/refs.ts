/**
 * References of a layout: index.json and the
 * `org.opencontainers.image.ref.name` annotations of its descriptors
 * (image-spec image-layout.md "index.json file"). Every change is made
 * under the index lock and lands by an atomic rename, so concurrent
 * writers both land and an interrupted write leaves the previous
 * index.json in place.
 */
import path from 'node:path';
import { isRefName, REF_NAME_RULE, type Descriptor, type ImageIndex } from '@ocikit/image-spec';
import { FileError, Limits, readRegularFile } from '@ocikit/validation';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { sweepScratch } from '../fs/scratch.js';
import { replaceFile } from './blobs.js';
import { Annotation, parseDocument } from './documents.js';
import { withLock } from './lock.js';

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

/**
 * Refuse a reference name the `org.opencontainers.image.ref.name` grammar
 * (image-spec annotations.md) does not allow: other tools could not name it
 * (skopeo refuses `oci:LAYOUT:bad/ref!` as an invalid image). Every writer
 * of a reference calls this before it writes anything.
 */
export function checkRefName(name: string): void {
  if (!isRefName(name)) {
    throw new BundleError(BundleErrorCode.InvalidRefName, `reference name ${q(name)} breaks the org.opencontainers.image.ref.name grammar: ${REF_NAME_RULE}`, { ref: BundleSpecRef.RefName });
  }
}

/** Point `name` at `desc` (replacing descriptors of that name); `name` must be a valid reference name. */
export async function setRef(dir: string, name: string, desc: Descriptor): Promise<void> {
  checkRefName(name);
  await updateIndex(dir, (index) => ({
    ...index,
    manifests: [...index.manifests.filter((d) => refName(d) !== name), { ...desc, annotations: { ...desc.annotations, [Annotation.RefName]: name } }],
  }));
}

/** Remove the descriptors named `name`; returns how many were removed. */
export async function removeRef(dir: string, name: string): Promise<number> {
  let removed = 0;
  await updateIndex(dir, (index) => {
    const kept = index.manifests.filter((d) => refName(d) !== name);
    removed = index.manifests.length - kept.length;
    return { ...index, manifests: kept };
  });
  return removed;
}
