/**
 * The one confinement module: every path into a rootfs (or any other tree we
 * write, such as an extracted oci-archive) is resolved here.
 *
 * Semantics (the same as umoci's secure join, so that trees match): a path is
 * read relative to the root as if the root were `/` in a chroot. It is walked
 * one component at a time with lstat; a symlink met on the way is expanded
 * *inside* the root (an absolute target restarts at the root, `..` never
 * climbs above it), so no path ever resolves outside the root, whatever
 * symlinks the tree holds. The last component is followed only when asked
 * (reading /etc/passwd); creating, replacing or removing an entry never
 * follows it, so a symlink is replaced, never written through.
 *
 * Writes are made with O_EXCL|O_NOFOLLOW after the old entry is removed.
 * The module assumes nobody else changes the tree while we work on it (the
 * unpack builds in a fresh private directory); it does not defend against a
 * concurrent attacker racing renames inside the root.
 */
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';

/** Linux's MAXSYMLINKS: more expansions than this in one walk is a loop. */
export const MAX_SYMLINKS = 40;

const O_CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

interface Walked {
  /** Components of the resolved path, each a real directory except perhaps the last. */
  stack: string[];
  /** lstat of the last component; undefined when it does not exist. */
  stat: Stats | undefined;
}

/** A directory tree in which every path is resolved without leaving it. */
export class ConfinedRoot {
  /** Absolute, symlink-free host path of the root. */
  readonly root: string;
  /** Resolved paths (relative to the root) known to be real directories. */
  readonly #dirs = new Set<string>();
  /** Told the resolved key of every directory removed (with its whole subtree). */
  onRemoveDir: ((key: string) => void) | undefined;

  constructor(root: string) {
    const real = realpathSync(root);
    if (!lstatSync(real).isDirectory()) {
      throw new BundleError(BundleErrorCode.InvalidPath, `confinement root ${q(root)} is not a directory`);
    }
    this.root = real;
  }

  /** The resolved key (path relative to the root, no symlinks) of a host path this module returned. */
  keyOf(host: string): string {
    return host === this.root ? '' : host.slice(this.root.length + 1);
  }

  /** Host path for components already resolved. */
  hostOf(stack: readonly string[]): string {
    return stack.length === 0 ? this.root : `${this.root}/${stack.join('/')}`;
  }

