/**
 * What goes into a new layer and the tar stream of it.
 *
 * The changeset (image-spec layer.md "Determining Changes"): entries added
 * or modified since the unpack record, in their entirety, and a whiteout
 * `.wh.<name>` for each path removed (only the topmost: removing a
 * directory hides everything below it). Hardlinked files are kept linked
 * only within the layer: a link to a file outside it may fail to extract
 * (layer.md "Hardlinks"), so when one name of a linked file changes, every
 * name of it goes into the layer.
 */
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '@ocikit/validation';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { EntryType, isRoot, type WalkEntry } from '../tree/walk.js';
import { TarEntryType } from '../tar/reader.js';
import { BLOCK_SIZE, padding, TAR_END, tarHeader, type TarWriteEntry } from '../tar/writer.js';
import { ChunkPool } from './compress.js';

export const WHITEOUT = Buffer.from('.wh.');

/** One entry of the layer: a tree entry (with its hardlink target in the layer, if any) or a whiteout. */
export type LayerItem = { kind: 'entry'; entry: WalkEntry; linkTo?: Buffer } | { kind: 'whiteout'; path: Buffer };

export function itemPath(i: LayerItem): Buffer {
  return i.kind === 'entry' ? i.entry.path : i.path;
}

const isWhiteoutName = (name: Buffer): boolean => name.length >= 4 && name.subarray(0, 4).equals(WHITEOUT);

function components(p: Buffer): Buffer[] {
  if (isRoot(p)) return [];
  const out: Buffer[] = [];
  for (let start = 0; start <= p.length; ) {
    let end = p.indexOf(0x2f, start);
    if (end < 0) end = p.length;
    out.push(p.subarray(start, end));
    start = end + 1;
  }
  return out;
}

/**
 * Layer order: depth first, a directory before its contents, siblings by
 * name bytes with whiteouts first (layer.md: whiteouts SHOULD appear before
 * sibling directory entries).
 */
export function compareLayerPaths(a: Buffer, b: Buffer): number {
  const ca = components(a);
  const cb = components(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (x.equals(y)) continue;
    const wx = isWhiteoutName(x);
    const wy = isWhiteoutName(y);
    if (wx !== wy) return wx ? -1 : 1;
    return Buffer.compare(x, y);
  }
  return ca.length - cb.length;
}

export function sortItems(items: LayerItem[]): LayerItem[] {
  return items.sort((a, b) => compareLayerPaths(itemPath(a), itemPath(b)));
}

/**
 * Keep hardlinks whole: when a file of a link group is in the layer, all
 * its names are; the first name (in layer order) carries the content and
 * the others link to it.
 */
export function linkHardlinks(items: LayerItem[], all: readonly WalkEntry[]): LayerItem[] {
  const groups = new Map<string, WalkEntry[]>();
  for (const e of all) if (e.inode !== undefined) (groups.get(e.inode) ?? groups.set(e.inode, []).get(e.inode)!).push(e);
  const present = new Set(items.flatMap((i) => (i.kind === 'entry' ? [i.entry] : [])));
  const extra: LayerItem[] = [];
  for (const i of items) {
    if (i.kind !== 'entry' || i.entry.inode === undefined) continue;
    for (const other of groups.get(i.entry.inode) ?? []) {
      if (!present.has(other)) {
        present.add(other);
        extra.push({ kind: 'entry', entry: other });
      }
    }
  }
  const sorted = sortItems([...items, ...extra]);
  const first = new Map<string, Buffer>();
  for (const i of sorted) {
    if (i.kind !== 'entry' || i.entry.inode === undefined) continue;
    const f = first.get(i.entry.inode);
    if (f === undefined) first.set(i.entry.inode, i.entry.path);
    else i.linkTo = f;
  }
  return sorted;
}

export interface TarStreamOptions {
  /** Clamp modification times to this (SOURCE_DATE_EPOCH), in seconds. */
  clampMtime?: number;
  /** Modification time of whiteout entries, in seconds. */
  whiteoutMtime: number;
  /** Told about entries that cannot be archived (sockets). */
  warn?: (message: string) => void;
  /** Where chunk buffers come from (default: new ones of CHUNK_SIZE). */
  pool?: ChunkPool;
  /**
   * Owner to record as root (0): a rootless bundle's files belong to the
   * unpacking user, who stood for root (as umoci --rootless repack does).
   */
  rootOwner?: { uid: number; gid: number };
}

const SLASH = Buffer.from('/');

