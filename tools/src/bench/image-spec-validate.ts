/**
 * Validation throughput of `@ocikit/image-spec` (A) against ajv compiled
 * directly from image-spec's own JSON schemas (B), the validator a user would
 * otherwise assemble. Same documents, same process, one run.
 *
 * The upstream schemas are loaded by baselines/upstream-image-spec.mjs (also
 * the process-level baseline of the validate-cli benchmark).
 *
 * Two rounds of comparisons: documents as JSON text (what a registry or a
 * scanner receives: B parses with JSON.parse; A also checks UTF-8 and
 * duplicate names) and documents already parsed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validate, type DocumentKind } from '@ocikit/image-spec';
import { REPO_ROOT } from '../generate/generate.js';
import { compare, speedRatio } from './harness.js';
import { upstreamValidators } from './baselines/upstream-image-spec.mjs';
import type { Benchmark } from './registry.js';


/** Kinds both sides validate, with the upstream schema file of each. */
const KINDS: readonly [DocumentKind, string][] = [
  ['descriptor', 'content-descriptor.json'],
  ['image-manifest', 'image-manifest-schema.json'],
  ['image-index', 'image-index-schema.json'],
  ['image-config', 'config-schema.json'],
  ['oci-layout', 'image-layout-schema.json'],
];

/** The spec examples that ship as valid fixtures of the image-spec package, plus larger real-world shapes. */
export function documents(): { kind: DocumentKind; text: string }[] {
  const root = path.join(REPO_ROOT, 'packages/image-spec/test/fixtures');
  const docs: { kind: DocumentKind; text: string }[] = [];
  for (const [kind] of KINDS) {
    for (const f of readdirSync(path.join(root, kind, 'valid')).sort()) {
      docs.push({ kind, text: readFileSync(path.join(root, kind, 'valid', f), 'utf8') });
    }
  }
  const hex = (i: number) => i.toString(16).padStart(64, '0');
  const layers = Array.from({ length: 24 }, (_, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex(i + 1)}`, size: 1000 + i }));
  docs.push({
    kind: 'image-manifest',
    text: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${hex(99)}`, size: 7023 }, layers, annotations: { 'org.opencontainers.image.created': '2024-05-01T10:00:00Z', 'org.opencontainers.image.source': 'https://example.com/repo' } }),
  });
  const platforms = [['linux', 'amd64'], ['linux', 'arm64', 'v8'], ['linux', 'arm', 'v7'], ['linux', 'arm', 'v6'], ['linux', 'ppc64le'], ['linux', 's390x'], ['linux', 'riscv64'], ['linux', '386']];
  docs.push({
    kind: 'image-index',
    text: JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: platforms.map(([os, architecture, variant], i) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex(200 + i)}`, size: 1200 + i, platform: { os, architecture, ...(variant ? { variant } : {}) } })),
    }),
  });
  docs.push({
    kind: 'image-config',
    text: JSON.stringify({
      created: '2024-05-01T10:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'], Cmd: ['/bin/sh'], WorkingDir: '/', Labels: { 'org.opencontainers.image.version': '1.0' } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      history: layers.map((_, i) => ({ created: '2024-05-01T10:00:00Z', created_by: `/bin/sh -c step ${i}` })),
    }),
  });
  return docs;
}

export const benchmark: Benchmark = {
  name: 'image-spec-validate',
  description: 'documents/second: @ocikit/image-spec validate() vs ajv on image-spec\'s own JSON schemas (target: ours >= 0.5x)',
  async run() {
    const upstream = upstreamValidators();
    const docs = documents();
    // Both sides must accept every document, or the comparison is not like for like.
    for (const d of docs) {
      const ours = validate(d.kind, d.text);
      if (!ours.valid) throw new Error(`ours rejects a ${d.kind} benchmark document: ${JSON.stringify(ours.errors)}`);
      const theirs = upstream[d.kind]!;
      if (!theirs(JSON.parse(d.text))) throw new Error(`upstream schema rejects a ${d.kind} benchmark document: ${JSON.stringify(theirs.errors)}`);
    }
    const REPEAT = 1500;
    const count = docs.length * REPEAT;
    const parsed = docs.map((d) => ({ kind: d.kind, value: JSON.parse(d.text) as unknown }));
    let sink = 0;

    const text = await compare({
      name: `image-spec validate, JSON text (${docs.length} documents x ${REPEAT})`,
      ours: { label: '@ocikit/image-spec validate(kind, text)', fn: () => { for (let r = 0; r < REPEAT; r++) for (const d of docs) sink += validate(d.kind, d.text).valid ? 1 : 0; } },
      theirs: { label: 'ajv(upstream schema)(JSON.parse(text))', fn: () => { for (let r = 0; r < REPEAT; r++) for (const d of docs) sink += upstream[d.kind]!(JSON.parse(d.text)) ? 1 : 0; } },
      units: { count, label: 'docs' },
      rounds: 7,
      target: { maxRatio: 2 },
    });
    const objects = await compare({
      name: `image-spec validate, parsed documents (${docs.length} documents x ${REPEAT})`,
      ours: { label: '@ocikit/image-spec validate(kind, object)', fn: () => { for (let r = 0; r < REPEAT; r++) for (const d of parsed) sink += validate(d.kind, d.value).valid ? 1 : 0; } },
      theirs: { label: 'ajv(upstream schema)(object)', fn: () => { for (let r = 0; r < REPEAT; r++) for (const d of parsed) sink += upstream[d.kind]!(d.value) ? 1 : 0; } },
      units: { count, label: 'docs' },
      rounds: 7,
      target: { maxRatio: 2 },
    });
    console.log(`   throughput ours/theirs: text ${speedRatio(text).toFixed(2)}x, parsed ${speedRatio(objects).toFixed(2)}x (target >= 0.5x)  [${sink}]`);
  },
};
