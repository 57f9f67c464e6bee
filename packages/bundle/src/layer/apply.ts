/**
 * Applying layer changesets to a rootfs (image-spec layer.md), every path
 * through the confinement module.
 *
 * - Whiteouts `.wh.<name>` remove `<name>` from lower layers; the opaque
 *   whiteout `.wh..wh..opq` removes every lower-layer child of its
 *   directory; entries of the same layer are never hidden by its whiteouts.
 *   A bare `.wh.`, `.wh..` or `.wh...` names nothing valid and is refused.
 * - A later entry replaces an earlier one (duplicates: last wins); a
 *   directory entry over an existing directory merges and updates metadata;
 *   anything else replaces what is there, directories included.
 * - Entry names and hardlink targets are normalised by normalizeEntryName
 *   (a leading `/` or `./` is dropped, `..` refused); symlinks keep their
 *   exact target.
 * - Refusals name no layer or entry: extractLayer places them (inLayer).
 * - Ownership is applied as root; with `rootless` files stay the caller's.
 * - Directory modification times are set once all layers are applied.
 */
import { spawnSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { chmodSync, closeSync, fchmodSync, fchownSync, fstatSync, futimesSync, lchownSync, lutimesSync, writeSync } from 'node:fs';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import type { ConfinedRoot } from '../fs/confine.js';
import { loadXattr } from '../fs/xattr.js';
import { TarEntryType, type TarEntry, type TarHandler } from '../tar/reader.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export interface ApplyOptions {
  /** Do not chown (the caller owns everything); devices are skipped. */
  rootless?: boolean;
  /** Told about everything skipped (devices without privilege, xattrs refused). */
  warn?: (message: string) => void;
}

interface DirMeta {
  mode: number;
  atime: number;
  mtime: number;
}

/**
 * Normalise a tar entry name (or a hardlink's target, also a name in the
 * archive) to a relative path with no `.` or `..`, the one place this rule
 * lives. layer.md ("Populate Initial Filesystem") archives names relative to
 * the root, as `./etc/...` or `etc/...`; what tools do with other forms,
 * verified against each:
 *
 * - leading `/` (any number, e.g. `/etc/passwd`, `//etc`; GNU tar -P writes
 *   them, umoci 0.4.7 `insert ... /` writes an entry named `/`): stripped.
 *   GNU tar strips them ("Removing leading `/' from member names", and from
 *   hard link targets), umoci's CleanPath and containerd's fs.RootPath
 *   resolve them inside the root. See {@link isAbsoluteEntryName}.
 * - `./`, `.//`, `.` components and empty components: dropped; `./`, `/` and
 *   `.` name the root itself (returned as '').
 * - a trailing `/`: dropped (directories carry their type in the header).
 * - `..` components: refused, as GNU tar refuses them ("Member name contains
 *   '..'"). umoci and containerd clamp them lexically at the root instead;
 *   a layer that needs `..` is broken or hostile, so we do not guess.
 *
 * Symlink targets are link contents, not names: never pass them here.
 * `what` names the string in the message (default: the entry's own name).
 */
export function normalizeEntryName(name: string, what?: string): string {
  const parts: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      throw new BundleError(BundleErrorCode.PathEscape, `${what === undefined ? 'the name' : `${what} ${q(name)}`} has a ".." component, which could climb out of the root`, {
        ref: BundleSpecRef.Changesets,
        ...(what === undefined && { entry: name }),
      });
    }
    parts.push(c);
  }
  return parts.join('/');
}

/**
 * An absolute name (leading `/`): {@link normalizeEntryName} resolves it
 * inside the root, as GNU tar, umoci and containerd do, but layer.md builds
 * layers from paths relative to the root, so `validate --deep` warns.
 */
export function isAbsoluteEntryName(name: string): boolean {
  return name.startsWith('/');
}

function splitName(path: string): [string, string] {
  const i = path.lastIndexOf('/');
  return i < 0 ? ['', path] : [path.slice(0, i), path.slice(i + 1)];
}