function tarName(p: Buffer): Buffer {
  return isRoot(p) ? Buffer.from('./') : p;
}

function entryHeader(item: LayerItem, options: TarStreamOptions): TarWriteEntry | undefined {
  if (item.kind === 'whiteout') {
    return { name: item.path, type: TarEntryType.File, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: options.whiteoutMtime };
  }
  const e = item.entry;
  let mtime = Number(e.mtimeNs / 1_000_000_000n) - (e.mtimeNs < 0n && e.mtimeNs % 1_000_000_000n !== 0n ? 1 : 0);
  if (options.clampMtime !== undefined && mtime > options.clampMtime) mtime = options.clampMtime;
  const uid = options.rootOwner !== undefined && e.uid === options.rootOwner.uid ? 0 : e.uid;
  const gid = options.rootOwner !== undefined && e.gid === options.rootOwner.gid ? 0 : e.gid;
  const common = { name: tarName(e.path), mode: e.mode, uid, gid, mtime, size: 0, ...(e.xattrs && { xattrs: e.xattrs }) };
  switch (e.type) {
    case EntryType.File:
      return item.linkTo ? { ...common, type: TarEntryType.Hardlink, linkname: item.linkTo } : { ...common, type: TarEntryType.File, size: e.size };
    case EntryType.Dir:
      return { ...common, type: TarEntryType.Directory };
    case EntryType.Symlink:
      return { ...common, type: TarEntryType.Symlink, linkname: e.target! };
    case EntryType.Char:
      return { ...common, type: TarEntryType.CharDevice, devmajor: e.devmajor, devminor: e.devminor };
    case EntryType.Block:
      return { ...common, type: TarEntryType.BlockDevice, devmajor: e.devmajor, devminor: e.devminor };
    case EntryType.Fifo:
      return { ...common, type: TarEntryType.Fifo };
    default:
      options.warn?.(`socket ${q(e.path.toString())} cannot be stored in a layer; skipped`);
      return undefined;
  }
}

/**
 * The layer's tar stream in chunks of `chunkSize` bytes (the last one
 * shorter). File content is read straight into the chunk being filled; a
 * file that changed size since the walk is an error, never a corrupt layer.
 */
export function* tarChunks(items: Iterable<LayerItem>, options: TarStreamOptions): Generator<Buffer> {
  const pool = options.pool ?? new ChunkPool();
  const size = pool.size;
  let chunk = pool.take();
  let off = 0;
  // Copy bytes in, yielding each chunk as it fills.
  function* put(bytes: Buffer): Generator<Buffer> {
    for (let i = 0; i < bytes.length; ) {
      const n = bytes.copy(chunk, off, i);
      i += n;
      off += n;
      if (off === size) {
        yield chunk;
        chunk = pool.take();
        off = 0;
      }
    }
  }
  for (const item of items) {
    const h = entryHeader(item, options);
    if (h === undefined) continue;
    yield* put(tarHeader(h));
    if (h.type !== TarEntryType.File || h.size === 0) continue;
    const e = (item as { entry: WalkEntry }).entry;
    const { fd } = openRegularFile(e.host, { followSymlinks: false });
    try {
      let left = h.size;
      while (left > 0) {
        const n = readSync(fd, chunk, off, Math.min(size - off, left), null);
        if (n === 0) throw new BundleError(BundleErrorCode.InvalidBundle, `${q(e.host.toString())} shrank while it was packed (${h.size} bytes expected)`);
        off += n;
        left -= n;
        if (off === size) {
          yield chunk;
          chunk = pool.take();
          off = 0;
        }
      }
      if (readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0) throw new BundleError(BundleErrorCode.InvalidBundle, `${q(e.host.toString())} grew while it was packed (${h.size} bytes expected)`);
    } finally {
      closeSync(fd);
    }
    yield* put(Buffer.alloc(padding(h.size)));
  }
  yield* put(TAR_END);
  if (off > 0) yield chunk.subarray(0, off);
}

/** Join a parent path and a name (the root's children have no prefix). */
export function childPath(parent: Buffer, name: Buffer): Buffer {
  return isRoot(parent) ? name : Buffer.concat([parent, SLASH, name]);
}

/** Split a path into parent and base name. */
export function splitPath(p: Buffer): [Buffer, Buffer] {
  const i = p.lastIndexOf(0x2f);
  return i < 0 ? [Buffer.from('.'), p] : [p.subarray(0, i), p.subarray(i + 1)];
}

export { BLOCK_SIZE };
