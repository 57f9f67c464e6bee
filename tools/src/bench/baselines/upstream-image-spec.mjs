// Baseline for benchmarks: ajv compiled directly from image-spec's own JSON
// schema files (Debian golang-github-opencontainers-image-spec-dev), as a
// user without ocikit would assemble it. Plain JavaScript so that it can run
// as its own process with no TypeScript loader in the measurement.
//
// The upstream files are draft-04 and refer to each other by file name: each
// file gets an `$id` under one base URL so those references resolve, nested
// draft-04 `id`s are dropped, and the `uri` and `date-time` formats are backed
// by small regular expressions.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';

export const UPSTREAM_IMAGE_SPEC_SCHEMAS = process.env.OCIKIT_IMAGE_SPEC_SCHEMAS ?? '/usr/share/gocode/src/github.com/opencontainers/image-spec/schema';
const BASE = 'https://opencontainers.org/schema/';

/** Upstream schema file of each document kind. */
export const UPSTREAM_FILES = {
  descriptor: 'content-descriptor.json',
  'image-manifest': 'image-manifest-schema.json',
  'image-index': 'image-index-schema.json',
  'image-config': 'config-schema.json',
  'oci-layout': 'image-layout-schema.json',
};

function stripIds(v, root) {
  if (Array.isArray(v)) return v.map((x) => stripIds(x, false));
  if (v === null || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'id' && typeof x === 'string') continue;
    if (k === '$schema' && root) continue;
    // Children of `properties` are names, not schemas with keywords.
    out[k] = k === 'properties' && x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).map(([name, s]) => [name, stripIds(s, false)]))
      : stripIds(x, false);
  }
  return out;
}

/** ajv with every upstream schema file loaded; a compiled validator per kind. */
export function upstreamValidators(dir = UPSTREAM_IMAGE_SPEC_SCHEMAS) {
  const ajv = new Ajv({ strict: false });
  ajv.addFormat('uri', /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), true);
    ajv.addSchema({ ...schema, $id: BASE + file });
  }
  return Object.fromEntries(Object.entries(UPSTREAM_FILES).map(([kind, file]) => [kind, ajv.getSchema(BASE + file)]));
}

// As a process: `node upstream-image-spec.mjs DIR KINDS.json` validates every
// file of DIR as the kind KINDS.json names for it; exit 1 if any is invalid.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, kindsFile] = process.argv.slice(2);
  const kinds = JSON.parse(readFileSync(kindsFile, 'utf8'));
  const validators = upstreamValidators();
  let invalid = 0;
  for (const f of readdirSync(dir)) {
    const kind = kinds[f];
    if (!kind) continue;
    if (!validators[kind](JSON.parse(readFileSync(path.join(dir, f), 'utf8')))) invalid++;
  }
  process.exitCode = invalid ? 1 : 0;
}
