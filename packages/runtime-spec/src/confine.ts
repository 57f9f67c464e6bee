/**
 * The one confinement module (`@ocikit/runtime-spec/confine`): every path
 * into a rootfs, read or written, is resolved here. It lives in
 * runtime-spec because a bundle's rootfs is runtime-spec's concept
 * (bundle.md) and validateBundle reads it; @ocikit/bundle, above us, writes
 * rootfs trees (and extracted oci-archives) with the same walk.
 *
 * Semantics (umoci's secure join, so that trees match): a path is read
 * relative to the root as if the root were `/` in a chroot. It is walked one
 * component at a time with lstat; a symlink met on the way is expanded
 * *inside* the root (an absolute target restarts at the root, `..` never
 * climbs above it), so no path ever resolves outside the root, whatever
 * symlinks the tree holds. The walk is a loop over an explicit stack, never
 * recursion, and bounded: at most MAX_SYMLINKS expansions (Linux's ELOOP
 * rule) of an input of at most MAX_PATH_BYTES (Linux's ENAMETOOLONG rule),
 * and a link target is itself at most PATH_MAX, so the work is bounded
 * whatever the tree or the input says. A path that resolves to a host path
 * of PATH_MAX or more is refused too, before the kernel would: no entry is
 * ever written that deep, so every tree written here is less than 2048
 * levels deep. Trees are removed by `removeTree`, without recursion either.
 *
 * Two faces over that one walk:
 * - `resolveInRoot` (read-only, for validation): follows every symlink and
 *   reports why it stopped (`problem`) instead of throwing, since validators
 *   turn that into findings; any lstat failure reads as absence.
 * - `ConfinedRoot` (writes): the last component is followed only when asked
 *   (reading /etc/passwd); creating, replacing or removing an entry never
 *   follows it, so a symlink is replaced, never written through. Refusals
 *   are typed errors with stable codes. Writes are made with
 *   O_EXCL|O_NOFOLLOW after the old entry is removed.
 *
 * The module assumes nobody else changes the tree while we work on it (the
 * unpack builds in a fresh private directory); it does not defend against a
 * concurrent attacker racing renames inside the root.
 */
