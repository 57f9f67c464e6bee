/**
 * Building findings: one collector per validation, spec links in one place.
 */
import type { Finding, Level, ValidationResult } from '../generated/validation-runtime.js';

/** Base of every spec link: the tagged release this package implements. */
export const SPEC_BASE = 'https://github.com/opencontainers/runtime-spec/blob/v1.3.0/';

/** Versioned link to a section of a runtime-spec document. */
export function specRef(doc: string, anchor?: string): string {
  return `${SPEC_BASE}${doc}${anchor ? `#${anchor}` : ''}`;
}

const RANK: Record<Level, number> = { MUST: 0, SHOULD: 1, MAY: 2 };

/** Collects findings; `result()` splits them into errors (MUST) and warnings. */
export class Findings {
  readonly all: Finding[] = [];
  /**
   * Whether MAY-level notes are wanted: checks that only produce notes skip
   * their work (and the message building) when they are not.
   */
  readonly wantsMay: boolean;

  constructor(level: Level = 'SHOULD') {
    this.wantsMay = level === 'MAY';
  }

  add(level: Level, code: string, path: string, message: string, ref: string): void {
    this.all.push({ path, message, code, level, ref });
  }

  must(code: string, path: string, message: string, ref: string): void {
    this.add('MUST', code, path, message, ref);
  }

  should(code: string, path: string, message: string, ref: string): void {
    this.add('SHOULD', code, path, message, ref);
  }

  may(code: string, path: string, message: string, ref: string): void {
    this.add('MAY', code, path, message, ref);
  }

  /**
   * Split into errors and warnings. `level` is the least strict level
   * reported: `MUST` reports only MUST breaks, `SHOULD` (the default) adds
   * SHOULD breaks, `MAY` adds informational MAY-level notes.
   */
  result(level: Level = 'SHOULD'): ValidationResult {
    if (this.all.length === 0) return { valid: true, errors: [], warnings: [] };
    const max = RANK[level];
    const errors: Finding[] = [];
    const warnings: Finding[] = [];
    for (const f of this.all) {
      if (RANK[f.level] > max) continue;
      if (f.level === 'MUST') errors.push(f);
      else warnings.push(f);
    }
    return { valid: errors.length === 0, errors, warnings };
  }
}
