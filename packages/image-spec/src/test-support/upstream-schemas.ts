/**
 * image-spec's own JSON schemas (draft-04, as shipped by the Debian package
 * golang-github-opencontainers-image-spec-dev), compiled with ajv for
 * differential tests. Each file gets an `$id` under one base URL so that their
 * references by file name resolve; nested draft-04 `id`s are dropped.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

export const UPSTREAM_SCHEMAS = process.env['OCIKIT_IMAGE_SPEC_SCHEMAS'] ?? '/usr/share/gocode/src/github.com/opencontainers/image-spec/schema';

export const UPSTREAM_FILES = {
  descriptor: 'content-descriptor.json',
  'image-manifest': 'image-manifest-schema.json',
  'image-index': 'image-index-schema.json',
  'image-config': 'config-schema.json',
  'oci-layout': 'image-layout-schema.json',
} as const;
export type UpstreamKind = keyof typeof UPSTREAM_FILES;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function stripIds(v: Json, root: boolean): Json {
  if (Array.isArray(v)) return v.map((x) => stripIds(x, false));
  if (v === null || typeof v !== 'object') return v;
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'id' && typeof x === 'string') continue;
    if (k === '$schema' && root) continue;
    out[k] =
      k === 'properties' && x !== null && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).map(([name, s]) => [name, stripIds(s, false)]))
        : stripIds(x, false);
  }
  return out;
}

/** A compiled upstream validator per kind. */
export function upstreamValidators(): Record<UpstreamKind, ValidateFunction> {
  const base = 'https://opencontainers.org/schema/';
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/);
  for (const file of readdirSync(UPSTREAM_SCHEMAS).filter((f) => f.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(path.join(UPSTREAM_SCHEMAS, file), 'utf8')) as Json, true) as { [k: string]: Json };
    ajv.addSchema({ ...schema, $id: base + file });
  }
  const out = {} as Record<UpstreamKind, ValidateFunction>;
  for (const [kind, file] of Object.entries(UPSTREAM_FILES) as [UpstreamKind, string][]) out[kind] = ajv.getSchema(base + file)!;
  return out;
}
