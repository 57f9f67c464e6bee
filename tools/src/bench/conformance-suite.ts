/**
 * `ocikit runtime-test` against runc: the whole catalogue, as a runtime
 * maintainer runs it, timed against the issue's budget (3 minutes on this
 * 2-core machine). runtime-tools' own validation suite, the tool a user would
 * otherwise pick, is not packaged by Debian and builds only with Go and the
 * network, so there is no B side: the budget is absolute. The work
 * directory, bundles and container output are in tmpfs. Reported beside the
 * time: the number of checks, the outcome counts, the time per container
 * check and the slowest checks, so that a slow one is found by name.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_TMP, median, OCIKIT } from './harness.js';
import type { Benchmark } from './registry.js';

const ROUNDS = 3;
const BUDGET_MS = 180_000;

interface SuiteJson {
  results: { id: string; status: string }[];
  summary: { pass: number; fail: number; skip: number };
}

/** One full run through the CLI, as users run it: its wall time and its --json report. */
function runSuite(tmp: string): { ms: number; doc: SuiteJson } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [OCIKIT, 'runtime-test', '--runtime', 'runc', '--json'], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  // Exit 1 is a failed MUST of runc's own (see the conformance README); anything else is the bench's problem.
  if (r.status !== 0 && r.status !== 1) throw new Error(`ocikit runtime-test exited ${r.status}: ${r.stderr.slice(-800)}`);
  return { ms, doc: JSON.parse(r.stdout) as SuiteJson };
}

export const benchmark: Benchmark = {
  name: 'conformance-suite',
  description: 'ocikit runtime-test --runtime runc, every check: wall time against the 3-minute budget',
  async run() {
    const tmp = path.join(BENCH_TMP, 'ocikit-bench-conformance');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      const runs: number[] = [];
      let last: SuiteJson | undefined;
      for (let i = 0; i < ROUNDS; i++) {
        const { ms, doc } = runSuite(tmp);
        runs.push(ms);
        last = doc;
      }
      const s = last!.summary;
      const checks = last!.results.length;
      const m = median(runs);
      console.log(
        [
          `== ocikit runtime-test --runtime runc (${checks} checks: ${s.pass} pass, ${s.fail} fail, ${s.skip} skip)`,
          `   wall time, median of ${ROUNDS}: ${(m / 1000).toFixed(1)} s (runs: ${runs.map((x) => (x / 1000).toFixed(1)).join(', ')} s)`,
          `   per check: ${(m / checks).toFixed(0)} ms`,
          `   budget 180 s: ${m <= BUDGET_MS ? 'met' : 'NOT met'}`,
        ].join('\n'),
      );
      // Slowest checks, in process (the library reports each check's duration).
      const { runRuntimeTest } = await import('@ocikit/conformance');
      const report = await runRuntimeTest({ runtime: 'runc', tmpDir: tmp });
      const slow = [...report.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
      console.log(`   slowest: ${slow.map((r) => `${r.id} ${r.durationMs} ms`).join(', ')}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
