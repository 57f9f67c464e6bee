/**
 * An OCI image layout on disk (image-spec image-layout.md): `oci-layout`,
 * `index.json` and `blobs/<alg>/<encoded>`. `Layout` is a facade over the
 * store's parts, each in its own file:
 *
 * - `blobs.ts`: verified streaming reads, atomic writes, listing;
 * - `documents.ts`: manifests, indexes and configs parsed by image-spec;
 * - `refs.ts` + `lock.ts`: index.json and its references, under a lock;
 * - `resolve.ts`: a reference to a manifest and config, choosing the platform;
 * - `gc.ts` + `referrers.ts`: removing unreachable blobs, keeping referrers;
 * - `list.ts`, `inspect.ts`: what `ocikit ls` and `ocikit inspect` show.
 */
import { scratchName, ScratchPurpose } from '../fs/scratch.js';
import { existsSync } from 'node:fs';
import { link, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MediaType, type Descriptor, type DocumentKind, type DocumentTypes, type ImageIndex } from '@ocikit/image-spec';
import { FileError, Limits, readRegularFile, type Limit } from '@ocikit/validation';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { makeDirectory } from '../fs/make-dir.js';
import { blobPath, hasBlob, isCode, listBlobs, openBlob, putBlob, readBlob, writeBlob, type PutBlobOptions } from './blobs.js';
import { readDocument, readImage, type ImageDocuments } from './documents.js';
import { gc, type GcOptions, type GcResult } from './gc.js';
import { inspectImage, type ImageInspection, type InspectOptions } from './inspect.js';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from './limits.js';
import { listImages, type ListedImage } from './list.js';
import { LOCK_TIMEOUT_MS, withLock } from './lock.js';
import { listReferrers } from './referrers.js';
import { findDescriptors, listRefs, readIndex, removeRef, setRef, tagRef, updateIndex, type RefTarget, type RemoveRefOptions } from './refs.js';
import { resolve, type ResolvedImage, type ResolveOptions } from './resolve.js';

export const LAYOUT_VERSION = '1.0.0';
export { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES };
export type { ResolveOptions, ResolvedImage };

export interface CreateLayoutOptions {
  /**
   * Whether a directory that holds other files may become a layout
   * (default true). False refuses it (`DIRECTORY_NOT_EMPTY`), as
   * `ocikit init` does; an existing layout is always opened.
   */
  adopt?: boolean;
}

export class Layout {
  private constructor(readonly dir: string) {}

