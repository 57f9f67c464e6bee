/**
 * Output of `ocikit validate --json`. Public: scripts and CI parse it, so it
 * changes only under semver. Its JSON Schema is generated into
 * `schemas/conformance/validate-report.schema.json`.
 */
export interface ValidateReport {
  /** One entry per validated document or directory, in the order the paths were given. */
  results: ValidateReportResult[];
}

/** Verdict on one input. */
export interface ValidateReportResult {
  /** The input as named on the command line (or found below a named directory); `-` is standard input. */
  path: string;
  /** The kind it was validated as, given with `--type` or detected. */
  type: string;
  /** True when there are no errors. Warnings never make an input invalid. */
  valid: boolean;
  /** Broken MUST rules (and unreadable or unparseable input). */
  errors: ReportFinding[];
  /** Broken SHOULD rules and other things worth a look. */
  warnings: ReportFinding[];
}

/** One finding. */
export interface ReportFinding {
  /** A JSON Pointer into the document, or a file path inside a directory (layouts, bundles). */
  path: string;
  /** One line: what was expected and what was found. */
  message: string;
  /** Stable machine-readable code. */
  code: string;
  /** RFC 2119 level of the rule. */
  level: 'MUST' | 'SHOULD' | 'MAY';
  /** Link to the spec section stating the rule. */
  ref: string;
}
