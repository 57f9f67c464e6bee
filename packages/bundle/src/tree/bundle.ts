/**
 * A runtime bundle on disk (runtime-spec bundle.md): its config.json and
 * the root filesystem directory that config names. Read by the bundle
 * digest and by pack.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { FileError, Limits, readJsonText, readRegularFile } from '@ocikit/validation';
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

/**
 * A bundle's config.json and the rootfs directory it names (runtime-spec
 * config.md "root"). Read as `validate` reads it: a regular file (a FIFO
 * is a FileError, never waited on) of at most MAX_CONFIG_BYTES, by the
 * strict JSON reader (nesting within MAX_JSON_DEPTH, so that nothing that
 * walks the value can overflow the stack; duplicate names are left to
 * validate, the last one wins as in JSON.parse).
 */
export function readBundleConfig(bundle: string): { config: unknown; rootfs: string; configDigest: string } {
  const file = path.join(bundle, 'config.json');
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file, Limits.ConfigBytes);
  } catch (cause) {
    if (cause instanceof FileError) throw cause;
    throw new BundleError(BundleErrorCode.InvalidBundle, `bundle ${q(bundle)} has no readable config.json`, { cause, ref: BUNDLE_REF });
  }
  const text = readJsonText(bytes, { duplicateKeys: 'warning' });
  if (!text.parsed) {
    const first = text.errors[0];
    throw new BundleError(BundleErrorCode.InvalidBundle, `${q(file)} is not JSON ocikit reads: ${first?.path || '/'}: ${first?.message ?? 'no detail'}`, { ref: first?.ref ?? BUNDLE_REF });
  }
  const config = text.value;
  const rootPath = (config as { root?: { path?: unknown } } | null)?.root?.path ?? 'rootfs';
  if (typeof rootPath !== 'string' || rootPath === '' || path.isAbsolute(rootPath) || path.normalize(rootPath).split(path.sep)[0] === '..') {
    throw new BundleError(BundleErrorCode.InvalidBundle, `config.json root.path ${JSON.stringify(rootPath)} is not a directory inside the bundle`, { ref: BUNDLE_REF });
  }
  const configDigest = `sha256:${createHash('sha256').update(canonicalJson(config)).digest('hex')}`;
  return { config, rootfs: path.join(bundle, rootPath), configDigest };
}

const BUNDLE_REF = 'https://github.com/opencontainers/runtime-spec/blob/v1.3.0/bundle.md';
