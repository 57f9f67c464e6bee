/**
 * A streaming tar reader: push chunks of any size in, get entries, content
 * slices (views of the chunks pushed, never copies) and entry ends out.
 *
 * Formats: POSIX ustar (with prefix), pre-POSIX/v7, GNU (long names `L`,
 * long link names `K`, base-256 numbers) and PAX (`x` records for path,
 * linkpath, size, uid, gid, uname, gname, mtime, atime, SCHILY.xattr.* and
 * LIBARCHIVE.xattr.*; `g` global records are checked and otherwise ignored).
 *
 * Strict where leniency has been a vulnerability elsewhere: a bad checksum,
 * a number that is not one, a negative or unsafe size, a name with a NUL or
 * invalid UTF-8, a path longer than PATH_MAX, sparse files, a lone zero
 * block followed by data and truncation are all errors. Like Go's
 * archive/tar (and so umoci), header-only types (links, directories,
 * devices, fifos) carry no content whatever their size field says.
 *
 * Also like Go's archive/tar (containerd, umoci, skopeo), a stream that stops
 * exactly at an entry boundary (the last entry's content complete, its
 * padding and the end-of-archive marker absent) is complete: umoci 0.4.7's
 * `insert` writes such layers (umoci#436, fixed in umoci#534). `ended` tells
 * whether the marker was there. Truncation inside content or padding, or
 * after an extended header, is still an error; a layer's bytes are pinned by
 * its digest and diff_id anyway.
 */
import { describeLimit, Limits, type Limit } from '@ocikit/validation';
import { BundleError, BundleErrorCode, q } from '../errors.js';

export const TarEntryType = {
  File: 'file',
  Directory: 'directory',
  Symlink: 'symlink',
  Hardlink: 'hardlink',
  CharDevice: 'char-device',
  BlockDevice: 'block-device',
  Fifo: 'fifo',
} as const;
export type TarEntryType = (typeof TarEntryType)[keyof typeof TarEntryType];

export interface TarEntry {
  /** The name as archived (PAX `path` or GNU long name when present), not normalised. */
  name: string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Content bytes (0 for every type but File). */
  size: number;
  /** Seconds since the epoch, with a fraction when PAX gave one. */
  mtime: number;
  atime: number | undefined;
  /** Symlink target or hardlink target name. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from PAX records, in archive order. */
  xattrs: Map<string, Buffer> | undefined;
}

export interface TarHandler {
  /** A header was read. Content follows through `data`, then `end`. */
  entry(entry: TarEntry): void;
  /** A slice of the current entry's content; valid only during the call. */
  data(chunk: Buffer): void;
  /** The current entry's content is complete. */
  end(): void;
}

export interface TarReaderOptions {
  /** Longest accepted path or link name in bytes (default MAX_PATH_BYTES: 4096, Linux PATH_MAX). */
  maxPathBytes?: number;
  /** Largest accepted PAX or GNU long-name record (default MAX_TAR_META_BYTES: 1 MiB). */
  maxMetaBytes?: number;
}

/** A limit from the table, or the caller's own value for it. */
function limitOf(table: Limit, option: keyof TarReaderOptions, value: number | undefined): Limit {
  return value === undefined ? table : { name: option, value, unit: 'bytes' };
}

const BLOCK = 512;
const State = { Header: 0, Data: 1, Padding: 2, Meta: 3, End: 4 } as const;
type State = (typeof State)[keyof typeof State];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalid(message: string): BundleError {
  return new BundleError(BundleErrorCode.InvalidTar, message);
}

interface PendingMeta {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  mtime?: number;
  atime?: number;
  xattrs?: Map<string, Buffer>;
}

export class TarReader {
  readonly #handler: TarHandler;
  readonly #maxPath: Limit;
  readonly #maxMeta: Limit;
  #state: State = State.Header;
  /** A header split across chunks. */
  readonly #hdr = Buffer.alloc(BLOCK);
  #hdrLen = 0;
  /** Content bytes left in the current entry, then padding bytes left. */
  #remaining = 0;
  #padding = 0;
  /** Padding of the current entry before any of it was read. */
  #paddingFull = 0;
  #deliver = false;
  #zeroBlocks = 0;
  /** A meta record being collected (PAX `x`/`g`, GNU `L`/`K`). */
  #meta: Buffer | undefined;
  #metaLen = 0;
  #metaType = 0;
  #pending: PendingMeta = {};
  #entries = 0;
  /** Bytes consumed so far (for messages). */
  #offset = 0;