import {
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { describeLimit, Limits, openRegularFile } from '@ocikit/validation';
import { RuntimeSpecError, RuntimeSpecErrorCode } from './errors.js';
import { quote as q } from '@ocikit/errors';

/** Linux's MAXSYMLINKS: more expansions than this in one walk is a loop (ELOOP). `Limits.Symlinks`. */
export const MAX_SYMLINKS = Limits.Symlinks.value;

/**
 * Linux's PATH_MAX: a longer path is refused before anything is looked at,
 * as the kernel refuses it (ENAMETOOLONG) and as the tar reader refuses
 * longer entry names. A runtime could not exec or open such a path either.
 * `Limits.PathBytes`.
 */
export const MAX_PATH_BYTES = Limits.PathBytes.value;

/** Why `resolveInRoot` stopped early. */
export type ConfineProblem = 'missing' | 'not-a-directory' | 'loop' | 'too-long';

export interface ConfinedPath {
  /** Host path of the final component (inside the root). */
  hostPath: string;
  /** Path as seen from inside the root, always absolute and normalised. */
  innerPath: string;
  /** lstat of the final component; undefined when it does not exist. */
  stats: Stats | undefined;
  /**
   * Why resolution stopped early: a missing or non-directory component, a
   * symlink loop (more than MAX_SYMLINKS expansions), or an input longer
   * than MAX_PATH_BYTES (or one resolving to a host path that long).
   */
  problem?: ConfineProblem;
}

/** The codes a ConfinedRoot refusal carries (the same strings as @ocikit/bundle's codes). */
export type ConfineErrorCode = typeof RuntimeSpecErrorCode.SymlinkLoop | typeof RuntimeSpecErrorCode.InvalidPath | typeof RuntimeSpecErrorCode.InvalidLink;

/**
 * The tree rule a refusal enforces, for subclasses that cite their own spec
 * for it (@ocikit/bundle cites image-spec layer.md).
 */
export const ConfineRule = {
  /** A changeset entry may not replace the root itself. */
  ReplaceRoot: 'replace-root',
  /** A hardlink's target must exist inside the root and not be a directory. */
  Hardlink: 'hardlink',
} as const;
export type ConfineRule = (typeof ConfineRule)[keyof typeof ConfineRule];

const O_CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

interface WalkOptions {
  /** Follow a symlink in the last component too. */
  followLast: boolean;
  /** Create missing intermediate directories (0755). */
  create: boolean;
  /**
   * Writers: lstat errors other than ENOENT are thrown and the root must
   * exist. Readers (validation, which reports instead of throwing): every
   * lstat failure reads as absence.
   */
  strict: boolean;
  /** Resolved keys known to be real directories: not lstat'ed again; verified and created ones are added. */
  dirs: Set<string> | undefined;
}

interface Walked {
  /** Components of the resolved path, each a real directory except perhaps the last. */
  stack: string[];
  /** lstat of the last component; undefined when it does not exist. */
  stat: Stats | undefined;
  /**
   * Why the walk stopped early. `loop`: the last of `stack` is the symlink
   * that was one expansion too many. `missing` and `not-a-directory`: the
   * last of `stack` is the component that is absent or not a directory, and
   * `pending` holds what was not visited.
   */
  problem?: ConfineProblem;
  /** Components not visited, the next one last. */
  pending: string[];
}

function isTooLong(p: string): boolean {
  // A UTF-16 unit is at least one UTF-8 byte: the cheap test settles most paths.
  return p.length > MAX_PATH_BYTES || (p.length > MAX_PATH_BYTES / 4 && Buffer.byteLength(p) > MAX_PATH_BYTES);
}

/** A host path the kernel refuses (ENAMETOOLONG): PATH_MAX counts the terminating NUL. */
function isHostTooLong(host: string): boolean {
  return host.length >= MAX_PATH_BYTES || (host.length >= MAX_PATH_BYTES / 4 && Buffer.byteLength(host) >= MAX_PATH_BYTES);
}

/** Push the components of `p` onto `pending` so that the first one is popped first; "" and "." name nothing. */
function pushComponents(pending: string[], p: string): void {
  const parts = p.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const c = parts[i]!;
    if (c !== '' && c !== '.') pending.push(c);
  }
}

/**
 * The resolution algorithm, the only one in ocikit: walk `inner` from
 * `root` (a host path used as given), expanding symlinks inside the root.
 * Iterative over `pending`; the work is bounded by MAX_PATH_BYTES and
 * MAX_SYMLINKS (each expansion adds one link target of at most PATH_MAX).
 */
function walk(root: string, inner: string, o: WalkOptions): Walked {
  const lstatOf = o.strict ? lstatOrAbsent : lstatOrUndefined;
  const stack: string[] = [];
  const pending: string[] = [];
  if (isTooLong(inner)) return { stack, stat: undefined, problem: 'too-long', pending };
  pushComponents(pending, inner);
  let links = 0;
  while (pending.length > 0) {
    const c = pending.pop()!;
    if (c === '..') {
      stack.pop(); // never above the root: popping an empty stack does nothing
      continue;
    }
    stack.push(c);
    const last = pending.length === 0;
    const key = stack.join('/');
    if (!last && o.dirs?.has(key)) continue;
    const host = `${root}/${key}`;
    // Symlinks can lead deeper than the input itself names: stop where the kernel would.
    if (isHostTooLong(host)) return { stack, stat: undefined, problem: 'too-long', pending };
    const st = lstatOf(host);
    if (st === undefined) {
      if (last) return { stack, stat: undefined, pending };
      if (!o.create) return { stack, stat: undefined, problem: 'missing', pending };
      mkdirSync(host, 0o755);
      o.dirs?.add(key);
      continue;
    }
    if (st.isSymbolicLink() && (!last || o.followLast)) {
      if (++links > MAX_SYMLINKS) return { stack, stat: st, problem: 'loop', pending };
      stack.pop();
      const target = readlinkSync(host);
      if (target.startsWith('/')) stack.length = 0;
      pushComponents(pending, target);
      continue;
    }
    if (last) return { stack, stat: st, pending };
    if (!st.isDirectory()) return { stack, stat: st, problem: 'not-a-directory', pending };
    o.dirs?.add(key);
  }
  // The path named a directory reached through ".." or the root itself (empty, ".", "/").
  const end = stack.length === 0 ? root : `${root}/${stack.join('/')}`;
  return { stack, stat: o.strict ? lstatSync(end) : lstatOf(end), pending };
}

