// image-spec's own JSON schemas (draft-04, as the Debian package
// golang-github-opencontainers-image-spec-dev ships them), compiled with ajv:
// the differential tests' oracle and the benchmarks' baseline (a user's
// validator without ocikit). Plain JavaScript, so that a benchmark can run it
// as its own process with no TypeScript loader in the measurement; types in
// upstream-schemas.d.mts.
//
// The files refer to each other by file name: each gets an `$id` under one
// base URL so those references resolve, nested draft-04 `id`s are dropped, and
// the `uri` and `date-time` formats are backed by small regular expressions.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';

export const UPSTREAM_SCHEMAS = process.env.OCIKIT_IMAGE_SPEC_SCHEMAS ?? '/usr/share/gocode/src/github.com/opencontainers/image-spec/schema';
const BASE = 'https://opencontainers.org/schema/';

/** Upstream schema file of each document kind. */
export const UPSTREAM_FILES = Object.freeze({
  descriptor: 'content-descriptor.json',
  'image-manifest': 'image-manifest-schema.json',
  'image-index': 'image-index-schema.json',
  'image-config': 'config-schema.json',
  'oci-layout': 'image-layout-schema.json',
});

function stripIds(v, root) {
  if (Array.isArray(v)) return v.map((x) => stripIds(x, false));
  if (v === null || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'id' && typeof x === 'string') continue;
    if (k === '$schema' && root) continue;
    // Children of `properties` are names, not schemas with keywords.
    out[k] = k === 'properties' && x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).map(([name, s]) => [name, stripIds(s, false)]))
      : stripIds(x, false);
  }
  return out;
}

/** ajv with every upstream schema file of `dir` loaded; a compiled validator per kind. */
export function upstreamValidators({ dir = UPSTREAM_SCHEMAS, allErrors = false } = {}) {
  const ajv = new Ajv({ strict: false, allErrors });
  ajv.addFormat('uri', /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), true);
    ajv.addSchema({ ...schema, $id: BASE + file });
  }
  return Object.fromEntries(Object.entries(UPSTREAM_FILES).map(([kind, file]) => [kind, ajv.getSchema(BASE + file)]));
}
