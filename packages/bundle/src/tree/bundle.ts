/**
 * A runtime bundle on disk (runtime-spec bundle.md): its config.json and
 * the root filesystem directory that config names. Read by the bundle
 * digest and by pack.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleError, BundleErrorCode, q } from '../errors.js';

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