  /**
   * Walk `path` inside the root. Intermediate symlinks are expanded inside
   * the root; the last component is expanded only with `followLast`.
   * Missing intermediate directories are created (0755) with `create`.
   */
  #walk(path: string, create: boolean, followLast: boolean, notDirIsMissing = false): Walked {
    // Fast path: the parent is a directory we already verified (cached keys
    // are always plain, symlink-free paths) and the name is plain.
    const slash = path.lastIndexOf('/');
    if (slash > 0 && !followLast) {
      const parent = path.slice(0, slash);
      const name = path.slice(slash + 1);
      if (this.#dirs.has(parent) && isPlainName(name)) {
        const stack = parent.split('/');
        stack.push(name);
        return { stack, stat: lstatSync(`${this.root}/${path}`, { throwIfNoEntry: false }) };
      }
    }
    // `pending` holds components still to visit, last one first.
    const pending = path.split('/').reverse();
    const stack: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const c = pending.pop()!;
      if (c === '' || c === '.') {
        if (pending.length === 0 && stack.length > 0) break;
        continue;
      }
      if (c === '..') {
        stack.pop(); // never above the root: popping an empty stack does nothing
        continue;
      }
      stack.push(c);
      const last = pending.every((p) => p === '' || p === '.');
      const key = stack.join('/');
      if (!last && this.#dirs.has(key)) continue;
      const host = `${this.root}/${key}`;
      const st = lstatSync(host, { throwIfNoEntry: false });
      if (st === undefined) {
        if (last) return { stack, stat: undefined };
        if (!create) {
          // Nothing below a missing directory exists; keep the rest literal.
          for (let p = pending.pop(); p !== undefined; p = pending.pop()) {
            if (p === '..') stack.pop();
            else if (p !== '' && p !== '.') stack.push(p);
          }
          return { stack, stat: undefined };
        }
        mkdirSync(host, 0o755);
        this.#dirs.add(key);
        continue;
      }
      if (st.isSymbolicLink() && (!last || followLast)) {
        if (++links > MAX_SYMLINKS) {
          throw new BundleError(BundleErrorCode.SymlinkLoop, `too many levels of symlinks resolving ${q(path)} (more than ${MAX_SYMLINKS})`);
        }
        stack.pop();
        const target = readlinkSync(host);
        if (target.startsWith('/')) stack.length = 0;
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
        continue;
      }
      if (last) return { stack, stat: st };
      if (!st.isDirectory()) {
        // Removing "a/b" when "a" is a file: there is nothing to remove.
        if (notDirIsMissing) return { stack, stat: undefined };
        throw new BundleError(BundleErrorCode.InvalidPath, `cannot resolve ${q(path)}: ${q(key)} is not a directory`);
      }
      this.#dirs.add(key);
    }
    // The path named the root itself (empty, ".", "/", or ".." chains).
    return { stack, stat: stack.length === 0 ? lstatSync(this.root) : lstatSync(this.hostOf(stack)) };
  }

  /** Forget verified directories at or under `key` (after a removal). */
  #forget(key: string): void {
    if (key === '') {
      this.#dirs.clear();
      return;
    }
    const prefix = `${key}/`;
    for (const k of this.#dirs) if (k === key || k.startsWith(prefix)) this.#dirs.delete(k);
  }

  /** Host path `path` resolves to, following symlinks inside the root. */
  resolve(path: string): { host: string; stat: Stats | undefined } {
    const w = this.#walk(path, false, true);
    return { host: this.hostOf(w.stack), stat: w.stat };
  }

  /** lstat of `path` itself (the last component is not followed). */
  lstat(path: string): { host: string; stat: Stats | undefined } {
    const w = this.#walk(path, false, false);
    return { host: this.hostOf(w.stack), stat: w.stat };
  }

  /**
   * Make room for a new entry at `path`: create missing parents, and remove
   * what is there unless it is a directory and `keepDir` is set.
   * Returns the host path (valid until the tree changes again) and, when a
   * directory was kept, its stat.
   */
  prepare(path: string, keepDir: boolean): { host: string; key: string; kept: Stats | undefined } {
    const w = this.#walk(path, true, false);
    if (w.stack.length === 0) {
      throw new BundleError(BundleErrorCode.InvalidPath, `cannot replace the root with ${q(path)}`, { ref: BundleSpecRef.Changesets });
    }
    const key = w.stack.join('/');
    const host = `${this.root}/${key}`;
    if (w.stat === undefined) return { host, key, kept: undefined };
    if (w.stat.isDirectory()) {
      if (keepDir) {
        this.#dirs.add(key);
        return { host, key, kept: w.stat };
      }
      rmSync(host, { recursive: true, force: true });
      this.#forget(key);
      this.onRemoveDir?.(key);
    } else {
      unlinkSync(host);
    }
    return { host, key, kept: undefined };
  }

  /** Create a directory at `path` (parents too); an existing directory is kept. */
  mkdir(path: string, mode = 0o755): string {
    const p = this.prepare(path, true);
    if (p.kept === undefined) {
      mkdirSync(p.host, mode & 0o777);
      this.#dirs.add(p.key);
    }
    return p.host;
  }

  /** Create a new regular file at `path` (replacing what is there); returns its fd and host path. */
  create(path: string, mode = 0o600): { fd: number; host: string } {
    // Fast path: a plain name in a verified directory, where nothing exists
    // yet. O_EXCL|O_NOFOLLOW fails on anything already there (a symlink
    // included), and the slow path then replaces it.
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if ((slash < 0 || this.#dirs.has(parent)) && isPlainName(path.slice(slash + 1))) {
      const host = `${this.root}/${path}`;
      try {
        return { fd: openSync(host, O_CREATE_NEW, mode & 0o777), host };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const p = this.prepare(path, false);
    return { fd: openSync(p.host, O_CREATE_NEW, mode & 0o777), host: p.host };
  }

  /** Create a symlink at `path` with exactly `target` (never interpreted). */
  symlink(target: string, path: string): string {
    const p = this.prepare(path, false);
    symlinkSync(target, p.host);
    return p.host;
  }

  /**
   * Hardlink `path` to the existing entry `target`, both inside the root.
   * The target is resolved like any path (its last component not followed,
   * as link(2) does) and may not be a directory.
   */
  link(target: string, path: string): string {
    const t = this.#walk(target, false, false);
    if (t.stat === undefined) {
      throw new BundleError(BundleErrorCode.InvalidLink, `hardlink ${q(path)} names ${q(target)}, which does not exist`, { ref: BundleSpecRef.Hardlinks });
    }
    if (t.stat.isDirectory()) {
      throw new BundleError(BundleErrorCode.InvalidLink, `hardlink ${q(path)} names ${q(target)}, which is a directory`, { ref: BundleSpecRef.Hardlinks });
    }
    const targetHost = this.hostOf(t.stack);
    const here = this.#walk(path, true, false);
    // A link to itself (GNU tar writes these for repeated members): nothing to do.
    if (here.stat !== undefined && this.hostOf(here.stack) === targetHost) return targetHost;
    const p = this.prepare(path, false);
    linkSync(targetHost, p.host);
    return p.host;
  }

  /** Remove `path` and everything under it; the last component is not followed. Returns whether something was removed. */
  remove(path: string): boolean {
    const w = this.#walk(path, false, false, true);
    if (w.stat === undefined) return false;
    if (w.stack.length === 0) throw new BundleError(BundleErrorCode.InvalidPath, `refusing to remove the root (${q(path)})`);
    const key = w.stack.join('/');
    if (w.stat.isDirectory()) {
      rmSync(`${this.root}/${key}`, { recursive: true, force: true });
      this.#forget(key);
      this.onRemoveDir?.(key);
    } else {
      unlinkSync(`${this.root}/${key}`);
    }
    return true;
  }

  /**
   * Names in the directory at `path` (not following a last symlink), with
   * its resolved key; undefined when `path` is not a directory.
   */
  children(path: string): { key: string; names: string[] } | undefined {
    const w = this.#walk(path, false, false, true);
    if (w.stat === undefined || !w.stat.isDirectory()) return undefined;
    return { key: w.stack.join('/'), names: readdirSync(this.hostOf(w.stack)) };
  }

  /**
   * Read a regular file at `path`, following symlinks inside the root, at
   * most `maxBytes` of it. Returns undefined when it does not exist.
   */
  readFile(path: string, maxBytes: number): Buffer | undefined {
    const r = this.resolve(path);
    if (r.stat === undefined) return undefined;
    if (!r.stat.isFile()) throw new BundleError(BundleErrorCode.InvalidPath, `${q(path)} in the rootfs is not a regular file`);
    const fd = openSync(r.host, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new BundleError(BundleErrorCode.InvalidPath, `${q(path)} in the rootfs is not a regular file`);
      const size = Math.min(st.size, maxBytes);
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const n = readSync(fd, buf, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }
}

function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..';
}