/** Writes layers, one after another, into one rootfs. */
export class RootfsWriter {
  readonly #root: ConfinedRoot;
  readonly #rootless: boolean;
  readonly #warn: (m: string) => void;
  /** Paths (normalised names) this layer has written, and their ancestors. */
  #layerPaths = new Set<string>();
  /** Final metadata of every directory, keyed by resolved key, set at the end. */
  readonly #dirMeta = new Map<string, DirMeta>();
  /**
   * sha256 (hex) of every regular file written, by inode: hardlinks share
   * it, and an inode reused after a removal is rewritten before it is read.
   */
  readonly #digests = new Map<number, string>();
  #fd = -1;
  #hash: Hash | undefined;
  #entry: TarEntry | undefined;
  #host = '';
  #warnings = 0;

  constructor(root: ConfinedRoot, options: ApplyOptions = {}) {
    this.#root = root;
    this.#rootless = options.rootless ?? false;
    this.#warn = options.warn ?? (() => {});
    root.onRemoveDir = (key) => this.#forget(key);
  }

  get root(): ConfinedRoot {
    return this.#root;
  }

  /** Number of warnings given. */
  get warnings(): number {
    return this.#warnings;
  }

  /** Content digests (hex sha256) of regular files written, by inode number. */
  get digests(): ReadonlyMap<number, string> {
    return this.#digests;
  }

