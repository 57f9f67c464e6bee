/**
 * @ocikit/validation: the plumbing every ocikit validator shares. The strict
 * JSON text reader, findings and the one collector that builds them, JSON
 * Pointers, the run-time helpers of the ahead-of-time compiled schema
 * validators, and how hostile input is refused: the one table of limits and
 * the one way a file is opened for reading. No spec knowledge lives here.
 */
export { LEVELS, DEFAULT_LEVEL, isLevel, reportsLevel, filterFindings, type Level, type Finding, type ValidationResult, type LevelOptions } from './finding.js';
export { Findings } from './findings.js';
export { escapePointer, pointer } from './pointer.js';
export { readJsonText, scanJson, DEFAULT_MAX_DEPTH, JsonTextCode, type JsonTextOptions, type JsonTextResult, type ScanResult } from './json-text.js';
export { schemaFindings, ucs2length, jsonEqual, appendError, type SchemaError, type SchemaValidator } from './schema-runtime.js';
export { Limits, describeLimit, type Limit } from './limits.js';
export { openRegularFile, readRegularFile, describeFileType, tooLargeFinding, FileError, FileErrorCode, type OpenRegularFileOptions } from './regular-file.js';
