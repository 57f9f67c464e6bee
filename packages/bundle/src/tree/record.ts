/**
 * The file-tree record of an unpacked rootfs: one JSON object per line,
 * sorted by path, giving what `pack` needs to tell what changed since the
 * unpack (type, mode, owner, size, mtime, content digest, link target,
 * device numbers, extended attributes, hardlink groups).
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { hashFileSync } from './hash-file.js';
import { entryType, readXattrs } from './walk.js';
import { xattrsOrNull } from '../fs/xattr.js';

export interface TreeEntry {
  /** Path inside the rootfs, `/`-separated, no leading slash ('.' for the root). */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
  /** Permission bits including setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  size?: number;
  /** Modification time, seconds (with fraction). */
  mtime: number;
  /** sha256 of a regular file's content. */
  digest?: string;
  /** Symlink target. */
  target?: string;
  /** Device numbers. */
  rdev?: number;
  /** Extended attributes (name -> base64 value), without host-only ones such as `security.selinux`. */
  xattrs?: Record<string, string>;
  /**
   * For a regular file that shares its inode with other names in the tree:
   * the first of those names in record order (the file's own path when it
   * is the first). Absent for a file with one name in the tree.
   */
  link?: string;
}

/** Record order: by path, as JavaScript compares strings. */
export function compareRecordPaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The `link` of every file in a hardlink group of two or more names:
 * `members` are (path, inode key) pairs; the answer maps each grouped path
 * to the first path of its group in record order.
 */
export function hardlinkGroups(members: Iterable<readonly [path: string, inode: string]>): Map<string, string> {
  const byInode = new Map<string, string[]>();
  for (const [p, inode] of members) (byInode.get(inode) ?? byInode.set(inode, []).get(inode)!).push(p);
  const out = new Map<string, string>();
  for (const paths of byInode.values()) {
    if (paths.length < 2) continue;
    const first = paths.reduce((a, b) => (compareRecordPaths(a, b) <= 0 ? a : b));
    for (const p of paths) out.set(p, first);
  }
  return out;
}

/** Extended attributes as the record keeps them. */
export function xattrsRecord(xattrs: readonly (readonly [string, Buffer])[] | undefined): Record<string, string> | undefined {
  if (xattrs === undefined || xattrs.length === 0) return undefined;
  return Object.fromEntries(xattrs.map(([name, value]) => [name, value.toString('base64')]));
}

/** One read buffer for the walk (records are built synchronously). */
const READ_BUFFER = Buffer.allocUnsafeSlow(1 << 20);

/**
 * Walk `root` (never following symlinks) and describe every entry.
 * `known` gives digests already computed while writing (hex, by inode).
 */
export function recordTree(root: string, known: ReadonlyMap<number, string> = new Map()): TreeEntry[] {
  const out: TreeEntry[] = [];
  const api = xattrsOrNull();
  const linked: [string, string][] = [];
  // An explicit stack, not recursion: the tree's depth is the input's to choose.
  const pending: [rel: string, host: string][] = [['', root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [rel, host] = next;
    const st = lstatSync(host);
    const type: TreeEntry['type'] = entryType(st);
    const e: TreeEntry = { path: rel === '' ? '.' : rel, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000 };
    if (type === 'file') {
      e.size = st.size;
      const hex = known.get(st.ino);
      e.digest = hex !== undefined ? `sha256:${hex}` : hashFileSync(host, READ_BUFFER).digest;
      if (st.nlink > 1) linked.push([e.path, `${st.dev}:${st.ino}`]);
    } else if (type === 'symlink') e.target = readlinkSync(host);
    else if (type === 'char' || type === 'block') e.rdev = st.rdev;
    const xattrs = api ? xattrsRecord(readXattrs(api, Buffer.from(host))) : undefined;
    if (xattrs !== undefined) e.xattrs = xattrs;
    out.push(e);
    if (type === 'dir') {
      for (const name of readdirSync(host)) pending.push([rel === '' ? name : `${rel}/${name}`, `${host}/${name}`]);
    }
  }
  const groups = hardlinkGroups(linked);
  for (const e of out) {
    const first = groups.get(e.path);
    if (first !== undefined) e.link = first;
  }
  return out.sort((a, b) => compareRecordPaths(a.path, b.path));
}

export function formatTree(entries: readonly TreeEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
}
