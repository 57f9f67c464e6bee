export { main, cliVersion } from './cli/main.js';
export { ExitCode, UsageError } from './cli/exit-codes.js';
export type { Command, CommandIO } from './cli/io.js';

// `ocikit validate` as a library: every OCI document and directory, one report.
export { validatePaths, validateBytes, type ValidateOptions, type LevelFilter } from './validate/run.js';
export { detectDocumentKind, detectDirectoryKind, DOCUMENT_KINDS, DIRECTORY_KINDS, VALIDATE_KINDS, type DocumentKind, type DirectoryKind, type ValidateKind, type Detection } from './validate/kinds.js';
export { InputError } from './validate/read-input.js';
export type { ValidateReport, ValidateReportResult, ReportFinding } from './types/validate-report.js';

// `ocikit runtime-test` as a library: the harness, its checks (data) and reporters.
export { runRuntimeTest, RuntimeDriver, ALL_CHECKS, selectChecks, findRuntime, formatTap, formatHuman, toJson, RuntimeTestError, RuntimeTestErrorCode, type RunOptions, type RunReport, type Check, type CheckResult, type JsonReport } from './runtime-test/index.js';
