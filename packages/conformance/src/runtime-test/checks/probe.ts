/**
 * Probes: a container whose program prints what busybox applets see inside
 * it, in named sections, and the harness reading those sections back.
 */
import type { Bundle, BundleOptions, CheckContext } from '../check.js';
import { fail } from '../errors.js';
import { runToCompletion } from './common.js';

/**
 * A probe script: each entry prints a `@@name` marker line (after a newline,
 * so that output without one cannot run into it), then the command's output
 * with stderr folded in. `sections()` splits the output back, exactly.
 */
export function probeScript(entries: Record<string, string>): string {
  const parts = Object.entries(entries).map(([name, cmd]) => `${marker(name)}; { ${cmd}; } 2>&1`);
  return `${parts.join('; ')}; ${marker('end')}`;
}

/** The shell command printing one section marker. */
export function marker(name: string): string {
  return `printf '\\n@@%s\\n' ${name}`;
}

/** Sections of probe output by name: the exact text between markers. */
export function sections(output: string): Record<string, string> {
  const result: Record<string, string> = {};
  const parts = `\n${output}`.split(/\n@@([\w.-]+)\n/);
  // parts: [before, name1, text1, name2, text2, ...]
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const name = parts[i]!;
    if (name === 'end') break;
    result[name] = parts[i + 1]!;
  }
  return result;
}

/** A section, failing when the probe did not get that far. */
export function section(all: Record<string, string>, name: string, output: string): string {
  const v = all[name];
  if (v === undefined) fail(`expected the probe to print section ${name}, found output ${JSON.stringify(output.slice(0, 500))}`);
  return v;
}

/** What a finished probe printed, by section name; a missing section fails the check. */
export type ProbeOutput = (name: string) => string;

/** Run the probe `bundle` to completion and read its sections back. */
export async function readProbe(ctx: CheckContext, bundle: Bundle): Promise<ProbeOutput> {
  const out = await runToCompletion(ctx, bundle);
  const all = sections(out);
  return (name) => section(all, name, out);
}

/** Everything of a bundle but its program, which a probe's entries make. */
export type ProbeOptions = Omit<BundleOptions, 'script' | 'args'>;

/** Run the probe `entries` in a fresh container configured by `options`. */
export function probe(ctx: CheckContext, name: string, entries: Record<string, string>, options: ProbeOptions = {}): Promise<ProbeOutput> {
  return readProbe(ctx, ctx.bundle(name, { ...options, script: probeScript(entries) }));
}

/** What one shell command prints (stderr included) in a fresh container configured by `options`. */
export async function probeOutput(ctx: CheckContext, name: string, command: string, options: ProbeOptions = {}): Promise<string> {
  return (await probe(ctx, name, { out: command }, options))('out');
}
