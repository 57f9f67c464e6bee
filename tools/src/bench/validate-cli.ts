/**
 * `ocikit validate` end to end, as a user runs it (issue: ocikit validate):
 * (a) one small document: process wall time against bare `node -e 0`;
 * (b) 10,000 mixed documents in one call: documents per second against ajv
 *     run directly on image-spec's own schema files over the same files, each
 *     side a process that starts, reads and parses every file and validates;
 * (c) a few-hundred-MB image layout (the realistic image) against
 *     `openssl dgst -sha256` over all its blobs: the floor, every blob read
 *     and hashed once.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../generate/generate.js';
import { BENCH_TMP, compare, OCIKIT, sh, speedRatio } from './harness.js';
import { documents } from './image-spec-validate.js';
import { realisticImage } from './realistic-image.js';
import type { Benchmark } from './registry.js';

const UPSTREAM = path.join(REPO_ROOT, 'tools/src/bench/baselines/upstream-image-spec.mjs');
const COUNT = 10_000;

export const benchmark: Benchmark = {
  name: 'validate-cli',
  description: 'ocikit validate: start-up vs `node -e 0` (<= 2x); 10,000 documents vs ajv on upstream schemas (>= 0.7x docs/s); an image layout vs openssl over its blobs (<= 1.2x)',
  async run() {
    await compare({
      name: 'ocikit validate, one small manifest (process wall time)',
      ours: { label: 'ocikit validate manifest.json', argv: [process.execPath, OCIKIT, 'validate', path.join(REPO_ROOT, 'examples/image/manifest.json')] },
      theirs: { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
      rounds: 15,
      target: { maxRatio: 2 },
    });

    const dir = path.join(BENCH_TMP, 'ocikit-bench-validate');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const docs = documents();
    const kinds = new Map<string, string>();
    for (let i = 0; i < COUNT; i++) {
      const d = docs[i % docs.length]!;
      const name = `${String(i).padStart(5, '0')}.json`;
      writeFileSync(path.join(dir, name), d.text);
      kinds.set(name, d.kind);
    }
    const kindsFile = path.join(BENCH_TMP, 'ocikit-bench-validate-kinds.json');
    writeFileSync(kindsFile, JSON.stringify(Object.fromEntries(kinds)));
    const many = await compare({
      name: `ocikit validate, ${COUNT} mixed image documents in one call`,
      ours: { label: 'ocikit validate --quiet DIR (process)', argv: [process.execPath, OCIKIT, 'validate', '--quiet', dir] },
      theirs: { label: 'ajv on upstream schemas (process)', argv: [process.execPath, UPSTREAM, dir, kindsFile] },
      units: { count: COUNT, label: 'docs' },
      rounds: 5,
      target: { maxRatio: 1 / 0.7 },
    });
    console.log(`   documents/second ours/theirs: ${speedRatio(many).toFixed(2)}x (target >= 0.7x)`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(kindsFile, { force: true });

    // (c) The realistic image (180 MiB, one image) and, for "a few hundred
    // MB", a layout holding it twice over: as built (gzip) and as skopeo
    // recompresses it (zstd) under a second tag, as registries mirror.
    const single = realisticImage().layout;
    const zstd = realisticImage('zstd');
    const double = path.join(BENCH_TMP, 'ocikit-bench-validate-layout');
    rmSync(double, { recursive: true, force: true });
    sh(['cp', '-a', single, double]);
    sh(['skopeo', 'copy', '-q', `oci:${zstd.layout}:${zstd.ref}`, `oci:${double}:bench-zstd`]);
    for (const layout of [single, double]) {
      const blobs = readdirSync(path.join(layout, 'blobs/sha256')).map((b) => path.join(layout, 'blobs/sha256', b));
      const bytes = blobs.reduce((n, b) => n + statSync(b).size, 0);
      await compare({
        name: `ocikit validate --type image-layout, ${blobs.length} blobs, ${(bytes / 2 ** 20).toFixed(0)} MiB`,
        ours: { label: 'ocikit validate LAYOUT', argv: [process.execPath, OCIKIT, 'validate', '--type', 'image-layout', layout] },
        theirs: { label: 'openssl dgst -sha256 blobs/sha256/*', argv: ['openssl', 'dgst', '-sha256', ...blobs] },
        units: { count: bytes / 2 ** 20, label: 'MiB' },
        rounds: 7,
        target: { maxRatio: 1.2 },
      });
    }
    rmSync(double, { recursive: true, force: true });
  },
};
