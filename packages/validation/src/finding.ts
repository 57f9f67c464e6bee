/**
 * What a validator reports: findings, each naming the RFC 2119 level of the
 * rule it breaks, split into errors (the document is invalid) and warnings.
 */

/** RFC 2119 level of the rule a finding breaks, strictest first. */
export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;
export type Level = (typeof LEVELS)[number];

/** One thing wrong (or questionable) with a document. */
export interface Finding {
  /** JSON Pointer (RFC 6901) to the offending value; `""` is the whole document. */
  path: string;
  /** One line: what was expected and what was found. */
  message: string;
  /** Stable machine-readable code (see the package README for the convention). */
  code: string;
  /** Level of the rule that is broken. */
  level: Level;
  /** Link to the spec section that states the rule. */
  ref: string;
}

/** Result of validating one document. Never thrown: bad input is data. */
export interface ValidationResult {
  /** True when there are no errors. Warnings never make a document invalid. */
  valid: boolean;
  /** Findings that make the document invalid (broken MUST rules, unreadable text). */
  errors: Finding[];
  /** Findings worth a look that do not make the document invalid. */
  warnings: Finding[];
}

/** Options every validator takes. */
export interface LevelOptions {
  /**
   * Least strict level of the warnings reported: `MUST` reports only
   * warnings about MUST rules, `SHOULD` (the default) adds SHOULD warnings,
   * `MAY` adds informational MAY-level notes. Errors are always reported:
   * they are what makes a document invalid.
   */
  level?: Level;
}

/** The level validators report down to when none is asked for. */
export const DEFAULT_LEVEL: Level = 'SHOULD';

const RANK: Readonly<Record<Level, number>> = { MUST: 0, SHOULD: 1, MAY: 2 };

/** True when `x` is one of `MUST`, `SHOULD`, `MAY`. */
export function isLevel(x: unknown): x is Level {
  return x === 'MUST' || x === 'SHOULD' || x === 'MAY';
}

/** True when a finding at `level` is reported under the filter `wanted` (as strict or stricter). */
export function reportsLevel(wanted: Level, level: Level): boolean {
  return RANK[level] <= RANK[wanted];
}

/**
 * A result with only the warnings at `level` or stricter. Errors are kept
 * whatever their level, so `valid` stays true to `errors`.
 */
export function filterFindings(result: ValidationResult, level: Level): ValidationResult {
  if (level === 'MAY' || result.warnings.length === 0) return result;
  const warnings = result.warnings.filter((f) => reportsLevel(level, f.level));
  return warnings.length === result.warnings.length ? result : { ...result, warnings };
}
