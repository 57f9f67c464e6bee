/**
 * A tar writer for reproducible layers: POSIX ustar headers, with a PAX
 * extended header (`x`) only for what ustar cannot hold (long names and
 * link names, large ids, sizes and times, xattrs as SCHILY.xattr.*).
 *
 * Headers are normalised: no user or group names, whole-second
 * modification times, no atime or ctime, fixed PAX header names; the
 * caller decides the entry order (pack writes them sorted by path).
 */
import { TarEntryType } from './reader.js';

export const BLOCK_SIZE = 512;
/** The end of an archive: two zero blocks. */
export const TAR_END: Buffer = Buffer.alloc(2 * BLOCK_SIZE);

export interface TarWriteEntry {
  /** Path as bytes (or text), relative, `/`-separated; a directory gets a trailing `/` here. */
  name: Buffer | string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes (files only; 0 otherwise). */
  size: number;
  /** Modification time, whole seconds since the epoch. */
  mtime: number;
  /** Symlink target, or the archived name of a hardlink's target. */
  linkname?: Buffer | string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes, written in this order. */
  xattrs?: readonly (readonly [string, Buffer])[];
}

const TYPE_FLAG: { readonly [t in TarEntryType]: number } = {
  [TarEntryType.File]: 0x30,
  [TarEntryType.Hardlink]: 0x31,
  [TarEntryType.Symlink]: 0x32,
  [TarEntryType.CharDevice]: 0x33,
  [TarEntryType.BlockDevice]: 0x34,
  [TarEntryType.Directory]: 0x35,
  [TarEntryType.Fifo]: 0x36,
};

/** Largest value an octal field of `width` bytes holds (width - 1 digits and a NUL). */
const maxOctal = (width: number): number => 8 ** (width - 1) - 1;

function putString(block: Buffer, offset: number, width: number, value: Buffer): void {
  value.copy(block, offset, 0, Math.min(width, value.length));
}

function putOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'latin1');
  block[offset + width - 1] = 0;
}

/** One PAX record: "<length> <key>=<value>\n", the length counting itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length > len) len++;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** Split a long name into ustar prefix (<= 155 bytes) and name (<= 100) at a `/`, if possible. */
function splitUstar(name: Buffer): [Buffer, Buffer] | undefined {
  if (name.length <= 100) return [Buffer.alloc(0), name];
  if (name.length > 256) return undefined;
  // The latest slash that leaves a name of at most 100 bytes and a prefix of at most 155.
  for (let i = Math.min(155, name.length - 2); i > 0; i--) {
    if (name[i] === 0x2f && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return [name.subarray(0, i), name.subarray(i + 1)];
  }
  return undefined;
}

function ustarBlock(fields: {
  name: Buffer;
  prefix: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: number;
  linkname: Buffer;
  devmajor: number;
  devminor: number;
}): Buffer {
  const b = Buffer.alloc(BLOCK_SIZE);
  putString(b, 0, 100, fields.name);
  putOctal(b, 100, 8, fields.mode);
  putOctal(b, 108, 8, fields.uid);
  putOctal(b, 116, 8, fields.gid);
  putOctal(b, 124, 12, fields.size);
  putOctal(b, 136, 12, fields.mtime);
  b.fill(0x20, 148, 156); // checksum counted as spaces
  b[156] = fields.typeflag;
  putString(b, 157, 100, fields.linkname);
  b.write('ustar\x0000', 257, 8, 'latin1');
  // uname (265) and gname (297) stay empty: ids are what a rootfs keeps.
  putOctal(b, 329, 8, fields.devmajor);
  putOctal(b, 337, 8, fields.devminor);
  putString(b, 345, 155, fields.prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

const asBytes = (v: Buffer | string | undefined): Buffer => (v === undefined ? Buffer.alloc(0) : typeof v === 'string' ? Buffer.from(v) : v);

/** The header block(s) of an entry: a PAX `x` header when needed, then the ustar header. */
export function tarHeader(e: TarWriteEntry): Buffer {
  let name = asBytes(e.name);
  if (e.type === TarEntryType.Directory && name[name.length - 1] !== 0x2f) name = Buffer.concat([name, Buffer.from('/')]);
  const linkname = asBytes(e.linkname);
  const size = e.type === TarEntryType.File ? e.size : 0;
  const pax: Buffer[] = [];
  const split = splitUstar(name);
  if (split === undefined) pax.push(paxRecord('path', name));
  if (linkname.length > 100) pax.push(paxRecord('linkpath', linkname));
  if (size > maxOctal(12)) pax.push(paxRecord('size', Buffer.from(String(size))));
  if (e.uid > maxOctal(8)) pax.push(paxRecord('uid', Buffer.from(String(e.uid))));
  if (e.gid > maxOctal(8)) pax.push(paxRecord('gid', Buffer.from(String(e.gid))));
  const mtime = Math.floor(e.mtime);
  const mtimeFits = mtime >= 0 && mtime <= maxOctal(12);
  if (!mtimeFits) pax.push(paxRecord('mtime', Buffer.from(String(mtime))));
  for (const [k, v] of e.xattrs ?? []) pax.push(paxRecord(`SCHILY.xattr.${k}`, v));

  const [prefix, short] = split ?? [Buffer.alloc(0), name.subarray(name.length - 100)];
  const header = ustarBlock({
    name: short,
    prefix,
    mode: e.mode & 0o7777,
    uid: e.uid > maxOctal(8) ? 0 : e.uid,
    gid: e.gid > maxOctal(8) ? 0 : e.gid,
    size: size > maxOctal(12) ? 0 : size,
    mtime: mtimeFits ? mtime : 0,
    typeflag: TYPE_FLAG[e.type],
    linkname: linkname.length > 100 ? linkname.subarray(0, 100) : linkname,
    devmajor: e.devmajor ?? 0,
    devminor: e.devminor ?? 0,
  });
  if (pax.length === 0) return header;
  const records = Buffer.concat(pax);
  const paxHeader = ustarBlock({
    name: Buffer.from('././@PaxHeader'),
    prefix: Buffer.alloc(0),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime: mtimeFits ? mtime : 0,
    typeflag: 0x78, // 'x'
    linkname: Buffer.alloc(0),
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, records, Buffer.alloc(padding(records.length)), header]);
}

/** Zero bytes after `size` bytes of content to fill the last block. */
export function padding(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}
