/**
 * The per-directory step of the bundle record, run on worker threads (or
 * inline): list one directory, lstat and describe each entry, hash each
 * regular file, and hand back its subdirectories. Paths travel as latin1
 * strings, which map bytes to characters one to one, so names stay bytes
 * and sort by plain string comparison.
 */
import { closeSync, lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { openRegularFile } from '@ocikit/validation';
import { entryType, readXattrs, splitDev } from './walk.js';
import { xattrsOrNull, type XattrApi } from '../fs/xattr.js';
import { hashFd } from './hash-file.js';

export interface ScanRequest {
  /** Host path of the rootfs (latin1). */
  root: string;
  /** Directories to list, relative to the root (latin1; '' for the root). */
  dirs: string[];
  mtimes: boolean;
}

export interface ScanResponse {
  /** Flat triples: relative path (latin1), record fields after the path, hardlink key ('' when none). */
  entries: string[];
  /** Subdirectories found (relative, latin1). */
  subdirs: string[];
  error?: { message: string; code?: string };
}

const SAFE = /[^\x21-\x24\x26-\x3c\x3e-\x7e]/;
const SAFE_G = /[^\x21-\x24\x26-\x3c\x3e-\x7e]/g;
/** Escape a latin1 string (bytes) as the record does: `%XX` outside printable ASCII and for `%`, `=`, space. */
export function escapeLatin1(s: string): string {
  return SAFE.test(s) ? s.replace(SAFE_G, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`) : s;
}

function xattrFields(api: XattrApi, host: Buffer): string {
  const pairs = readXattrs(api, host) ?? [];
  return pairs.map(([n, v]) => ` xattr.${escapeLatin1(Buffer.from(n).toString('latin1'))}=${escapeLatin1(v.toString('latin1'))}`).join('');
}

function mtimeField(ns: bigint): string {
  let sec = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    sec -= 1n;
    frac += 1_000_000_000n;
  }
  return ` mtime=${sec}.${frac.toString().padStart(9, '0')}`;
}

/**
 * Describe one entry: the record's fields after the path, its hardlink key
 * and whether it is a directory. Files are hashed here (O_NOFOLLOW).
 */
export function describeEntry(host: Buffer, mtimes: boolean, buffer: Buffer): { fields: string; link: string; dir: boolean } {
  const st = mtimes ? lstatSync(host, { bigint: true }) : lstatSync(host);
  const type = entryType(st);
  let fields = ` type=${type} mode=${(Number(st.mode) & 0o7777).toString(8).padStart(4, '0')} uid=${st.uid} gid=${st.gid}`;
  let link = '';
  if (type === 'file') {
    const { fd } = openRegularFile(host, { followSymlinks: false });
    let r;
    try {
      r = hashFd(fd, buffer);
    } finally {
      closeSync(fd);
    }
    if (r.size !== Number(st.size)) throw Object.assign(new Error(`${host.toString()} changed while it was read (${st.size} bytes, then ${r.size})`), { code: 'ECHANGED' });
    fields += ` size=${r.size} digest=${r.digest}`;
    if (Number(st.nlink) > 1) link = `${st.dev}:${st.ino}`;
  } else if (type === 'symlink') fields += ` target=${escapeLatin1(readlinkSync(host, { encoding: 'buffer' }).toString('latin1'))}`;
  else if (type === 'char' || type === 'block') {
    const [major, minor] = splitDev(BigInt(st.rdev));
    fields += ` dev=${major},${minor}`;
  }
  const api = xattrsOrNull();
  if (api) fields += xattrFields(api, host);
  if (mtimes) fields += mtimeField((st as BigIntStats).mtimeNs);
  return { fields, link, dir: type === 'dir' };
}

/** List and describe the entries of the requested directories. */
export function scanDirs(req: ScanRequest, buffer: Buffer): ScanResponse {
  const entries: string[] = [];
  const subdirs: string[] = [];
  const root = Buffer.from(req.root, 'latin1');
  try {
    for (const dir of req.dirs) {
      const hostDir = dir === '' ? root : Buffer.concat([root, Buffer.from(`/${dir}`, 'latin1')]);
      for (const name of readdirSync(hostDir, { encoding: 'buffer' })) {
        const rel = dir === '' ? name.toString('latin1') : `${dir}/${name.toString('latin1')}`;
        const d = describeEntry(Buffer.concat([hostDir, Buffer.from('/'), name]), req.mtimes, buffer);
        entries.push(rel, d.fields, d.link);
        if (d.dir) subdirs.push(rel);
      }
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { entries, subdirs, error: { message: e.message, ...(e.code !== undefined && { code: e.code }) } };
  }
  return { entries, subdirs };
}