/** Writers: absence is undefined, any other failure is thrown. */
function lstatOrAbsent(host: string): Stats | undefined {
  return lstatSync(host, { throwIfNoEntry: false });
}

/** Readers: any failure (absent, unreadable, too long) reads as absence. */
function lstatOrUndefined(host: string): Stats | undefined {
  try {
    return lstatSync(host);
  } catch {
    return undefined;
  }
}

/**
 * Resolve `inner` (a path inside the root) to a host path inside `root`,
 * following symlinks within the root only, the last one included. Never
 * throws for what the tree or the path holds: why it stopped is `problem`.
 */
export function resolveInRoot(root: string, inner: string): Promise<ConfinedPath> {
  // Synchronous underneath (one walk serves readers and writers, and a
  // validator resolves a handful of paths); a system failure such as an
  // unreadable link still arrives as a rejection, thrown in the executor.
  return new Promise((resolve) => resolve(resolveInRootNow(root, inner)));
}

function resolveInRootNow(root: string, inner: string): ConfinedPath {
  const rootAbs = path.resolve(root);
  const w = walk(rootAbs, inner, { followLast: true, create: false, strict: false, dirs: undefined });
  // One joined string, not a spread: the stack may hold thousands of components.
  const hostPath = path.join(rootAbs, w.stack.join('/'));
  if (w.problem === 'loop') {
    // The symlink that was one too many, seen from inside: its parent.
    return { hostPath, innerPath: `/${w.stack.slice(0, -1).join('/')}`, stats: w.stat, problem: 'loop' };
  }
  const r: ConfinedPath = { hostPath, innerPath: `/${w.stack.join('/')}`, stats: w.problem === 'missing' ? undefined : w.stat };
  if (w.problem !== undefined) r.problem = w.problem;
  return r;
}

