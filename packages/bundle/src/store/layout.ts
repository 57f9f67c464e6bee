/**
 * An OCI image layout on disk (image-spec image-layout.md): `oci-layout`,
 * `index.json` and `blobs/<alg>/<encoded>`.
 *
 * - Every blob read is verified while it streams: size first (against the
 *   file, then while reading) and digest at the end, so a consumer never
 *   sees a byte past a mismatch without an error at the end of the stream.
 * - Blob writes go to a temp file inside the layout, then rename.
 * - index.json updates are serialised by a lock file and replaced by rename,
 *   so concurrent writers both land and an interrupted write leaves the
 *   previous index.json in place.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatPlatform, hostPlatform, matchPlatform, normalizePlatform, parsePlatform, validate, type Descriptor, type DocumentKind, type PlatformSpec } from '@ocikit/image-spec';
import { createDigester, DigestMismatchError, parseSupportedDigest, SizeMismatchError } from '@ocikit/digest';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import {
  Annotation,
  checkConfig,
  checkDescriptor,
  checkIndex,
  checkManifest,
  CONFIG_TYPES,
  DocMediaType,
  INDEX_TYPES,
  MANIFEST_TYPES,
  type ConfigDoc,
  type IndexDoc,
  type ManifestDoc,
} from './documents.js';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from './limits.js';

export const LAYOUT_VERSION = '1.0.0';
export { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES };
const READ_CHUNK = 1 << 20;
const TMP_PREFIX = '.ocikit-tmp-';
const LOCK_NAME = 'index.json.lock';

export interface ResolveOptions {
  /** Wanted platform (`os/arch[/variant]` or an object); default the host's. */
  platform?: PlatformSpec | string;
  /** True when the platform was asked for explicitly (a config for another one is then refused). */
  strictPlatform?: boolean;
}

/** What a reference resolves to: a manifest and its config. */
export interface ResolvedImage {
  /** Descriptor of the image manifest (from index.json or a nested index). */
  descriptor: Descriptor;
  manifest: ManifestDoc;
  config: ConfigDoc;
  /** Descriptors walked from index.json down to the manifest. */
  path: Descriptor[];
}

