/**
 * The findings collector: one per validation. Rules report what they find
 * through `must`, `should` and `may`; the collector keeps the side (errors or
 * warnings) and drops what the caller's level does not ask for.
 */
import { DEFAULT_LEVEL, reportsLevel, type Finding, type Level, type ValidationResult } from './finding.js';

/**
 * Collects the findings of one validation.
 *
 * - `must` breaks are errors; `should` and `may` breaks are warnings.
 * - Warnings below the collector's level are dropped as they arrive;
 *   errors never are (they decide `valid`).
 * - Findings whose side is not their level's (the JSON reader's duplicate
 *   name is an error at level SHOULD, a byte order mark a warning about a
 *   MUST) go in whole through `error()` and `warning()`.
 */
export class Findings {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];
  /** Least strict level of the warnings kept. */
  readonly level: Level;
  /** Whether SHOULD-level warnings are kept. */
  readonly wantsShould: boolean;
  /**
   * Whether MAY-level notes are kept: checks that only produce notes skip
   * their work (and the message building) when they are not.
   */
  readonly wantsMay: boolean;

  constructor(level: Level = DEFAULT_LEVEL) {
    this.level = level;
    this.wantsShould = level !== 'MUST';
    this.wantsMay = level === 'MAY';
  }

  /** A broken MUST: an error. */
  must(code: string, path: string, message: string, ref: string): void {
    this.errors.push({ path, message, code, level: 'MUST', ref });
  }

  /** A broken SHOULD: a warning. */
  should(code: string, path: string, message: string, ref: string): void {
    if (this.wantsShould) this.warnings.push({ path, message, code, level: 'SHOULD', ref });
  }

  /** A MAY-level note: a warning, kept only at level `MAY`. */
  may(code: string, path: string, message: string, ref: string): void {
    if (this.wantsMay) this.warnings.push({ path, message, code, level: 'MAY', ref });
  }

  /** A finding at `level`, on the side the level implies (MUST: error, else warning). */
  add(level: Level, code: string, path: string, message: string, ref: string): void {
    if (level === 'MUST') this.must(code, path, message, ref);
    else if (level === 'SHOULD') this.should(code, path, message, ref);
    else this.may(code, path, message, ref);
  }

  /** A ready-made finding, as an error whatever its level. */
  error(finding: Finding): void {
    this.errors.push(finding);
  }

  /** A ready-made finding, as a warning whatever its level (dropped below the collector's level). */
  warning(finding: Finding): void {
    if (reportsLevel(this.level, finding.level)) this.warnings.push(finding);
  }

  /** Another result's findings, each kept on its side (the JSON reader's, a nested document's). */
  merge(other: { readonly errors: readonly Finding[]; readonly warnings: readonly Finding[] }): void {
    for (const f of other.errors) this.errors.push(f);
    for (const f of other.warnings) this.warning(f);
  }

  /** True when no error has been reported so far. */
  get valid(): boolean {
    return this.errors.length === 0;
  }

  /** The result, valid when there is no error. Call it once, at the end: it hands over the collected lists. */
  result(): ValidationResult {
    return { valid: this.errors.length === 0, errors: this.errors, warnings: this.warnings };
  }
}
