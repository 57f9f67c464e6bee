/**
 * A small tar writer for tests: it can write what real tools write (ustar,
 * PAX, GNU long names) and what no tool should (bad checksums, traversal,
 * NUL bytes), so hostile layers can be built byte by byte.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface TestEntry {
  name: string;
  /** '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, or any other flag. */
  type?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  content?: string | Buffer;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX records written in an `x` header before this entry. */
  pax?: { [key: string]: string | Buffer };
  /** Write the name as a GNU `L` long name. */
  gnuLongName?: boolean;
  /** Corrupt the header checksum. */
  badChecksum?: boolean;
  /** Raw bytes for the name field (overrides name in the header). */
  rawName?: Buffer;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(e: {
  name: Buffer;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  gnu?: boolean;
  badChecksum?: boolean;
}): Buffer {
  const h = Buffer.alloc(512);
  e.name.copy(h, 0, 0, Math.min(100, e.name.length));
  h.write(octal(e.mode, 8), 100, 'latin1');
  h.write(octal(e.uid, 8), 108, 'latin1');
  h.write(octal(e.gid, 8), 116, 'latin1');
  h.write(octal(e.size, 12), 124, 'latin1');
  h.write(octal(Math.floor(e.mtime), 12), 136, 'latin1');
  h.write(e.type, 156, 'latin1');
  Buffer.from(e.linkname, 'utf8').copy(h, 157, 0, 100);
  if (e.gnu) h.write('ustar  \0', 257, 'latin1');
  else {
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
  }
  h.write(octal(e.devmajor, 8), 329, 'latin1');
  h.write(octal(e.devminor, 8), 337, 'latin1');
  return writeChecksum(h, e.badChecksum ? 1 : 0);
}

/**
 * (Re)write the checksum of the 512-byte header at the start of `block`
 * (the sum of its bytes with the checksum field as spaces), plus `skew`:
 * after a test edits a header field, only that field is then wrong.
 */
export function writeChecksum(block: Buffer, skew = 0): Buffer {
  block.fill(0x20, 148, 156);
  let sum = skew;
  for (const b of block.subarray(0, 512)) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return block;
}

function pad(b: Buffer): Buffer {
  const rest = (512 - (b.length % 512)) % 512;
  return rest ? Buffer.concat([b, Buffer.alloc(rest)]) : b;
}

function paxRecords(pax: { [key: string]: string | Buffer }): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(pax)) {
    const body = Buffer.concat([Buffer.from(` ${k}=`), Buffer.isBuffer(v) ? v : Buffer.from(v), Buffer.from('\n')]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    parts.push(Buffer.concat([Buffer.from(String(len)), body]));
  }
  return Buffer.concat(parts);
}

export function tarEntry(e: TestEntry): Buffer {
  const content = e.content === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
  const type = e.type ?? '0';
  const base = {
    mode: e.mode ?? (type === '5' ? 0o755 : 0o644),
    uid: e.uid ?? 0,
    gid: e.gid ?? 0,
    mtime: e.mtime ?? 1_600_000_000,
    linkname: e.linkname ?? '',
    devmajor: e.devmajor ?? 0,
    devminor: e.devminor ?? 0,
  };
  const out: Buffer[] = [];
  if (e.pax) {
    const body = paxRecords(e.pax);
    out.push(header({ ...base, name: Buffer.from('PaxHeader'), type: 'x', size: body.length }), pad(body));
  }
  let name = e.rawName ?? Buffer.from(e.name, 'utf8');
  if (e.gnuLongName) {
    const body = Buffer.concat([name, Buffer.from([0])]);
    out.push(header({ ...base, name: Buffer.from('././@LongLink'), type: 'L', size: body.length, gnu: true }), pad(body));
    name = name.subarray(0, 99);
  }
  const size = type === '0' || type === '7' ? content.length : 0;
  out.push(header({ ...base, name, type, size, gnu: e.gnuLongName === true, badChecksum: e.badChecksum === true }));
  if (size > 0) out.push(pad(content));
  return Buffer.concat(out);
}

/** A whole archive: entries, then the two zero blocks. */
export function tarArchive(entries: TestEntry[], options: { end?: boolean } = {}): Buffer {
  return Buffer.concat([...entries.map(tarEntry), ...(options.end === false ? [] : [Buffer.alloc(1024)])]);
}

export function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** A gzip layer and the digests a manifest and config need. */
export function gzipLayer(entries: TestEntry[]): { blob: Buffer; diffId: string; digest: string } {
  const tar = tarArchive(entries);
  const blob = gzipSync(tar);
  return { blob, diffId: sha256(tar), digest: sha256(blob) };
}
