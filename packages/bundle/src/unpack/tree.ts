/**
 * The file-tree record of an unpacked rootfs: one JSON object per line,
 * sorted by path, giving what `pack` needs to tell what changed since the
 * unpack (type, mode, owner, size, mtime, content digest, link target).
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { hashFileSync } from '../bundle-digest/hash-file.js';

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
}

function typeOf(st: Stats): TreeEntry['type'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

/** One read buffer for the walk (records are built synchronously). */
const READ_BUFFER = Buffer.allocUnsafeSlow(1 << 20);

/**
 * Walk `root` (never following symlinks) and describe every entry.
 * `known` gives digests already computed while writing (hex, by inode).
 */
export function recordTree(root: string, known: ReadonlyMap<number, string> = new Map()): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (rel: string, host: string): void => {
    const st = lstatSync(host);
    const type = typeOf(st);
    const e: TreeEntry = { path: rel === '' ? '.' : rel, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000 };
    if (type === 'file') {
      e.size = st.size;
      const hex = known.get(st.ino);
      e.digest = hex !== undefined ? `sha256:${hex}` : hashFileSync(host, READ_BUFFER).digest;
    } else if (type === 'symlink') e.target = readlinkSync(host);
    else if (type === 'char' || type === 'block') e.rdev = st.rdev;
    out.push(e);
    if (type === 'dir') {
      for (const name of readdirSync(host).sort()) visit(rel === '' ? name : `${rel}/${name}`, `${host}/${name}`);
    }
  };
  visit('', root);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function formatTree(entries: readonly TreeEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
}
