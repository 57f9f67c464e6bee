import type { ReportFinding, ValidateReport } from '../types/validate-report.js';

export interface FormatOptions {
  color: boolean;
  /** Print only invalid inputs and their findings. */
  quiet: boolean;
}

const paint = (on: boolean, code: number, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

function line(f: ReportFinding, kind: 'error' | 'warning', color: boolean): string {
  const tag = kind === 'error' ? paint(color, 31, 'error') : paint(color, 33, 'warning');
  const where = f.path === '' ? '(document)' : f.path;
  return `  ${tag} ${where}: ${f.message} [${f.level} ${f.code}]${f.ref ? ` ${f.ref}` : ''}`;
}

/** Human report: grouped by input, one line per finding, a summary line on terminals. */
export function formatHuman(report: ValidateReport, opts: FormatOptions & { summary: boolean }): string {
  const out: string[] = [];
  let invalid = 0;
  let warnings = 0;
  for (const r of report.results) {
    if (!r.valid) invalid++;
    warnings += r.warnings.length;
    if (opts.quiet && r.valid) continue;
    const verdict = r.valid ? paint(opts.color, 32, 'valid') : paint(opts.color, 31, 'invalid');
    out.push(`${r.path}: ${r.type}: ${verdict}`);
    for (const f of r.errors) out.push(line(f, 'error', opts.color));
    if (!opts.quiet) for (const f of r.warnings) out.push(line(f, 'warning', opts.color));
  }
  if (opts.summary) {
    const n = report.results.length;
    out.push(`${n} checked, ${n - invalid} valid, ${invalid} invalid, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