  constructor(handler: TarHandler, options: TarReaderOptions = {}) {
    this.#handler = handler;
    this.#maxPath = limitOf(Limits.PathBytes, 'maxPathBytes', options.maxPathBytes);
    this.#maxMeta = limitOf(Limits.TarMetaBytes, 'maxMetaBytes', options.maxMetaBytes);
  }

  /** Number of entries seen so far. */
  get entries(): number {
    return this.#entries;
  }

  /** True once the end-of-archive marker was read. */
  get ended(): boolean {
    return this.#state === State.End;
  }

  write(chunk: Buffer): void {
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      switch (this.#state) {
        case State.Header: {
          if (this.#hdrLen === 0 && len - off >= BLOCK) {
            this.#header(chunk.subarray(off, off + BLOCK));
            off += BLOCK;
            this.#offset += BLOCK;
          } else {
            const n = Math.min(BLOCK - this.#hdrLen, len - off);
            chunk.copy(this.#hdr, this.#hdrLen, off, off + n);
            this.#hdrLen += n;
            off += n;
            if (this.#hdrLen === BLOCK) {
              this.#hdrLen = 0;
              this.#offset += BLOCK;
              this.#header(this.#hdr);
            }
          }
          break;
        }
        case State.Data: {
          const n = Math.min(this.#remaining, len - off);
          if (this.#deliver) this.#handler.data(chunk.subarray(off, off + n));
          this.#remaining -= n;
          off += n;
          this.#offset += n;
          if (this.#remaining === 0) this.#endContent();
          break;
        }
        case State.Padding: {
          const n = Math.min(this.#padding, len - off);
          this.#padding -= n;
          off += n;
          this.#offset += n;
          if (this.#padding === 0) this.#state = State.Header;
          break;
        }
        case State.Meta: {
          const n = Math.min(this.#remaining, len - off);
          chunk.copy(this.#meta!, this.#metaLen, off, off + n);
          this.#metaLen += n;
          this.#remaining -= n;
          off += n;
          this.#offset += n;
          if (this.#remaining === 0) {
            this.#finishMeta();
            this.#skipPadding(this.#metaLen);
          }
          break;
        }
        case State.End:
          // Whatever follows the end marker (record padding) is not archive content.
          this.#offset += len - off;
          return;
      }
    }
  }

  /**
   * Skip the rest of the current entry's content unread, for a caller that
   * can seek its input (listing an archive's entries): returns how many
   * input bytes to skip. 0 when no content is pending.
   */
  skipContent(): number {
    if (this.#state !== State.Data) return 0;
    const n = this.#remaining;
    this.#remaining = 0;
    this.#offset += n;
    this.#endContent();
    return n;
  }

  /** The input is complete: anything cut short (but the end marker, see above) is an error. */
  finish(): void {
    const atBoundary =
      this.#state === State.End ||
      (this.#state === State.Header && this.#hdrLen === 0) ||
      (this.#state === State.Padding && this.#padding === this.#paddingFull);
    if (atBoundary) {
      if (this.#metaType !== 0 || Object.keys(this.#pending).length > 0) {
        throw invalid('tar stream ends after an extended header with no entry for it');
      }
      return;
    }
    throw invalid(`tar stream is truncated at byte ${this.#offset}${this.#state === State.Data ? ' (inside an entry\'s content)' : ''}`);
  }

  #endContent(): void {
    if (this.#deliver) this.#handler.end();
    this.#deliver = false;
    this.#skipPadding(this.#contentSize);
  }

  #contentSize = 0;

  #skipPadding(size: number): void {
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    this.#padding = pad;
    this.#paddingFull = pad;
    this.#state = pad > 0 ? State.Padding : State.Header;
  }

  #header(h: Buffer): void {
    if (isZeroBlock(h)) {
      this.#zeroBlocks++;
      if (this.#zeroBlocks === 2) this.#state = State.End;
      return;
    }
    if (this.#zeroBlocks > 0) throw invalid(`lone zero block before a header at byte ${this.#offset - BLOCK}`);
    verifyChecksum(h, this.#offset - BLOCK);
    const typeflag = h[156]!;
    const magic = h.toString('latin1', 257, 263);
    const version = h.toString('latin1', 263, 265);
    const gnu = magic === 'ustar ' && version === ' \0';
    const ustar = magic === 'ustar\0';
    if (!gnu && !ustar && !isZero(h, 257, 265)) throw invalid(`unknown tar header magic ${q(magic)} at byte ${this.#offset - BLOCK}`);
    const size = parseNumber(h, 124, 12, 'size');

    // Meta entries: their content describes the next entry.
    if (typeflag === 0x78 /* x */ || typeflag === 0x67 /* g */ || ((typeflag === 0x4c /* L */ || typeflag === 0x4b) /* K */ && gnu)) {
      if (this.#metaType !== 0) throw invalid('extended header follows an extended header that has no entry');
      if (size > this.#maxMeta.value) throw invalid(`extended header of ${size} bytes is larger than ${describeLimit(this.#maxMeta)}`);
      this.#metaType = typeflag;
      this.#meta = Buffer.allocUnsafe(size);
      this.#metaLen = 0;
      this.#remaining = size;
      if (size === 0) {
        this.#finishMeta();
        this.#state = State.Header;
      } else {
        this.#state = State.Meta;
      }
      return;
    }

    const p = this.#pending;
    this.#pending = {};
    let name: string;
    if (p.path !== undefined) name = p.path;
    else {
      name = cString(h, 0, 100, 'name');
      if (ustar) {
        const prefix = cString(h, 345, 155, 'prefix');
        if (prefix !== '') name = `${prefix}/${name}`;
      }
    }
    const linkname = p.linkpath ?? cString(h, 157, 100, 'linkname');
    if (name === '') throw invalid(`tar entry with an empty name at byte ${this.#offset - BLOCK}`);
    checkLength(name, this.#maxPath, 'name');
    checkLength(linkname, this.#maxPath, 'link name');

    let type: TarEntryType;
    switch (typeflag) {
      case 0x30: case 0x00: case 0x37: type = TarEntryType.File; break;
      case 0x31: type = TarEntryType.Hardlink; break;
      case 0x32: type = TarEntryType.Symlink; break;
      case 0x33: type = TarEntryType.CharDevice; break;
      case 0x34: type = TarEntryType.BlockDevice; break;
      case 0x35: type = TarEntryType.Directory; break;
      case 0x36: type = TarEntryType.Fifo; break;
      default:
        throw new BundleError(BundleErrorCode.UnsupportedTarEntry, `tar entry ${q(name)} has type ${q(String.fromCharCode(typeflag))}, which is not extracted (sparse, multi-volume and vendor types are refused)`);
    }
    // Pre-POSIX archives mark directories by a trailing slash on a regular entry.
    if (type === TarEntryType.File && typeflag === 0x00 && name.endsWith('/')) type = TarEntryType.Directory;

    const contentSize = p.size ?? size;
    const entry: TarEntry = {
      name,
      type,
      mode: parseNumber(h, 100, 8, 'mode') & 0o7777,
      uid: p.uid ?? parseNumber(h, 108, 8, 'uid'),
      gid: p.gid ?? parseNumber(h, 116, 8, 'gid'),
      uname: p.uname ?? (ustar || gnu ? cString(h, 265, 32, 'uname') : ''),
      gname: p.gname ?? (ustar || gnu ? cString(h, 297, 32, 'gname') : ''),
      size: type === TarEntryType.File ? contentSize : 0,
      mtime: p.mtime ?? parseNumber(h, 136, 12, 'mtime'),
      atime: p.atime,
      linkname,
      devmajor: type === TarEntryType.CharDevice || type === TarEntryType.BlockDevice ? parseNumber(h, 329, 8, 'devmajor') : 0,
      devminor: type === TarEntryType.CharDevice || type === TarEntryType.BlockDevice ? parseNumber(h, 337, 8, 'devminor') : 0,
      xattrs: p.xattrs,
    };
    this.#entries++;
    this.#handler.entry(entry);
    if (type === TarEntryType.File) {
      this.#contentSize = contentSize;
      this.#remaining = contentSize;
      this.#deliver = true;
      if (contentSize === 0) this.#endContent();
      else this.#state = State.Data;
    } else {
      this.#handler.end();
    }
  }

  #finishMeta(): void {
    const data = this.#meta!.subarray(0, this.#metaLen);
    const type = this.#metaType;
    this.#metaType = 0;
    this.#meta = undefined;
    if (type === 0x4c || type === 0x4b) {
      const value = metaString(data, type === 0x4c ? 'GNU long name' : 'GNU long link name');
      if (type === 0x4c) this.#pending.path = value;
      else this.#pending.linkpath = value;
      return;
    }
    const records = parsePax(data);
    if (type === 0x67) return; // global: validated, not applied (like Go's reader)
    for (const [key, raw] of records) applyPax(this.#pending, key, raw);
  }
}

function isZeroBlock(h: Buffer): boolean {
  // Compare 8 bytes at a time; headers are rarely zero so this exits early.
  for (let i = 0; i < BLOCK; i += 8) if (h.readBigUInt64LE(i) !== 0n) return false;
  return true;
}

function isZero(h: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (h[i] !== 0) return false;
  return true;
}

function verifyChecksum(h: Buffer, at: number): void {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const stored = parseNumber(h, 148, 8, 'checksum');
  if (stored !== unsigned && stored !== signed) {
    throw invalid(`tar header checksum mismatch at byte ${at}: header says ${stored}, computed ${unsigned}`);
  }
}

/** An octal field (space/NUL padded) or a GNU base-256 field. */
function parseNumber(h: Buffer, start: number, len: number, field: string): number {
  const first = h[start]!;
  if (first & 0x80) {
    if (first === 0xff) throw invalid(`tar header field ${field} is negative`);
    let v = first & 0x7f;
    for (let i = start + 1; i < start + len; i++) {
      v = v * 256 + h[i]!;
      if (v > Number.MAX_SAFE_INTEGER) throw invalid(`tar header field ${field} is too large`);
    }
    return v;
  }
  let i = start;
  const end = start + len;
  while (i < end && (h[i] === 0x20 || h[i] === 0x00)) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = h[i]!;
    if (c >= 0x30 && c <= 0x37) {
      v = v * 8 + (c - 0x30);
      digits++;
    } else break;
  }
  for (; i < end; i++) {
    const c = h[i]!;
    if (c !== 0x20 && c !== 0x00) throw invalid(`tar header field ${field} is not an octal number`);
  }
  if (v > Number.MAX_SAFE_INTEGER) throw invalid(`tar header field ${field} is too large`);
  return digits === 0 ? 0 : v;
}

function decodeUtf8(bytes: Buffer, what: string): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidPath, `tar ${what} is not valid UTF-8: ${q(bytes.toString('latin1'))}`, { cause });
  }
}

/** A NUL-terminated header field. Bytes after the NUL are ignored, as every reader does. */
function cString(h: Buffer, start: number, len: number, what: string): string {
  let end = h.indexOf(0, start);
  if (end < 0 || end > start + len) end = start + len;
  return decodeUtf8(h.subarray(start, end), what);
}

/** GNU long names: the content, NUL-terminated; a NUL inside the name is refused. */
function metaString(data: Buffer, what: string): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  const bytes = data.subarray(0, end);
  if (bytes.includes(0)) throw new BundleError(BundleErrorCode.InvalidPath, `${what} contains a NUL byte`);
  return decodeUtf8(bytes, what);
}

function checkLength(s: string, max: Limit, what: string): void {
  if (s.length > max.value || Buffer.byteLength(s) > max.value) {
    throw new BundleError(BundleErrorCode.InvalidPath, `tar entry ${what} is ${Buffer.byteLength(s)} bytes long, more than ${describeLimit(max)}`);
  }
}

/** PAX records: "<length> <key>=<value>\n", length counting the whole record. */
function parsePax(data: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  let off = 0;
  while (off < data.length) {
    // Tolerate NUL padding at the end, as GNU tar writes none but others do.
    if (data[off] === 0 && isZero(data, off, data.length)) break;
    const sp = data.indexOf(0x20, off);
    if (sp < 0 || sp - off > 20) throw invalid('PAX record has no length');
    const lenText = data.toString('latin1', off, sp);
    if (!/^[1-9][0-9]*$/.test(lenText)) throw invalid(`PAX record length ${q(lenText)} is not a number`);
    const recLen = Number(lenText);
    const end = off + recLen;
    if (end > data.length || data[end - 1] !== 0x0a) throw invalid('PAX record length does not match its content');
    const eq = data.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq >= end) throw invalid('PAX record has no "="');
    const key = decodeUtf8(data.subarray(sp + 1, eq), 'PAX key');
    if (key === '') throw invalid('PAX record has an empty key');
    out.push([key, data.subarray(eq + 1, end - 1)]);
    off = end;
  }
  return out;
}

function paxInt(key: string, raw: Buffer): number {
  const s = raw.toString('latin1');
  if (!/^[0-9]{1,16}$/.test(s) || Number(s) > Number.MAX_SAFE_INTEGER) throw invalid(`PAX ${key} ${q(s)} is not a non-negative integer`);
  return Number(s);
}

function paxTime(key: string, raw: Buffer): number {
  const s = raw.toString('latin1');
  if (!/^-?[0-9]{1,16}(\.[0-9]{0,18})?$/.test(s)) throw invalid(`PAX ${key} ${q(s)} is not a time`);
  return Number(s);
}

function paxString(key: string, raw: Buffer): string {
  if (raw.includes(0)) throw new BundleError(BundleErrorCode.InvalidPath, `PAX ${key} contains a NUL byte`);
  return decodeUtf8(raw, `PAX ${key}`);
}

const XATTR_SCHILY = 'SCHILY.xattr.';
const XATTR_LIBARCHIVE = 'LIBARCHIVE.xattr.';

function applyPax(p: PendingMeta, key: string, raw: Buffer): void {
  switch (key) {
    case 'path': p.path = paxString(key, raw); return;
    case 'linkpath': p.linkpath = paxString(key, raw); return;
    case 'size': p.size = paxInt(key, raw); return;
    case 'uid': p.uid = paxInt(key, raw); return;
    case 'gid': p.gid = paxInt(key, raw); return;
    case 'uname': p.uname = paxString(key, raw); return;
    case 'gname': p.gname = paxString(key, raw); return;
    case 'mtime': p.mtime = paxTime(key, raw); return;
    case 'atime': p.atime = paxTime(key, raw); return;
  }
  if (key.startsWith('GNU.sparse.')) {
    throw new BundleError(BundleErrorCode.UnsupportedTarEntry, `sparse tar entries are not extracted (PAX ${key})`);
  }
  if (key.startsWith(XATTR_SCHILY)) {
    const name = key.slice(XATTR_SCHILY.length);
    if (name === '' || name.includes('\0')) throw invalid(`PAX ${q(key)} names no valid attribute`);
    (p.xattrs ??= new Map()).set(name, Buffer.from(raw));
    return;
  }
  if (key.startsWith(XATTR_LIBARCHIVE)) {
    // libarchive: URL-encoded name, base64 value.
    let name: string;
    try {
      name = decodeURIComponent(key.slice(XATTR_LIBARCHIVE.length));
    } catch (cause) {
      throw new BundleError(BundleErrorCode.InvalidTar, `PAX ${q(key)} has a malformed name`, { cause });
    }
    if (name === '' || name.includes('\0')) throw invalid(`PAX ${q(key)} names no valid attribute`);
    (p.xattrs ??= new Map()).set(name, Buffer.from(raw.toString('latin1'), 'base64'));
  }
  // Other keys (comment, charset, ctime, vendor keys) do not change what is extracted.
}