function tmpName(): string {
  return `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Is `err` a Node error with this code? */
function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
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
      text = await readFile(path.join(abs, 'oci-layout'), 'utf8');
    } catch (err) {
      if (err instanceof BundleError) throw err;
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
  static async create(dir: string): Promise<Layout> {
    const abs = path.resolve(dir);
    await mkdir(path.join(abs, 'blobs'), { recursive: true });
    const layoutFile = path.join(abs, 'oci-layout');
    try {
      await writeFile(layoutFile, `${JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })}\n`, { flag: 'wx' });
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
    }
    const layout = await Layout.open(abs);
    try {
      await writeFile(path.join(abs, 'index.json'), `${JSON.stringify({ schemaVersion: 2, mediaType: DocMediaType.ImageIndex, manifests: [] })}\n`, { flag: 'wx' });
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
    }
    return layout;
  }

  /** `blobs/<alg>/<encoded>` for a digest, after checking the digest's grammar. */
  blobPath(digest: string): string {
    let parsed;
    try {
      parsed = parseSupportedDigest(digest);
    } catch (cause) {
      throw new BundleError(BundleErrorCode.InvalidDescriptor, `digest ${q(digest)} cannot name a blob`, { cause, ref: BundleSpecRef.Blobs });
    }
    // The grammar admits no "/" or "." runs that could leave blobs/<alg>/.
    return path.join(this.dir, 'blobs', parsed.algorithm, parsed.encoded);
  }

  async readIndex(): Promise<IndexDoc> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir, 'index.json'), 'utf8');
    } catch (cause) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `layout ${q(this.dir)} has no readable index.json`, { cause, ref: BundleSpecRef.IndexJson });
    }
    return checkIndex(parseJson(text, 'index.json'), 'index.json');
  }

  /**
   * The blob's content in chunks, verified: its size against the
   * descriptor before reading and while reading, its digest at the end.
   * The last chunk is yielded only after verification succeeds.
   */
  async *openBlob(desc: Descriptor): AsyncGenerator<Buffer> {
    checkDescriptor(desc, 'blob');
    const file = this.blobPath(desc.digest);
    const { algorithm } = parseSupportedDigest(desc.digest);
    let fd: number;
    try {
      // A blob is a file at exactly blobs/<alg>/<encoded>, never a symlink to elsewhere.
      fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (cause) {
      if (isCode(cause, 'ENOENT')) {
        throw new BundleError(BundleErrorCode.BlobNotFound, `blob ${desc.digest} is missing from the layout`, { cause, ref: BundleSpecRef.Blobs });
      }
      if (isCode(cause, 'ELOOP')) {
        throw new BundleError(BundleErrorCode.InvalidLayout, `blob ${desc.digest} is a symlink, not a file in the layout`, { cause, ref: BundleSpecRef.Blobs });
      }
      throw cause;
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw new BundleError(BundleErrorCode.InvalidLayout, `blob ${desc.digest} is not a regular file`, { ref: BundleSpecRef.Blobs });
    }
    if (st.size !== desc.size) {
      closeSync(fd);
      throw new SizeMismatchError(desc.size, st.size, { cause: new Error(`blob ${desc.digest}`) });
    }
    const digester = createDigester(algorithm);
    const stream = createReadStream('', { fd, highWaterMark: READ_CHUNK, autoClose: true });
    let held: Buffer | undefined;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        digester.update(chunk);
        if (digester.size > desc.size) throw new SizeMismatchError(desc.size, digester.size, { atLeast: true });
        if (held) yield held;
        held = chunk;
      }
    } finally {
      stream.destroy();
    }
    if (digester.size !== desc.size) throw new SizeMismatchError(desc.size, digester.size);
    const actual = digester.digest();
    if (actual !== desc.digest) throw new DigestMismatchError(desc.digest, actual);
    if (held) yield held;
  }

  /** A whole (small) blob, verified; refused before reading when larger than `max`. */
  async readBlob(desc: Descriptor, max: number): Promise<Buffer> {
    checkDescriptor(desc, 'blob');
    if (desc.size > max) {
      throw new BundleError(BundleErrorCode.InvalidDescriptor, `blob ${desc.digest} is ${desc.size} bytes, more than the ${max} bytes allowed for a ${desc.mediaType} document`);
    }
    const parts: Buffer[] = [];
    for await (const c of this.openBlob(desc)) parts.push(c);
    return Buffer.concat(parts);
  }

  async readJson(desc: Descriptor, max: number): Promise<unknown> {
    return parseJson((await this.readBlob(desc, max)).toString('utf8'), `blob ${desc.digest}`);
  }

  /** Write content as a blob (temp file, fsync, rename); returns its descriptor fields. */
  async writeBlob(content: Uint8Array | AsyncIterable<Uint8Array>, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<{ digest: string; size: number }> {
    const tmp = path.join(this.dir, tmpName());
    const digester = createDigester(algorithm);
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      const put = (b: Uint8Array): void => {
        digester.update(b);
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      };
      if (content instanceof Uint8Array) put(content);
      else for await (const c of content) put(c);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      await rm(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    const digest = digester.digest();
    const dest = this.blobPath(digest);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(tmp, dest);
    return { digest, size: digester.size };
  }

  /** Write a JSON document as a blob and return its descriptor. */
  async writeJson(doc: unknown, mediaType: string): Promise<Descriptor> {
    const { digest, size } = await this.writeBlob(Buffer.from(JSON.stringify(doc)));
    return { mediaType, digest, size };
  }

  /**
   * Change index.json under the lock: `change` gets the current index and
   * returns the new one; the file is replaced atomically.
   */
  async updateIndex(change: (index: IndexDoc) => IndexDoc | Promise<IndexDoc>): Promise<IndexDoc> {
    return this.withLock(async () => {
      const next = await change(await this.readIndex());
      checkIndex(next, 'new index.json');
      await this.#replace('index.json', `${JSON.stringify(next)}\n`);
      return next;
    });
  }

  async #replace(name: string, text: string): Promise<void> {
    const tmp = path.join(this.dir, tmpName());
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(tmp, path.join(this.dir, name));
  }

  /** Run `fn` holding `index.json.lock` (stale locks of dead processes are broken). */
  async withLock<T>(fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
    const lock = path.join(this.dir, LOCK_NAME);
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      try {
        await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (err) {
        if (!isCode(err, 'EEXIST')) throw err;
        const holder = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && !isAlive(holder)) {
          await unlink(lock).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline) throw new BundleError(BundleErrorCode.LockTimeout, `index.json of ${q(this.dir)} stayed locked for ${timeoutMs} ms (${LOCK_NAME})`);
        await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  /** Names given by `org.opencontainers.image.ref.name` in index.json. */
  async listRefs(): Promise<{ name: string; descriptor: Descriptor }[]> {
    const index = await this.readIndex();
    return index.manifests.flatMap((d) => {
      const name = d.annotations?.[Annotation.RefName];
      return name === undefined ? [] : [{ name, descriptor: d }];
    });
  }

  /** Point `name` at `desc` (replacing descriptors of that name). */
  async setRef(name: string, desc: Descriptor): Promise<void> {
    await this.updateIndex((index) => ({
      ...index,
      manifests: [
        ...index.manifests.filter((d) => d.annotations?.[Annotation.RefName] !== name),
        { ...desc, annotations: { ...desc.annotations, [Annotation.RefName]: name } },
      ],
    }));
  }

  /** Remove the descriptors named `name`; returns how many were removed. */
  async removeRef(name: string): Promise<number> {
    let removed = 0;
    await this.updateIndex((index) => {
      const kept = index.manifests.filter((d) => d.annotations?.[Annotation.RefName] !== name);
      removed = index.manifests.length - kept.length;
      return { ...index, manifests: kept };
    });
    return removed;
  }

  /**
   * Resolve a reference (`ref.name` annotation in index.json) to an image
   * manifest, descending through nested indexes and choosing the platform.
   */
  async resolve(ref: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const wanted = normalizePlatform(typeof options.platform === 'string' ? parsePlatformArg(options.platform) : (options.platform ?? hostPlatform()));
    const index = await this.readIndex();
    const named = index.manifests.filter((d) => d.annotations?.[Annotation.RefName] === ref);
    if (named.length === 0) {
      const known = index.manifests.map((d) => d.annotations?.[Annotation.RefName]).filter((n): n is string => n !== undefined);
      throw new BundleError(BundleErrorCode.RefNotFound, `no image named ${q(ref)} in ${q(this.dir)} (names: ${known.length ? known.map(q).join(', ') : 'none'})`, {
        ref: BundleSpecRef.IndexJson,
      });
    }
    let desc = this.#choose(named, wanted, `reference ${q(ref)}`);
    const walked: Descriptor[] = [desc];
    for (let depth = 0; INDEX_TYPES.includes(desc.mediaType); depth++) {
      if (depth >= 8) throw new BundleError(BundleErrorCode.InvalidDocument, `reference ${q(ref)}: indexes nested more than 8 deep`);
      const nested = checkIndex(await this.readDocument(desc, desc.mediaType === DocMediaType.ImageIndex ? 'image-index' : 'docker-manifest-list'), `index ${desc.digest}`);
      checkMediaType(nested.mediaType, desc, 'index');
      desc = this.#choose(nested.manifests, wanted, `index ${desc.digest}`);
      walked.push(desc);
    }
    if (!MANIFEST_TYPES.includes(desc.mediaType)) {
      throw new BundleError(BundleErrorCode.UnsupportedMediaType, `reference ${q(ref)} names a ${q(desc.mediaType)}, not an image manifest or index`);
    }
    const manifest = checkManifest(await this.readDocument(desc, desc.mediaType === DocMediaType.ImageManifest ? 'image-manifest' : 'docker-manifest'), `manifest ${desc.digest}`);
    checkMediaType(manifest.mediaType, desc, 'manifest');
    if (!CONFIG_TYPES.includes(manifest.config.mediaType)) {
      throw new BundleError(BundleErrorCode.UnsupportedMediaType, `manifest ${desc.digest} has config media type ${q(manifest.config.mediaType)}, not an image config`);
    }
    const config = checkConfig(await this.readDocument(manifest.config, 'image-config'), `config ${manifest.config.digest}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) {
      throw new BundleError(
        BundleErrorCode.InvalidDocument,
        `manifest ${desc.digest} has ${manifest.layers.length} layers but its config lists ${config.rootfs.diff_ids.length} diff_ids`,
        { ref: BundleSpecRef.DiffIds },
      );
    }
    const configPlatform: PlatformSpec = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
    if (options.strictPlatform && matchPlatform({ manifests: [{ platform: configPlatform }] }, wanted) === undefined) {
      throw new BundleError(BundleErrorCode.NoMatchingPlatform, `image ${q(ref)} is for ${config.os}/${config.architecture}, not ${formatPlatform(wanted)}`);
    }
    return { descriptor: desc, manifest, config, path: walked };
  }

  /**
   * One descriptor among `candidates`: the only one, or the best for the
   * platform (image-spec's matchPlatform: exact first, then older variants).
   */
  #choose(candidates: Descriptor[], wanted: PlatformSpec, what: string): Descriptor {
    if (candidates.length === 1 && candidates[0]!.platform === undefined) return candidates[0]!;
    const match = matchPlatform({ manifests: candidates }, wanted);
    if (match !== undefined) return match;
    const unlabelled = candidates.filter((d) => d.platform === undefined);
    if (unlabelled.length === 1) return unlabelled[0]!;
    if (unlabelled.length > 1) {
      throw new BundleError(BundleErrorCode.AmbiguousRef, `${what} matches ${unlabelled.length} manifests that name no platform`);
    }
    const offered = candidates.map((d) => (d.platform ? formatPlatform(d.platform) : '?')).join(', ');
    throw new BundleError(BundleErrorCode.NoMatchingPlatform, `${what} has no manifest for ${formatPlatform(wanted)} (offers ${offered})`);
  }

  /**
   * Read a manifest, index or config blob (verified) and validate it with
   * @ocikit/image-spec; MUST-level findings refuse it.
   */
  async readDocument(desc: Descriptor, kind: DocumentKind): Promise<unknown> {
    const bytes = await this.readBlob(desc, kind === 'image-config' ? MAX_CONFIG_BYTES : MAX_MANIFEST_BYTES);
    const result = validate(kind, bytes);
    if (!result.valid) {
      const first = result.errors[0]!;
      throw new BundleError(
        BundleErrorCode.InvalidDocument,
        `${kind} ${desc.digest} is invalid: ${first.path || '/'}: ${first.message}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ''}`,
        { ref: first.ref },
      );
    }
    return JSON.parse(bytes.toString('utf8')) as unknown;
  }

  /** Every blob digest in the store. */
  async listBlobs(): Promise<string[]> {
    const out: string[] = [];
    const blobs = path.join(this.dir, 'blobs');
    for (const alg of await readdir(blobs).catch(() => [] as string[])) {
      for (const enc of await readdir(path.join(blobs, alg)).catch(() => [] as string[])) out.push(`${alg}:${enc}`);
    }
    return out;
  }

  /**
   * Remove blobs nothing reachable from index.json refers to. Manifests
   * whose `subject` is reachable (referrers: signatures, SBOMs) are kept,
   * with everything they refer to. Returns the removed digests.
   */
  async gc(): Promise<string[]> {
    return this.withLock(async () => {
      const reached = new Set<string>();
      const walk = async (d: Descriptor): Promise<void> => {
        if (reached.has(d.digest)) return;
        reached.add(d.digest);
        if (INDEX_TYPES.includes(d.mediaType)) {
          const idx = checkIndex(await this.readJson(d, MAX_MANIFEST_BYTES), `index ${d.digest}`);
          for (const m of idx.manifests) await walk(m);
          const subject = (idx as { subject?: unknown }).subject;
          if (subject !== undefined) await walk(checkDescriptor(subject, `index ${d.digest} subject`));
        } else if (MANIFEST_TYPES.includes(d.mediaType)) {
          const m = checkManifest(await this.readJson(d, MAX_MANIFEST_BYTES), `manifest ${d.digest}`);
          await walk(m.config);
          for (const l of m.layers) await walk(l);
          if (m.subject) await walk(m.subject);
        }
      };
      for (const d of (await this.readIndex()).manifests) await walk(d);
      const all = await this.listBlobs();
      // Referrers: unreached documents whose subject is reached, to a fixed point.
      for (let changed = true; changed; ) {
        changed = false;
        for (const digest of all) {
          if (reached.has(digest)) continue;
          const referrer = await this.#asReferrer(digest);
          if (referrer && reached.has(referrer.subject)) {
            await walk(referrer.descriptor);
            changed = true;
          }
        }
      }
      const removed: string[] = [];
      for (const digest of all) {
        if (reached.has(digest)) continue;
        await rm(path.join(this.dir, 'blobs', ...digest.split(':')), { force: true, recursive: true });
        removed.push(digest);
      }
      for (const name of await readdir(this.dir)) if (name.startsWith(TMP_PREFIX)) await rm(path.join(this.dir, name), { force: true, recursive: true });
      return removed;
    });
  }

  /** If the blob is a manifest or index with a subject, its descriptor and subject digest. */
  async #asReferrer(digest: string): Promise<{ descriptor: Descriptor; subject: string } | undefined> {
    const file = path.join(this.dir, 'blobs', ...digest.split(':'));
    const st = await lstat(file).catch(() => undefined);
    if (!st?.isFile() || st.size > MAX_MANIFEST_BYTES) return undefined;
    let doc: { mediaType?: unknown; subject?: { digest?: unknown }; manifests?: unknown; layers?: unknown };
    try {
      doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
    } catch {
      return undefined;
    }
    const subject = doc?.subject?.digest;
    if (typeof subject !== 'string') return undefined;
    const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : Array.isArray(doc.manifests) ? DocMediaType.ImageIndex : DocMediaType.ImageManifest;
    return { descriptor: { mediaType, digest, size: st.size }, subject };
  }
}

function parsePlatformArg(text: string): PlatformSpec {
  try {
    return parsePlatform(text);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.NoMatchingPlatform, `platform ${q(text)} is not os/arch[/variant]`, { cause });
  }
}

function checkMediaType(inDoc: string | undefined, desc: Descriptor, what: string): void {
  // image-spec: the document's mediaType, when present, must match its descriptor.
  if (inDoc !== undefined && inDoc !== desc.mediaType) {
    throw new BundleError(BundleErrorCode.MediaTypeMismatch, `${what} ${desc.digest} says mediaType ${q(inDoc)} but its descriptor says ${q(desc.mediaType)}`, {
      ref: BundleSpecRef.Descriptor,
    });
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidDocument, `${what} is not valid JSON`, { cause });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isCode(err, 'EPERM');
  }
}