  /** Open an existing layout; refuses a directory without a valid `oci-layout`. */
  static async open(dir: string): Promise<Layout> {
    const abs = path.resolve(dir);
    let text: string;
    try {
      const st = await stat(abs);
      if (!st.isDirectory()) throw new BundleError(BundleErrorCode.LayoutNotFound, `${q(dir)} is not a directory`);
      text = readRegularFile(path.join(abs, 'oci-layout'), Limits.ManifestBytes).toString('utf8');
    } catch (err) {
      if (err instanceof BundleError || err instanceof FileError) throw err;
      if (isCode(err, 'ENOENT')) {
        throw new BundleError(BundleErrorCode.LayoutNotFound, `${q(dir)} is not an OCI image layout (no oci-layout file)`, { cause: err, ref: BundleSpecRef.Layout });
      }
      throw new BundleError(BundleErrorCode.LayoutNotFound, `cannot read layout ${q(dir)}: ${(err as Error).message}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (cause) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `${q(path.join(dir, 'oci-layout'))} is not JSON`, { cause, ref: BundleSpecRef.Layout });
    }
    const version = (doc as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion;
    if (version !== LAYOUT_VERSION) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `oci-layout says imageLayoutVersion ${JSON.stringify(version)}, expected "${LAYOUT_VERSION}"`, { ref: BundleSpecRef.Layout });
    }
    return new Layout(abs);
  }

  /** Create a layout (or open the one already there). */
  static async create(dir: string, options: CreateLayoutOptions = {}): Promise<Layout> {
    const abs = path.resolve(dir);
    if (options.adopt === false) await refuseForeignFiles(dir, abs);
    makeDirectory(path.join(abs, 'blobs'));
    // Each file appears whole or not at all, and an existing one is never replaced; index.json
    // comes first, so that a layout whose oci-layout another process sees is complete.
    const index = `${JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [] })}\n`;
    const layoutFile = path.join(abs, 'oci-layout');
    // An oci-layout already there is checked before anything is written beside it.
    if (existsSync(layoutFile)) await Layout.open(abs);
    await createWhole(path.join(abs, 'index.json'), index);
    await createWhole(layoutFile, `${JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })}\n`);
    return Layout.open(abs);
  }

  /** `blobs/<alg>/<encoded>` for a digest, after checking the digest's grammar. */
  blobPath(digest: string): string {
    return blobPath(this.dir, digest);
  }

  /** The blob's content in chunks, verified against `desc` (the last chunk only after verification). */
  openBlob(desc: Descriptor): AsyncGenerator<Buffer> {
    return openBlob(this.dir, desc);
  }

  /** A whole (small) blob, verified; refused before reading when larger than `max` (bytes, or a limit from `Limits`). */
  readBlob(desc: Descriptor, max: number | Limit): Promise<Buffer> {
    return readBlob(this.dir, desc, max);
  }

  /** A whole blob parsed as JSON (no validation: for content that is not an image document). */
  async readJson(desc: Descriptor, max: number | Limit): Promise<unknown> {
    const bytes = await this.readBlob(desc, max);
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      throw new BundleError(BundleErrorCode.InvalidDocument, `blob ${desc.digest} is not valid JSON`, { cause });
    }
  }

  /**
   * Read a manifest, index or config blob (verified) and parse it with
   * @ocikit/image-spec; MUST-level findings refuse it, warnings never do.
   */
  readDocument<K extends DocumentKind>(desc: Descriptor, kind: K): Promise<DocumentTypes[K]> {
    return readDocument(this.dir, desc, kind);
  }

  /** The image manifest `desc` names and its config, validated as unpack and pack both need them. */
  readImage(desc: Descriptor): Promise<ImageDocuments> {
    return readImage(this.dir, desc);
  }

  /** Write content as a blob (temp file, fsync, rename); returns its descriptor fields. */
  writeBlob(content: Uint8Array | AsyncIterable<Uint8Array>, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<{ digest: string; size: number }> {
    return writeBlob(this.dir, content, algorithm);
  }

  /**
   * Write a blob known by its descriptor, verified while written: only
   * content of exactly that size and digest lands (by rename); anything else
   * is a DigestError and leaves nothing behind.
   */
  putBlob(desc: Descriptor, content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: PutBlobOptions): Promise<void> {
    return putBlob(this.dir, desc, content, options);
  }

  /** Whether a blob with this digest is in the store (present, not verified). */
  hasBlob(digest: string): boolean {
    return hasBlob(this.dir, digest);
  }

  /**
   * The descriptors a reference selects: for a name, those of index.json that
   * carry it (one per platform when a name has several); for a digest, the
   * one of index.json, else the blob read verified as a manifest or index.
   * Empty when nothing answers.
   */
  async descriptors(target: RefTarget): Promise<Descriptor[]> {
    return findDescriptors(this.dir, await readIndex(this.dir), target);
  }

  /** Every referrer (a manifest or index with a `subject`) in the store, by subject digest. */
  referrers(): Promise<Map<string, Descriptor[]>> {
    return listReferrers(this.dir);
  }

  /** Write a JSON document as a blob and return its descriptor. */
  async writeJson(doc: unknown, mediaType: string): Promise<Descriptor> {
    const { digest, size } = await this.writeBlob(Buffer.from(JSON.stringify(doc)));
    return { mediaType, digest, size };
  }

  /** Every blob digest in the store. */
  listBlobs(): Promise<string[]> {
    return listBlobs(this.dir);
  }

  readIndex(): Promise<ImageIndex> {
    return readIndex(this.dir);
  }

  /** Change index.json under the lock: `change` gets the current index and returns the new one. */
  updateIndex(change: (index: ImageIndex) => ImageIndex | Promise<ImageIndex>): Promise<ImageIndex> {
    return updateIndex(this.dir, change);
  }

  /** Run `fn` holding the layout's lock (see lock.ts). */
  withLock<T>(fn: () => Promise<T>, timeoutMs = LOCK_TIMEOUT_MS): Promise<T> {
    return withLock(this.dir, fn, timeoutMs);
  }

  /** Names given by `org.opencontainers.image.ref.name` in index.json. */
  listRefs(): Promise<{ name: string; descriptor: Descriptor }[]> {
    return listRefs(this.dir);
  }

  /** Point `name` at `desc` (replacing descriptors of that name); refuses a name the ref.name grammar does not allow (INVALID_REF_NAME). */
  setRef(name: string, desc: Descriptor): Promise<void> {
    return setRef(this.dir, name, desc);
  }

  /** Point the name `to` at what `from` (a name or `{ digest }`) selects, as `crane tag`; returns the descriptors written. */
  tag(from: RefTarget, to: string): Promise<Descriptor[]> {
    return tagRef(this.dir, from, to);
  }

  /** Remove the descriptors a name (or `{ digest }`) selects; returns how many were removed. */
  removeRef(target: RefTarget, options: RemoveRefOptions = {}): Promise<number> {
    return removeRef(this.dir, target, options);
  }

  /** Resolve a reference (a name or `{ digest }`) to an image manifest and config, through nested indexes, choosing the platform. */
  resolve(ref: RefTarget, options: ResolveOptions = {}): Promise<ResolvedImage> {
    return resolve(this.dir, ref, options);
  }

  /** Every image: the descriptors of index.json and the manifests of each index, with platforms and sizes. */
  listImages(): Promise<ListedImage[]> {
    return listImages(this.dir);
  }

  /** The image a reference names, described as `skopeo inspect` does. */
  inspect(ref: RefTarget, options: InspectOptions = {}): Promise<ImageInspection> {
    return inspectImage(this.dir, ref, options);
  }

  /** Remove blobs nothing reachable refers to (referrers of reachable content kept, young blobs spared) and dead writers' scratch. */
  gc(options: GcOptions = {}): Promise<GcResult> {
    return gc(this.dir, options);
  }
}

/** Refuse to make a layout of a directory that holds files and is not one. */
async function refuseForeignFiles(dir: string, abs: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(abs);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return;
    if (isCode(err, 'ENOTDIR')) throw new BundleError(BundleErrorCode.LayoutNotFound, `${q(dir)} is not a directory`, { cause: err });
    throw err;
  }
  if (names.length > 0 && !names.includes('oci-layout')) {
    throw new BundleError(BundleErrorCode.DirectoryNotEmpty, `${q(dir)} is not empty and is not an OCI image layout (no oci-layout file); refusing to make it one`, {
      ref: BundleSpecRef.Layout,
    });
  }
}

/** Write `file` with `text` unless it exists: a temp file hard-linked into place (link(2) never replaces), then unlinked. */
async function createWhole(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), scratchName(ScratchPurpose.Temp));
  await writeFile(tmp, text, { flag: 'wx' });
  try {
    await link(tmp, file);
  } catch (err) {
    if (!isCode(err, 'EEXIST')) throw err;
  } finally {
    await unlink(tmp);
  }
}
