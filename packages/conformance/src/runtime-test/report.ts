/**
 * Reporters: TAP version 13 (a YAML block per failure), the `--json`
 * document, and lines for people at a terminal.
 */
import type { CheckResult } from './check.js';
import { describeCall } from './driver.js';
import type { Preflight } from './preflight.js';
import type { RunReport, Summary } from './run.js';

/** The `--json` document; this shape is a public interface. */
export interface JsonReport {
  runtime: string;
  version: string;
  /** The runtime-spec release every config.json declared. */
  ociVersion: string;
  /** The smoke container run before the checks; absent when no selected check needs a container. */
  preflight?: { ok: boolean; problem?: string; hint?: string };
  results: { id: string; level: string; ref: string; status: string; message: string }[];
  summary: Summary;
}

export function toJson(report: RunReport): JsonReport {
  return {
    runtime: report.runtime.path,
    version: report.runtime.version ?? report.runtime.versionText.split('\n')[0] ?? '',
    ociVersion: report.spec.version,
    ...(report.preflight && { preflight: { ok: report.preflight.ok, ...(report.preflight.problem !== undefined && { problem: report.preflight.problem }), ...(report.preflight.hint !== undefined && { hint: report.preflight.hint }) } }),
    results: report.results.map((r) => ({ id: r.id, level: r.level, ref: r.ref, status: r.status, message: r.message })),
    summary: { ...report.summary },
  };
}

/** Whether a MUST-level check failed: the run's verdict. */
export function mustFailed(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail' && r.level === 'MUST');
}

/** A YAML scalar: JSON is valid YAML 1.2 flow syntax. */
const y = (v: unknown): string => JSON.stringify(v) ?? 'null';
/** TAP descriptions end at `#` (directives): escape it. */
const desc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\n/g, ' ');

/** How many of the check's last runtime calls a failure shows. */
const CALLS_SHOWN = 8;

function yamlBlock(r: CheckResult): string[] {
  const out = ['  ---', `  message: ${y(r.message)}`, `  level: ${r.level}`, `  reference: ${y(r.ref)}`, `  text: ${y(r.text)}`];
  if (r.expected !== undefined) out.push(`  expected: ${y(r.expected)}`);
  if (r.actual !== undefined) out.push(`  actual: ${y(r.actual)}`);
  if (r.calls.length) {
    out.push('  calls:');
    for (const c of r.calls.slice(-CALLS_SHOWN)) out.push(`    - ${y(describeCall(c))}`);
  }
  out.push(`  duration_ms: ${r.durationMs}`, '  ...');
  return out;
}

/** One TAP test point (with its YAML block when it failed). */
export function tapLine(r: CheckResult, n: number): string {
  const head = `${r.id} [${r.level}]`;
  if (r.status === 'pass') return `ok ${n} - ${desc(`${head} ${r.message}`)}`;
  if (r.status === 'skip') return `ok ${n} - ${desc(head)} # SKIP ${desc(r.message)}`;
  // A SHOULD or MAY that fails is reported but does not fail the run: TAP's TODO.
  const todo = r.level === 'MUST' ? '' : ` # TODO ${r.level} not met`;
  return [`not ok ${n} - ${desc(head)}${todo}`, ...yamlBlock(r)].join('\n');
}

export function tapHeader(report: Pick<RunReport, 'runtime'>, total: number): string {
  const { runtime } = report;
  return ['TAP version 13', `# ocikit runtime-test: ${runtime.path} ${runtime.version ?? ''}${runtime.specVersion ? ` (declares runtime-spec ${runtime.specVersion})` : ''}`.trimEnd(), `1..${total}`].join('\n');
}

/** The preflight, once: a TAP comment (no test point: it tests the host, not a rule). */
export function tapPreflight(preflight: Preflight): string {
  if (preflight.ok) return '# preflight: a smoke container started and ran';
  return [`# preflight: no container can start: ${desc(preflight.problem ?? '')}`, ...(preflight.hint ? [`# hint: ${desc(preflight.hint)}`] : []), '# every check that needs a container is skipped'].join('\n');
}

