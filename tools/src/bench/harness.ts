/**
 * Side-by-side benchmarks: our command (A) and the tool a user would pick
 * instead (B) on the same input, in one run, alternating A B A B, reported
 * as medians and the median ratio A/B. Never part of `npm test`.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** One side of a comparison: a shell-free command line or an in-process function. */
export type Contender =
  /** `argv` as a function: computed after `before`, e.g. a port known only once a server started. */
  | { label: string; argv: string[] | (() => string[]); options?: SpawnSyncOptions; before?: () => void | Promise<void> }
  | { label: string; fn: () => unknown; before?: () => void | Promise<void> };

export interface Comparison {
  name: string;
  ours: Contender;
  theirs: Contender;
  /** Rounds of A then B (default 5). */
  rounds?: number;
  /** Work units per run (bytes, documents, files) for a throughput column. */
  units?: { count: number; label: string };
  /** The target the issue sets, as a statement of the ratio, e.g. "<= 1.10". */
  target?: { maxRatio?: number; minRatio?: number };
}

export interface ComparisonResult {
  name: string;
  ours: { label: string; median: number; runs: number[] };
  theirs: { label: string; median: number; runs: number[] };
  /** median(ours) / median(theirs): below 1 means we are faster. */
  ratio: number;
  /** Median of per-round ratios (each A run over the B run beside it). */
  pairedRatio: number;
  meetsTarget: boolean | undefined;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeOnce(c: Contender): Promise<number> {
  if (c.before) await c.before();
  const t0 = performance.now();
  if ('argv' in c) {
    const argv = typeof c.argv === 'function' ? c.argv() : c.argv;
    const [cmd, ...args] = argv;
    const r = spawnSync(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20, ...c.options });
    const t = performance.now() - t0;
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${c.label}: ${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
    return t;
  }
  await c.fn();
  return performance.now() - t0;
}

export async function compare(cmp: Comparison): Promise<ComparisonResult> {
  const rounds = cmp.rounds ?? 5;
  // One untimed warm-up each: page cache and JIT, the same for both sides.
  await timeOnce(cmp.ours);
  await timeOnce(cmp.theirs);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await timeOnce(cmp.ours));
    b.push(await timeOnce(cmp.theirs));
  }
  const ratio = median(a) / median(b);
  const pairedRatio = median(a.map((x, i) => x / b[i]!));
  const t = cmp.target;
  const meetsTarget = t ? (t.maxRatio === undefined || pairedRatio <= t.maxRatio) && (t.minRatio === undefined || pairedRatio >= t.minRatio) : undefined;
  const result: ComparisonResult = {
    name: cmp.name,
    ours: { label: cmp.ours.label, median: median(a), runs: a },
    theirs: { label: cmp.theirs.label, median: median(b), runs: b },
    ratio,
    pairedRatio,
    meetsTarget,
  };
  report(result, cmp);
  return result;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function report(r: ComparisonResult, cmp: Comparison): void {
  const rate = (ms: number) => (cmp.units ? `  ${(cmp.units.count / (ms / 1000)).toFixed(0)} ${cmp.units.label}/s` : '');
  const target = cmp.target
    ? `  target ${cmp.target.maxRatio !== undefined ? `<= ${cmp.target.maxRatio}` : `>= ${cmp.target.minRatio}`}: ${r.meetsTarget ? 'met' : 'NOT met'}`
    : '';
  console.log(
    [
      `== ${r.name}`,
      `   A ${r.ours.label.padEnd(36)} median ${fmt(r.ours.median)}${rate(r.ours.median)}`,
      `   B ${r.theirs.label.padEnd(36)} median ${fmt(r.theirs.median)}${rate(r.theirs.median)}`,
      `   ratio A/B (median of paired rounds) ${r.pairedRatio.toFixed(3)}${target}`,
    ].join('\n'),
  );
}

/**
 * Throughput comparisons where the target is stated as "ours at least X of
 * theirs" (documents per second): ratio is theirs-time over ours-time.
 */
export function speedRatio(r: ComparisonResult): number {
  return 1 / r.pairedRatio;
}

/** Peak resident memory of a command, in MiB, from GNU time's %M (KiB). */
export function peakMemoryMiB(argv: string[], options?: SpawnSyncOptions): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-500)}`);
  const lines = String(r.stderr).trim().split('\n');
  return Number(lines[lines.length - 1]) / 1024;
}

/** tmpfs scratch space: benchmarks never run on ext4 (see DEVELOPERS.md). */
export const BENCH_TMP = process.env['OCIKIT_BENCH_TMP'] ?? '/dev/shm';

/** The `ocikit` executable of this checkout (run it with node). */
export const OCIKIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/conformance/bin/ocikit.js');

/** Run a set-up command (not timed); its stdout. Throws with the end of its stderr when it fails. */
export function sh(argv: string[], cwd?: string): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-800)}`);
  return String(r.stdout);
}
