/**
 * What changed in a rootfs since it was unpacked: the walked tree against
 * the unpack record (`ocikit.tree`, written by unpack beside rootfs/).
 *
 * An entry is in the changeset when it is new, changed type, or differs in
 * mode, owner, modification time, size, link target, device numbers,
 * extended attributes or hardlink group (setting an xattr or relinking a
 * file keeps its mtime); a regular file that matches in all of those is
 * hashed and compared with the recorded digest, so an edit that kept size
 * and mtime is still found.
 */
import { xattrsOrNull } from '../fs/xattr.js';
import path from 'node:path';
import { FileError, Limits, readRegularFile } from '@ocikit/validation';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { ContentHasher } from '../tree/content-hasher.js';
import { HashPool } from '../tree/hash-pool.js';
import { EntryType, isRoot, splitDev, type WalkEntry } from '../tree/walk.js';
import { childPath, splitPath, WHITEOUT, type LayerItem } from './layer.js';
import { hardlinkGroups, type TreeEntry, xattrsRecord } from '../tree/record.js';

/** One line of the unpack record (tree/record.ts). */
type RecordedEntry = TreeEntry;

export function readUnpackRecord(file: string): Map<string, RecordedEntry> {
  const out = new Map<string, RecordedEntry>();
  let text: string;
  try {
    text = readRegularFile(file, Limits.RecordBytes).toString('utf8');
  } catch (cause) {
    if (cause instanceof FileError) throw cause;
    throw new BundleError(BundleErrorCode.InvalidBundle, `cannot read the unpack record ${q(file)}`, { cause });
  }
  for (const [n, line] of text.split('\n').entries()) {
    if (line === '') continue;
    let e: RecordedEntry;
    try {
      e = JSON.parse(line) as RecordedEntry;
    } catch (cause) {
      throw new BundleError(BundleErrorCode.InvalidBundle, `${q(path.basename(file))} line ${n + 1} is not JSON`, { cause });
    }
    if (typeof e?.path !== 'string' || typeof e.type !== 'string') throw new BundleError(BundleErrorCode.InvalidBundle, `${q(path.basename(file))} line ${n + 1} is not a tree entry`);
    out.set(keyOf(Buffer.from(e.path === '.' ? '.' : e.path)), e);
  }
  return out;
}

const keyOf = (p: Buffer): string => p.toString('latin1');
/** A walked path as the unpack record writes it. */
const recordPath = (p: Buffer): string => p.toString('utf8');

/** Same modification time, to the microsecond (the record keeps seconds as a double). */
function sameMtime(recorded: number, ns: bigint): boolean {
  return Math.abs(recorded - Number(ns) / 1e9) < 2e-6;
}

function sameXattrs(recorded: Record<string, string> | undefined, now: Record<string, string> | undefined): boolean {
  const a = Object.entries(recorded ?? {});
  const b = Object.entries(now ?? {});
  return a.length === b.length && a.every(([k, v]) => now![k] === v);
}

/** `link` is the first name of the entry's hardlink group now (see TreeEntry). */
function sameMeta(r: RecordedEntry, e: WalkEntry, link: string | undefined, xattrsKnown: boolean): boolean {
  if (r.type !== e.type || r.mode !== e.mode || r.uid !== e.uid || r.gid !== e.gid) return false;
  if (r.link !== link) return false;
  if (xattrsKnown && !sameXattrs(r.xattrs, xattrsRecord(e.xattrs))) return false;
  if (e.type === EntryType.Dir) return sameMtime(r.mtime, e.mtimeNs);
  if (!sameMtime(r.mtime, e.mtimeNs)) return false;
  if (e.type === EntryType.File) return r.size === e.size;
  if (e.type === EntryType.Symlink) return r.target !== undefined && Buffer.from(r.target).equals(e.target!);
  if (e.type === EntryType.Char || e.type === EntryType.Block) {
    const [maj, min] = splitDev(BigInt(r.rdev ?? 0));
    return maj === e.devmajor && min === e.devminor;
  }
  return true;
}

export interface Changeset {
  items: LayerItem[];
  added: number;
  modified: number;
  removed: number;
}

/** The changeset of `entries` (a walked rootfs) against the unpack record. */
export async function changesSince(record: Map<string, RecordedEntry>, entries: readonly WalkEntry[], options: { threads?: number; xattrs?: boolean } = {}): Promise<Changeset> {
  const items: LayerItem[] = [];
  const current = new Map<string, WalkEntry>();
  for (const e of entries) current.set(keyOf(e.path), e);
  // Hardlink groups now, named as the record names them (text paths).
  const links = hardlinkGroups(entries.flatMap((e) => (e.inode === undefined ? [] : [[recordPath(e.path), e.inode] as const])));
  // Where xattrs cannot be read here, the record's cannot be compared.
  const xattrsKnown = options.xattrs ?? xattrsOrNull() !== null;
  let added = 0;
  let modified = 0;
  const toHash: WalkEntry[] = [];
  for (const e of entries) {
    const r = record.get(keyOf(e.path));
    if (r === undefined) {
      items.push({ kind: 'entry', entry: e });
      added++;
    } else if (!sameMeta(r, e, links.get(recordPath(e.path)), xattrsKnown)) {
      items.push({ kind: 'entry', entry: e });
      modified++;
    } else if (e.type === EntryType.File) toHash.push(e);
  }
  if (toHash.length > 0) {
    const pool = new HashPool(options.threads === undefined ? {} : { threads: options.threads });
    try {
      const hasher = new ContentHasher(pool);
      for (const e of toHash) hasher.add(e);
      const digests = await hasher.digests();
      for (const e of toHash) {
        if (digests.get(e) !== record.get(keyOf(e.path))!.digest) {
          items.push({ kind: 'entry', entry: e });
          modified++;
        }
      }
    } finally {
      await pool.close();
    }
  }
  // Removed: a whiteout for each topmost removed path, i.e. one whose parent
  // is still a directory (a removed or replaced parent hides it already).
  let removed = 0;
  for (const [key, r] of record) {
    if (current.has(key)) continue;
    const p = Buffer.from(key, 'latin1');
    if (isRoot(p)) continue;
    const [parent, name] = splitPath(p);
    const parentNow = current.get(keyOf(parent));
    const parentThen = record.get(keyOf(parent));
    if (parentNow?.type !== EntryType.Dir || parentThen?.type !== 'dir') continue;
    void r;
    items.push({ kind: 'whiteout', path: childPath(parent, Buffer.concat([WHITEOUT, name])) });
    removed++;
  }
  return { items, added, modified, removed };
}
