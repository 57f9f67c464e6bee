/**
 * The bundle record (see README "Bundle digest"): one line for
 * `config.json`, one line per rootfs entry sorted by path bytes, every
 * byte that is not printable ASCII escaped, hashed with sha256 into the
 * bundle digest. The record is text so that it can be printed, stored and
 * compared line by line; the digest is the sha256 of exactly those bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import type { HashPool } from '../tree/hash-pool.js';
import { escapeLatin1 } from '../tree/scan.js';
import { scanTree } from '../tree/scan-pool.js';
import { EntryType, type WalkEntry } from '../tree/walk.js';

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

/** JSON with object keys sorted (by UTF-16 code units, as JSON.stringify sees them) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((k) => (value as { [k: string]: unknown })[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as { [k: string]: unknown })[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The rootfs directory a bundle's config.json names (runtime-spec config.md "root"). */
export function readBundleConfig(bundle: string): { config: unknown; rootfs: string; configDigest: string } {
  const file = path.join(bundle, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidBundle, `bundle ${q(bundle)} has no readable config.json`, { cause, ref: BUNDLE_REF });
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidBundle, `${q(file)} is not JSON`, { cause, ref: BUNDLE_REF });
  }
  const rootPath = (config as { root?: { path?: unknown } } | null)?.root?.path ?? 'rootfs';
  if (typeof rootPath !== 'string' || rootPath === '' || path.isAbsolute(rootPath) || path.normalize(rootPath).split(path.sep)[0] === '..') {
    throw new BundleError(BundleErrorCode.InvalidBundle, `config.json root.path ${JSON.stringify(rootPath)} is not a directory inside the bundle`, { ref: BUNDLE_REF });
  }
  const configDigest = `sha256:${createHash('sha256').update(canonicalJson(config)).digest('hex')}`;
  return { config, rootfs: path.join(bundle, rootPath), configDigest };
}

const BUNDLE_REF = 'https://github.com/opencontainers/runtime-spec/blob/v1.3.0/bundle.md';

/**
 * Content digests of regular files, computed in parallel by a pool; a file
 * with several hardlinks is hashed once. Files can be added while a tree is
 * still being walked, so hashing overlaps the walk.
 */
export class ContentHasher {
  readonly #pool: HashPool;
  readonly #byInode = new Map<string, Promise<string>>();
  readonly #byEntry = new Map<WalkEntry, Promise<string>>();

  constructor(pool: HashPool) {
    this.#pool = pool;
  }

  add(e: WalkEntry): void {
    if (e.type !== EntryType.File || this.#byEntry.has(e)) return;
    let p = e.inode === undefined ? undefined : this.#byInode.get(e.inode);
    if (p === undefined) {
      p = this.#pool.hash(e.host, e.size).then((r) => {
        if ('error' in r) throw new BundleError(BundleErrorCode.InvalidBundle, `cannot read ${q(e.host.toString())}: ${r.error.message}`);
        if (r.size !== e.size) throw new BundleError(BundleErrorCode.InvalidBundle, `${q(e.host.toString())} changed while it was read (${e.size} bytes, then ${r.size})`);
        return r.digest;
      });
      // Rejections are observed by `digests`; keep Node from reporting them first.
      p.catch(() => undefined);
      if (e.inode !== undefined) this.#byInode.set(e.inode, p);
    }
    this.#byEntry.set(e, p);
  }

  /** Digests of the entries added, by entry. */
  async digests(): Promise<Map<WalkEntry, string>> {
    this.#pool.flush();
    const out = new Map<WalkEntry, string>();
    await Promise.all([...this.#byEntry].map(async ([e, p]) => void out.set(e, await p)));
    return out;
  }
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
