/**
 * Walk a rootfs without following a symlink, ever: directories are listed
 * by their own entries, every entry is lstat'ed, names are kept as bytes
 * (Linux file names are bytes, not text) and the listing comes out sorted
 * by path bytes. Shared by the bundle digest and by pack.
 */
import { lstatSync, readdirSync, readlinkSync, type BigIntStats, type Stats } from 'node:fs';
import { xattrsOrNull, type XattrApi } from '../fs/xattr.js';

export const EntryType = {
  File: 'file',
  Dir: 'dir',
  Symlink: 'symlink',
  Char: 'char',
  Block: 'block',
  Fifo: 'fifo',
  Socket: 'socket',
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

/** One entry of a walked tree. */
export interface WalkEntry {
  /** Path inside the root as bytes, `/`-separated, no leading `./`; `.` for the root itself. */
  path: Buffer;
  /** Host path (the root's path joined with `path`). */
  host: Buffer;
  type: EntryType;
  /** Permission bits with setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of a regular file (0 for every other type). */
  size: number;
  /** Modification time in nanoseconds since the epoch. */
  mtimeNs: bigint;
  /** `dev:ino`, to find hardlinks (only for files with more than one link). */
  inode: string | undefined;
  /** Symlink target bytes. */
  target: Buffer | undefined;
  devmajor: number;
  devminor: number;
  /** Extended attributes, sorted by name bytes. */
  xattrs: [string, Buffer][] | undefined;
}

export interface WalkOptions {
  /** Read extended attributes (default true). */
  xattrs?: boolean;
  /** Called for each entry as it is read, in walk (not sorted) order. */
  onEntry?: (e: WalkEntry) => void;
}

/**
 * Attributes that describe the host, not the tree: an SELinux label is set
 * by the host's policy on every file it creates, so two hosts give the same
 * tree different labels.
 */
export const HOST_XATTRS: ReadonlySet<string> = new Set(['security.selinux']);

/** The entry type of an lstat result (these names are also the bundle record's `type=` values). */
export function entryType(st: Stats | BigIntStats): EntryType {
  if (st.isFile()) return EntryType.File;
  if (st.isDirectory()) return EntryType.Dir;
  if (st.isSymbolicLink()) return EntryType.Symlink;
  if (st.isCharacterDevice()) return EntryType.Char;
  if (st.isBlockDevice()) return EntryType.Block;
  if (st.isFIFO()) return EntryType.Fifo;
  return EntryType.Socket;
}

/** Linux's dev_t encoding (glibc gnu_dev_major / gnu_dev_minor). */
export function splitDev(rdev: bigint): [number, number] {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return [Number(major), Number(minor)];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** An entry's extended attributes (without HOST_XATTRS), sorted by name bytes; undefined when it has none. */
export function readXattrs(api: XattrApi, host: Buffer): [string, Buffer][] | undefined {
  let p: string;
  try {
    p = utf8.decode(host);
  } catch {
    // The binding takes only text paths; a name that is not UTF-8 cannot be asked.
    return undefined;
  }
  let names: string[];
  try {
    names = api.listAttributesSync(p);
  } catch {
    return undefined; // no xattr support on this filesystem
  }
  if (names.length === 0) return undefined;
  const out: [string, Buffer][] = [];
  for (const name of names) {
    if (HOST_XATTRS.has(name)) continue;
    const v = api.getAttributeSync(p, name);
    if (v !== null) out.push([name, v]);
  }
  if (out.length === 0) return undefined;
  return out.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
}

const SLASH = Buffer.from('/');
const DOT = Buffer.from('.');

function statEntry(rel: Buffer, host: Buffer, api: XattrApi | null): WalkEntry {
  const st = lstatSync(host, { bigint: true });
  const type = entryType(st);
  const [devmajor, devminor] = type === EntryType.Char || type === EntryType.Block ? splitDev(st.rdev) : [0, 0];
  return {
    path: rel,
    host,
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: type === EntryType.File ? Number(st.size) : 0,
    mtimeNs: st.mtimeNs,
    inode: type === EntryType.File && st.nlink > 1n ? `${st.dev}:${st.ino}` : undefined,
    target: type === EntryType.Symlink ? readlinkSync(host, { encoding: 'buffer' }) : undefined,
    devmajor,
    devminor,
    xattrs: api ? readXattrs(api, host) : undefined,
  };
}

function checkRoot(root: string): void {
  if (entryType(lstatSync(root)) !== EntryType.Dir) throw Object.assign(new Error(`${root} is not a directory`), { code: 'ENOTDIR' });
}

/**
 * Every entry under `root` (itself included, as `.`), sorted by path bytes.
 * Symlinks are read, never followed; the root must be a directory.
 */
export function walkTree(root: string, options: WalkOptions = {}): WalkEntry[] {
  const api = options.xattrs === false ? null : xattrsOrNull();
  const out: WalkEntry[] = [];
  checkRoot(root);
  // An explicit stack, not recursion: the tree's depth is the input's to choose.
  const pending: [rel: Buffer, host: Buffer][] = [[DOT, Buffer.from(root)]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [rel, host] = next;
    const e = statEntry(rel, host, api);
    out.push(e);
    options.onEntry?.(e);
    if (e.type === EntryType.Dir) {
      for (const name of readdirSync(host, { encoding: 'buffer' })) pending.push(child(rel, host, name));
    }
  }
  return out.sort(comparePaths);
}

/** The relative and host paths of `name` in the directory `rel` (at `host`). */
function child(rel: Buffer, host: Buffer, name: Buffer): [rel: Buffer, host: Buffer] {
  return [isRoot(rel) ? name : Buffer.concat([rel, SLASH, name]), Buffer.concat([host, SLASH, name])];
}

/**
 * The same entries, streamed depth first: a directory, then its children
 * sorted by name bytes, each directory's contents before its next sibling.
 * This is the order pack writes a layer in, so a layer can be written
 * while the tree is still being walked.
 */
export function* walkDepthFirst(root: string, options: { xattrs?: boolean } = {}): Generator<WalkEntry> {
  const api = options.xattrs === false ? null : xattrsOrNull();
  checkRoot(root);
  // An explicit stack, not nested generators (each level of those adds a
  // frame to every step, and the tree's depth is the input's to choose).
  // Children are pushed last name first, so they come off it in order.
  const pending: [rel: Buffer, host: Buffer][] = [[DOT, Buffer.from(root)]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [rel, host] = next;
    const e = statEntry(rel, host, api);
    yield e;
    if (e.type !== EntryType.Dir) continue;
    const names = readdirSync(host, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(b, a));
    for (const name of names) pending.push(child(rel, host, name));
  }
}

/** Order by path bytes, the root (`.`) first. */
export function comparePaths(a: { path: Buffer }, b: { path: Buffer }): number {
  const ra = isRoot(a.path);
  const rb = isRoot(b.path);
  if (ra || rb) return ra === rb ? 0 : ra ? -1 : 1;
  return Buffer.compare(a.path, b.path);
}

/** Is this the root's path (`.`)? No other entry can be named `.`. */
export function isRoot(path: Buffer): boolean {
  return path.length === 1 && path[0] === 0x2e;
}
