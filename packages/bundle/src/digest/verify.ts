/**
 * Checking a bundle against a digest or a record, and naming the first
 * entry that differs.
 */
import path from 'node:path';
import { isValidDigest } from '@ocikit/digest';
import { Limits, readRegularFile } from '@ocikit/validation';
import type { TreeEntry } from '../tree/record.js';
import { bundleRecord, escapeBytes, RECORD_VERSION, type BundleRecordOptions } from './record.js';
import { splitDev } from '../tree/walk.js';

export interface RecordDifference {
  /** `config.json`, a rootfs path as written in the record (`/etc/passwd`), or `record` for the header. */
  entry: string;
  kind: 'added' | 'removed' | 'changed';
  /** Fields that differ, `name: expected -> actual` (for `changed`). */
  fields: string[];
}

export interface BundleVerification {
  ok: boolean;
  expected: string;
  actual: string;
  /** The first differing entry when a record (or the unpack record) was there to compare with. */
  difference: RecordDifference | undefined;
  /** What the difference was found against: the given record, or the unpack record. */
  against: 'record' | 'unpack-record' | undefined;
}

interface Line {
  key: string;
  fields: Map<string, string>;
}

function parseLine(line: string): Line {
  const parts = line.split(' ');
  const fields = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    fields.set(eq < 0 ? p : p.slice(0, eq), eq < 0 ? '' : p.slice(eq + 1));
  }
  return { key: parts[0]!, fields };
}

/** Sort key of a record line: config.json first, then rootfs paths by (unescaped) bytes. */
function order(a: string, b: string): number {
  const ac = a.startsWith('/');
  const bc = b.startsWith('/');
  if (ac !== bc) return ac ? 1 : -1;
  return Buffer.compare(unescape(a), unescape(b));
}
function unescape(s: string): Buffer {
  return Buffer.from(s.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))), 'latin1');
}

/** The first entry where two records differ, walking both in order; undefined when equal. */
export function diffRecords(expected: string, actual: string): RecordDifference | undefined {
  const e = expected.split('\n').filter((l) => l !== '');
  const a = actual.split('\n').filter((l) => l !== '');
  if (e[0] !== a[0]) return { entry: 'record', kind: 'changed', fields: [`version: ${e[0] ?? ''} -> ${a[0] ?? ''}`] };
  let i = 1;
  let j = 1;
  while (i < e.length || j < a.length) {
    if (i < e.length && j < a.length && e[i] === a[j]) {
      i++;
      j++;
      continue;
    }
    if (j >= a.length) return { entry: parseLine(e[i]!).key, kind: 'removed', fields: [] };
    if (i >= e.length) return { entry: parseLine(a[j]!).key, kind: 'added', fields: [] };
    const le = parseLine(e[i]!);
    const la = parseLine(a[j]!);
    const c = order(le.key, la.key);
    if (c < 0) return { entry: le.key, kind: 'removed', fields: [] };
    if (c > 0) return { entry: la.key, kind: 'added', fields: [] };
    const names = [...new Set([...le.fields.keys(), ...la.fields.keys()])];
    const fields = names.filter((n) => le.fields.get(n) !== la.fields.get(n)).map((n) => `${n}: ${le.fields.get(n) ?? '(none)'} -> ${la.fields.get(n) ?? '(none)'}`);
    return { entry: le.key, kind: 'changed', fields };
  }
  return undefined;
}

/**
 * The unpack record (`ocikit.tree`, JSON lines) in this record's terms:
 * every field but config.json and mtimes, which it does not hold in this
 * form. Enough to name what changed since the unpack.
 */
function treeAsRecord(bundle: string, mtimes: boolean): string | undefined {
  let text: string;
  try {
    text = readRegularFile(path.join(bundle, 'ocikit.tree'), Limits.RecordBytes).toString('utf8');
  } catch {
    // No record (a FIFO, a file too large, nothing): nothing to name differences with.
    return undefined;
  }
  const lines = [`${RECORD_VERSION}${mtimes ? ' mtimes' : ''}`];
  const recordPath = (p: string): string => (p === '.' ? '/' : `/${escapeBytes(Buffer.from(p))}`);
  for (const l of text.split('\n')) {
    if (l === '') continue;
    const t = JSON.parse(l) as TreeEntry;
    let line = `${recordPath(t.path)} type=${t.type} mode=${t.mode.toString(8).padStart(4, '0')} uid=${t.uid} gid=${t.gid}`;
    if (t.type === 'file') {
      line += ` size=${t.size} digest=${t.digest}`;
      // The record names the group's first path on every other member.
      if (t.link !== undefined && t.link !== t.path) line += ` link=${recordPath(t.link)}`;
    }
    if (t.type === 'symlink') line += ` target=${escapeBytes(Buffer.from(t.target ?? ''))}`;
    if (t.type === 'char' || t.type === 'block') line += ` dev=${splitDev(BigInt(t.rdev ?? 0)).join(',')}`;
    for (const [name, value] of Object.entries(t.xattrs ?? {}).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
      line += ` xattr.${escapeBytes(Buffer.from(name))}=${escapeBytes(Buffer.from(value, 'base64'))}`;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** Drop what the unpack record does not keep (config.json, mtimes), so that only real changes show. */
function comparable(record: string): string {
  return record
    .split('\n')
    .filter((l) => !l.startsWith('config.json '))
    .map((l) => l.replace(/ mtime=[^ ]*/g, ''))
    .join('\n');
}

/**
 * Compare a bundle with `expected`: a bundle digest (`sha256:...`) or a
 * record as printed by `bundleRecord` (its text). With a record, the first
 * differing entry is named; with a digest alone, the bundle's unpack record
 * (when there is one) names the first change since the unpack.
 */
export async function verifyBundle(bundle: string, expected: string, options: BundleRecordOptions = {}): Promise<BundleVerification> {
  const isDigest = isValidDigest(expected.trim());
  const givenRecord = isDigest ? undefined : expected;
  const mtimes = options.mtimes ?? givenRecord?.startsWith(`${RECORD_VERSION} mtimes`) ?? false;
  const rec = await bundleRecord(bundle, { ...options, mtimes });
  if (givenRecord !== undefined) {
    const difference = diffRecords(givenRecord, rec.text);
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(givenRecord).digest('hex')}`;
    return { ok: difference === undefined, expected: digest, actual: rec.digest, difference, against: 'record' };
  }
  const want = expected.trim();
  if (want === rec.digest) return { ok: true, expected: want, actual: rec.digest, difference: undefined, against: undefined };
  const tree = treeAsRecord(bundle, false);
  const difference = tree === undefined ? undefined : diffRecords(tree, comparable(rec.text));
  return { ok: false, expected: want, actual: rec.digest, difference, against: difference ? 'unpack-record' : undefined };
}
