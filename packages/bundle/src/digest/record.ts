/**
 * The bundle record (see README "Bundle digest"): one line for
 * `config.json`, one line per rootfs entry sorted by path bytes, every
 * byte that is not printable ASCII escaped, hashed with sha256 into the
 * bundle digest. The record is text so that it can be printed, stored and
 * compared line by line; the digest is the sha256 of exactly those bytes.
 */
import { createHash } from 'node:crypto';
import { readBundleConfig } from '../tree/bundle.js';
import { escapeLatin1 } from '../tree/scan.js';
import { scanTree } from '../tree/scan-pool.js';

// config.json is recorded in canonical form (README "Record format"); the form is defined beside the bundle reader.
export { canonicalJson } from '../tree/bundle.js';

/** First line of every record; ` mtimes` follows when modification times are included. */
export const RECORD_VERSION = 'ocikit-bundle-record/v1';

export interface BundleRecordOptions {
  /** Include modification times (nanoseconds) of every entry (default false). */
  mtimes?: boolean;
  /** Hashing threads (default: one per core; 0 hashes on the calling thread). */
  threads?: number;
}

export interface BundleRecord {
  /** The record's bytes (ASCII text, one LF-terminated line per entry). */
  text: string;
  /** sha256 of `text`. */
  digest: string;
  /** Rootfs entries recorded. */
  entries: number;
}

/**
 * Escape every byte outside printable ASCII, and the three bytes the format
 * uses itself (space separates fields, `=` keys from values, `%` escapes),
 * as `%XX` (upper-case hex).
 */
export function escapeBytes(bytes: Buffer): string {
  return escapeLatin1(bytes.toString('latin1'));
}

export function unescapeBytes(text: string): Buffer {
  return Buffer.from(
    text.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  );
}



/** Compute the record and digest of the bundle at `bundle`. */
export async function bundleRecord(bundle: string, options: BundleRecordOptions = {}): Promise<BundleRecord> {
  const { rootfs, configDigest } = readBundleConfig(bundle);
  const mtimes = options.mtimes === true;
  const entries = await scanTree(rootfs, { mtimes, ...(options.threads !== undefined && { threads: options.threads }) });
  const lines = [`${RECORD_VERSION}${mtimes ? ' mtimes' : ''}`, `config.json digest=${configDigest}`];
  const firstLink = new Map<string, string>();
  for (const e of entries) {
    const p = e.rel === '' ? '/' : `/${escapeLatin1(e.rel)}`;
    let line = p + e.fields;
    if (e.link !== '') {
      const first = firstLink.get(e.link);
      if (first === undefined) firstLink.set(e.link, p);
      else {
        // link= follows the content fields (size, digest), before any xattr.
        const at = line.indexOf(' ', line.indexOf(' digest=') + 1);
        line = at < 0 ? `${line} link=${first}` : `${line.slice(0, at)} link=${first}${line.slice(at)}`;
      }
    }
    lines.push(line);
  }
  const text = `${lines.join('\n')}\n`;
  return { text, digest: `sha256:${createHash('sha256').update(text).digest('hex')}`, entries: entries.length };
}

/** The bundle digest: `sha256:` of the bundle record. */
export async function bundleDigest(bundle: string, options: BundleRecordOptions = {}): Promise<string> {
  return (await bundleRecord(bundle, options)).digest;
}
