/**
 * `--only PATTERN`: which checks run. A pattern is a check id, a dotted
 * prefix of ids (`hooks` selects `hooks.order`, `hooks.state-stdin`, ...), or
 * a glob with `*`; several patterns are separated by commas or given again.
 */
import type { Check } from './check.js';

function matcher(pattern: string): (id: string) => boolean {
  const p = pattern.trim();
  if (p.includes('*')) {
    const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return (id) => re.test(id);
  }
  return (id) => id === p || id.startsWith(`${p}.`);
}

/** Whether check `id` matches one pattern. */
export function matchesPattern(id: string, pattern: string): boolean {
  return matcher(pattern)(id);
}

/** Split `--only` values into patterns. */
export function parsePatterns(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** The checks any pattern selects, in catalogue order; all when there are no patterns. */
export function selectChecks<C extends Pick<Check, 'id'>>(checks: readonly C[], patterns: readonly string[]): C[] {
  if (patterns.length === 0) return [...checks];
  const tests = patterns.map(matcher);
  return checks.filter((c) => tests.some((t) => t(c.id)));
}