/** The preflight for a person, only when it found a problem. */
export function humanPreflight(preflight: Preflight, color: boolean): string | undefined {
  if (preflight.ok) return undefined;
  return [paint(color, 31, `host problem: no container can start: ${preflight.problem ?? ''}`), ...(preflight.hint ? [`hint: ${preflight.hint}`] : []), 'every check that needs a container is skipped', ''].join('\n');
}

export function tapFooter(report: RunReport): string {
  const s = report.summary;
  const lines = [`# pass ${s.pass}`, `# fail ${s.fail}`, `# skip ${s.skip}`, `# duration ${(report.durationMs / 1000).toFixed(1)} s`];
  if (report.interrupted) lines.push('Bail out! interrupted');
  if (report.cleanup.leftovers.length) lines.push(`# containers left behind: ${report.cleanup.leftovers.join(' ')}`);
  return lines.join('\n');
}

/** The whole run as TAP 13. */
export function formatTap(report: RunReport): string {
  return `${[tapHeader(report, report.results.length), ...(report.preflight ? [tapPreflight(report.preflight)] : []), ...report.results.map((r, i) => tapLine(r, i + 1)), tapFooter(report)].join('\n')}\n`;
}

const paint = (on: boolean, code: number, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** One result for a person: a mark, the id, the message; details under failures. */
export function humanLine(r: CheckResult, color: boolean): string {
  const mark = r.status === 'pass' ? paint(color, 32, 'pass') : r.status === 'skip' ? paint(color, 33, 'skip') : r.level === 'MUST' ? paint(color, 31, 'FAIL') : paint(color, 35, 'warn');
  const lines = [`${mark} ${r.id} ${paint(color, 2, `[${r.level}]`)} ${r.message}`];
  if (r.status === 'fail') {
    lines.push(`     ${paint(color, 2, r.text)}`, `     ${paint(color, 2, r.ref)}`);
    if (r.expected !== undefined) lines.push(`     expected: ${JSON.stringify(r.expected)}`);
    if (r.actual !== undefined) lines.push(`     actual:   ${JSON.stringify(r.actual)}`);
  }
  return lines.join('\n');
}

/** The closing lines for a person. */
export function humanSummary(report: RunReport, color: boolean): string {
  const s = report.summary;
  const must = report.results.filter((r) => r.status === 'fail' && r.level === 'MUST').length;
  const lines = [
    '',
    `${report.runtime.path} ${report.runtime.version ?? ''}${report.runtime.specVersion ? ` (runtime-spec ${report.runtime.specVersion})` : ''}`.trimEnd(),
    `${paint(color, 32, `${s.pass} passed`)}, ${paint(color, s.fail ? 31 : 32, `${s.fail} failed`)} (${must} MUST), ${s.skip} skipped in ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  if (report.preflight?.ok === false) lines.push(paint(color, 31, `host problem: no container can start (${report.preflight.problem ?? ''}); nothing that needs a container was tested`));
  if (report.interrupted) lines.push(paint(color, 33, 'interrupted: not every check ran'));
  if (report.cleanup.leftovers.length) lines.push(paint(color, 31, `containers left behind: ${report.cleanup.leftovers.join(' ')}`));
  if (report.workDir) lines.push(`bundles kept in ${report.workDir}`);
  return `${lines.join('\n')}\n`;
}

/** The whole run for a person (what a terminal shows, minus live progress). */
export function formatHuman(report: RunReport, color: boolean): string {
  const problem = report.preflight ? humanPreflight(report.preflight, color) : undefined;
  return `${problem !== undefined ? `${problem}\n` : ''}${report.results.map((r) => humanLine(r, color)).join('\n')}\n${humanSummary(report, color)}`;
}