  #warning(m: string): void {
    this.#warnings++;
    this.#warn(m);
  }

  /** A directory was removed: its metadata (and its subdirectories') must not be re-applied. */
  #forget(key: string): void {
    this.#dirMeta.delete(key);
    const prefix = `${key}/`;
    for (const k of this.#dirMeta.keys()) if (k.startsWith(prefix)) this.#dirMeta.delete(k);
  }

  /** Start the next layer: its whiteouts apply only to what is there now. */
  beginLayer(): TarHandler {
    this.#layerPaths = new Set();
    return {
      entry: (e) => this.#onEntry(e),
      data: (chunk) => this.#onData(chunk),
      end: () => this.#onEnd(),
    };
  }

  #markLayerPath(path: string): void {
    let p = path;
    while (p !== '' && !this.#layerPaths.has(p)) {
      this.#layerPaths.add(p);
      const i = p.lastIndexOf('/');
      p = i < 0 ? '' : p.slice(0, i);
    }
  }

  #onEntry(e: TarEntry): void {
    const path = normalizeEntryName(e.name);
    const [parent, base] = splitName(path);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      this.#whiteout(e, path, parent, base);
      return;
    }
    this.#entry = e;
    if (path === '') {
      // "./": metadata for the rootfs itself.
      if (e.type !== TarEntryType.Directory) throw new BundleError(BundleErrorCode.InvalidPath, `names the root but is a ${e.type}, not a directory`);
      this.#dirMeta.set('', { mode: e.mode, atime: e.atime ?? e.mtime, mtime: e.mtime });
      if (!this.#rootless) lchownSync(this.#root.root, e.uid, e.gid);
      chmodSync(this.#root.root, this.#rootless ? e.mode | 0o700 : e.mode);
      return;
    }
    this.#markLayerPath(path);
    switch (e.type) {
      case TarEntryType.File: {
        const { fd, host } = this.#root.create(path);
        this.#fd = fd;
        this.#host = host;
        this.#hash = createHash('sha256');
        return;
      }
      case TarEntryType.Directory: {
        const host = this.#root.mkdir(path);
        if (!this.#rootless) lchownSync(host, e.uid, e.gid);
        chmodSync(host, this.#rootless ? e.mode | 0o700 : e.mode);
        this.#dirMeta.set(this.#root.keyOf(host), { mode: e.mode, atime: e.atime ?? e.mtime, mtime: e.mtime });
        this.#xattrs(host, e);
        return;
      }
      case TarEntryType.Symlink: {
        const host = this.#root.symlink(e.linkname, path);
        if (!this.#rootless) lchownSync(host, e.uid, e.gid);
        this.#xattrs(host, e);
        lutimesSync(host, e.atime ?? e.mtime, e.mtime);
        return;
      }
      case TarEntryType.Hardlink: {
        const target = normalizeEntryName(e.linkname, 'hardlink target');
        if (target === '') throw new BundleError(BundleErrorCode.InvalidLink, `hardlink target ${q(e.linkname)} names the root`, { ref: BundleSpecRef.Hardlinks });
        this.#root.link(target, path);
        return;
      }
      case TarEntryType.CharDevice:
      case TarEntryType.BlockDevice:
      case TarEntryType.Fifo:
        this.#special(e, path);
        return;
    }
  }

  #special(e: TarEntry, path: string): void {
    if (this.#rootless && e.type !== TarEntryType.Fifo) {
      this.#warning(`skipped ${e.type} ${q(e.name)}: device nodes need privilege (--rootless)`);
      return;
    }
    const host = this.#root.prepare(path, false).host;
    const mode = (e.mode & 0o777).toString(8);
    const args =
      e.type === TarEntryType.Fifo
        ? ['mkfifo', '-m', mode, '--', host]
        : ['mknod', '-m', mode, '--', host, e.type === TarEntryType.CharDevice ? 'c' : 'b', String(e.devmajor), String(e.devminor)];
    const r = spawnSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) {
      this.#warning(`skipped ${e.type} ${q(e.name)}: ${String(r.stderr).trim() || (r.error?.message ?? 'not permitted')}`);
      return;
    }
    if (!this.#rootless) lchownSync(host, e.uid, e.gid);
    chmodSync(host, e.mode);
    this.#xattrs(host, e);
    lutimesSync(host, e.atime ?? e.mtime, e.mtime);
  }

  #onData(chunk: Buffer): void {
    this.#hash!.update(chunk);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.#fd, chunk, off, chunk.length - off);
  }

  #onEnd(): void {
    const e = this.#entry;
    this.#entry = undefined;
    if (this.#fd < 0 || e === undefined) return;
    const fd = this.#fd;
    this.#fd = -1;
    try {
      // chown clears setuid/setgid, so the mode comes after; writing clears
      // security.capability, so xattrs come after the content.
      if (!this.#rootless) fchownSync(fd, e.uid, e.gid);
      fchmodSync(fd, e.mode);
      if (e.xattrs) this.#xattrs(this.#host, e);
      futimesSync(fd, e.atime ?? e.mtime, e.mtime);
      this.#digests.set(fstatSync(fd).ino, this.#hash!.digest('hex'));
    } finally {
      closeSync(fd);
    }
    this.#hash = undefined;
  }

  /** Abandon a half-written entry (after an error). */
  abort(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  #xattrs(host: string, e: TarEntry): void {
    if (!e.xattrs) return;
    const api = loadXattr();
    for (const [name, value] of e.xattrs) {
      try {
        if (api instanceof Error) throw api;
        api.setAttributeSync(host, name, value);
      } catch (err) {
        this.#warning(`skipped xattr ${name} on ${q(e.name)}: ${(err as Error).message}`);
      }
    }
  }

  #whiteout(e: TarEntry, path: string, parent: string, base: string): void {
    if (base === OPAQUE_WHITEOUT) {
      this.#opaque(parent);
      return;
    }
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name.startsWith(WHITEOUT_PREFIX)) {
      // `.wh..wh.*` other than the opaque marker: aufs bookkeeping, never a path.
      this.#warning(`ignored reserved whiteout entry ${q(e.name)}`);
      return;
    }
    if (name === '' || name === '.' || name === '..') {
      throw new BundleError(BundleErrorCode.PathEscape, `whiteout names no file`, { ref: BundleSpecRef.Whiteouts });
    }
    const victim = parent === '' ? name : `${parent}/${name}`;
    // Whiteouts hide lower layers only: what this layer wrote stays (for a
    // directory of this layer, its lower-layer contents still go).
    if (this.#layerPaths.has(victim)) this.#opaque(victim);
    else this.#root.remove(victim);
    void path;
  }

  /** Remove every lower-layer entry under `dir`, keeping this layer's (an explicit stack: the depth is the layer's to choose). */
  #opaque(dir: string): void {
    const pending = [dir];
    for (let d = pending.pop(); d !== undefined; d = pending.pop()) {
      const listing = this.#root.children(d);
      if (listing === undefined) continue;
      for (const name of listing.names) {
        const child = d === '' ? name : `${d}/${name}`;
        if (!this.#layerPaths.has(child)) this.#root.remove(child);
        else pending.push(child);
      }
    }
  }

  /** Set directory modes and times last, so that later writes do not disturb them. */
  finish(): void {
    const keys = [...this.#dirMeta.keys()].sort((a, b) => b.length - a.length);
    for (const key of keys) {
      const m = this.#dirMeta.get(key)!;
      const { host, stat } = this.#root.lstat(key);
      if (stat === undefined || !stat.isDirectory()) continue;
      if (this.#rootless) chmodSync(host, m.mode);
      lutimesSync(host, m.atime, m.mtime);
    }
  }
}
