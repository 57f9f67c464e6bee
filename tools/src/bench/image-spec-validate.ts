/**
 * Validation throughput of `@ocikit/image-spec` (A) against ajv compiled
 * directly from image-spec's own JSON schemas (B), the validator a user would
 * otherwise assemble. Same documents, same process, one run.
 *
 * The upstream schemas are loaded by image-spec's differential-test loader
 * (packages/image-spec/src/test-support/upstream-schemas.mjs, also the
 * process-level baseline of the validate-cli benchmark). Documents as JSON
 * text (what a registry or a scanner receives) and already parsed: see
 * validator-throughput.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@ocikit/image-spec';
import { REPO_ROOT } from '../generate/generate.js';
import { UPSTREAM_FILES, upstreamValidators, type UpstreamKind } from '../../../packages/image-spec/src/test-support/upstream-schemas.mjs';
import type { Benchmark } from './registry.js';
import { compareValidators } from './validator-throughput.js';

/** Kinds both sides validate: those image-spec has a schema file for. */
const KINDS = Object.keys(UPSTREAM_FILES) as UpstreamKind[];

/** The spec examples that ship as valid fixtures of the image-spec package, plus larger real-world shapes. */
export function documents(): { kind: UpstreamKind; text: string }[] {
  const root = path.join(REPO_ROOT, 'packages/image-spec/test/fixtures');
  const docs: { kind: UpstreamKind; text: string }[] = [];
  for (const kind of KINDS) {
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
      const theirs = upstream[d.kind];
      if (!theirs(JSON.parse(d.text))) throw new Error(`upstream schema rejects a ${d.kind} benchmark document: ${JSON.stringify(theirs.errors)}`);
    }
    await compareValidators({
      name: 'image-spec validate',
      ours: { label: '@ocikit/image-spec validate', valid: (kind, input) => validate(kind, input).valid },
      theirs: { label: 'ajv(upstream schema)', valid: (kind, value) => upstream[kind](value) },
      docs,
      repeat: 1500,
    });
  },
};