/** A directory tree in which every path is resolved, and every entry written, without leaving it. */
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
      throw this.refuse(RuntimeSpecErrorCode.InvalidPath, `confinement root ${q(root)} is not a directory`);
    }
    this.root = real;
  }

  /**
   * The error a refusal throws. Subclasses override it to throw their own
   * package's error class (same code) and cite their spec for `rule`.
   */
  protected refuse(code: ConfineErrorCode, message: string, _rule?: ConfineRule): Error {
    return new RuntimeSpecError(code, message);
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
  #walk(path: string, create: boolean, followLast: boolean, notDirIsMissing = false): { stack: string[]; stat: Stats | undefined } {
    // Fast path: the parent is a directory we already verified (cached keys
    // are always plain, symlink-free paths) and the name is plain. An
    // overlong path takes the walk, which refuses it.
    const slash = path.lastIndexOf('/');
    if (slash > 0 && !followLast && !isTooLong(path) && !isHostTooLong(`${this.root}/${path}`)) {
      const parent = path.slice(0, slash);
      const name = path.slice(slash + 1);
      if (this.#dirs.has(parent) && isPlainName(name)) {
        const stack = parent.split('/');
        stack.push(name);
        return { stack, stat: lstatSync(`${this.root}/${path}`, { throwIfNoEntry: false }) };
      }
    }
    const w = walk(this.root, path, { followLast, create, strict: true, dirs: this.#dirs });
    switch (w.problem) {
      case 'too-long':
        if (isTooLong(path)) throw this.refuse(RuntimeSpecErrorCode.InvalidPath, `path ${q(path.slice(0, 64))}... is ${Buffer.byteLength(path)} bytes long, more than ${describeLimit(Limits.PathBytes)}`);
        throw this.refuse(RuntimeSpecErrorCode.InvalidPath, `path ${q(shorten(path))} resolves to a host path of ${Buffer.byteLength(this.hostOf(w.stack))} bytes or more (${w.stack.length} levels deep), more than ${describeLimit(Limits.PathBytes)}`);
      case 'loop':
        throw this.refuse(RuntimeSpecErrorCode.SymlinkLoop, `too many levels of symlinks resolving ${q(path)} (more than ${describeLimit(Limits.Symlinks)})`);
      case 'not-a-directory':
        // Removing "a/b" when "a" is a file: there is nothing to remove.
        if (notDirIsMissing) return { stack: w.stack, stat: undefined };
        throw this.refuse(RuntimeSpecErrorCode.InvalidPath, `cannot resolve ${q(path)}: ${q(w.stack.join('/'))} is not a directory`);
      case 'missing':
        // Nothing below a missing directory exists; keep the rest literal.
        for (let p = w.pending.pop(); p !== undefined; p = w.pending.pop()) {
          if (p === '..') w.stack.pop();
          else w.stack.push(p);
        }
        return { stack: w.stack, stat: undefined };
      default:
        return { stack: w.stack, stat: w.stat };
    }
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
      throw this.refuse(RuntimeSpecErrorCode.InvalidPath, `cannot replace the root with ${q(path)}`, ConfineRule.ReplaceRoot);
    }
    const key = w.stack.join('/');
    const host = `${this.root}/${key}`;
    if (w.stat === undefined) return { host, key, kept: undefined };
    if (w.stat.isDirectory()) {
      if (keepDir) {
        this.#dirs.add(key);
        return { host, key, kept: w.stat };
      }
      removeTree(host);
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
    // included), and the slow path then replaces it. An overlong path takes
    // the slow path, which refuses it with a typed error.
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if ((slash < 0 || this.#dirs.has(parent)) && isPlainName(path.slice(slash + 1)) && !isTooLong(path) && !isHostTooLong(`${this.root}/${path}`)) {
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
      throw this.refuse(RuntimeSpecErrorCode.InvalidLink, `hardlink ${q(path)} names ${q(target)}, which does not exist`, ConfineRule.Hardlink);
    }
    if (t.stat.isDirectory()) {
      throw this.refuse(RuntimeSpecErrorCode.InvalidLink, `hardlink ${q(path)} names ${q(target)}, which is a directory`, ConfineRule.Hardlink);
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
    if (w.stack.length === 0) throw this.refuse(RuntimeSpecErrorCode.InvalidPath, `refusing to remove the root (${q(path)})`);
    const key = w.stack.join('/');
    if (w.stat.isDirectory()) {
      removeTree(`${this.root}/${key}`);
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
    if (!r.stat.isFile()) throw this.refuse(RuntimeSpecErrorCode.InvalidPath, `${q(path)} in the rootfs is not a regular file`);
    // Checked again on the open descriptor (the one way files are opened to read).
    const { fd, size: fileSize } = openRegularFile(r.host, { followSymlinks: false });
    try {
      const size = Math.min(fileSize, maxBytes);
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

/**
 * Remove `target` and, for a directory, everything under it, never following
 * a symlink. Iterative over an explicit stack: a tree thousands of levels
 * deep cannot overflow the call stack (Node 20's rmSync recurses once per
 * level and does). Names are bytes, as Linux keeps them. Nothing there is
 * not an error.
 */
export function removeTree(target: string): void {
  const st = lstatSync(target, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (!st.isDirectory()) {
    unlinkIfThere(target);
    return;
  }
  // Directories being emptied, deepest last; each is removed once its entries are.
  const stack: { dir: Buffer; listed: boolean }[] = [{ dir: Buffer.from(target), listed: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.listed) {
      stack.pop();
      try {
        rmdirSync(top.dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      continue;
    }
    top.listed = true;
    for (const e of readdirSync(top.dir, { withFileTypes: true, encoding: 'buffer' })) {
      const child = Buffer.concat([top.dir, SLASH, e.name]);
      if (e.isDirectory()) stack.push({ dir: child, listed: false });
      else unlinkIfThere(child);
    }
  }
}

const SLASH = Buffer.from('/');

function unlinkIfThere(p: string | Buffer): void {
  try {
    unlinkSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The start and end of a long path, for a one-line message. */
function shorten(p: string): string {
  return p.length <= 80 ? p : `${p.slice(0, 38)}...${p.slice(-38)}`;
}

function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..';
}

