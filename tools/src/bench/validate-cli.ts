/**
 * `ocikit validate` end to end, as a user runs it (issue: ocikit validate):
 * (a) one small document: process wall time against bare `node -e 0`;
 * (b) 10,000 mixed documents in one call: documents per second against ajv
 *     run directly on image-spec's own schema files over the same files, each
 *     side a process that starts, reads and parses every file and validates.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../generate/generate.js';
import { BENCH_TMP, compare, speedRatio } from './harness.js';
import { documents } from './image-spec-validate.js';
import type { Benchmark } from './registry.js';

const OCIKIT = path.join(REPO_ROOT, 'packages/conformance/bin/ocikit.js');
const UPSTREAM = path.join(REPO_ROOT, 'tools/src/bench/baselines/upstream-image-spec.mjs');
const COUNT = 10_000;

export const benchmark: Benchmark = {
  name: 'validate-cli',
  description: 'ocikit validate process: start-up vs `node -e 0` (target <= 2x); 10,000 documents vs ajv on upstream schemas (target >= 0.7x docs/s)',
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
  },
};
