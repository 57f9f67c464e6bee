/**
 * validate / parse / is for the three runtime-spec documents. Structure comes
 * from the generated schema validators, meaning from the checks in this folder.
 */
import { schemaValidators, schemaIds, type SchemaKind } from '../generated/kinds.js';
import { schemaFindings, type Level, type ValidationResult } from '../generated/validation-runtime.js';
import { readJsonText, type JsonTextOptions, type JsonTextResult } from '../generated/json-text.js';
import { RuntimeSpecError, RuntimeSpecErrorCode } from '../errors.js';
import type { TargetOS } from '../constants.js';
import type { Spec } from '../types/config.js';
import type { State } from '../types/state.js';
import type { Features } from '../types/features.js';
import { Findings, specRef } from './findings.js';
import { checkConfig } from './config.js';
import { checkState } from './state.js';
import { checkFeatures } from './features.js';

/** The runtime-spec document kinds. */
export type RuntimeSpecKind = SchemaKind;

/** The TypeScript type of each kind. */
export interface RuntimeSpecDocuments {
  'runtime-config': Spec;
  'runtime-state': State;
  'runtime-features': Features;
}

/** Options of the JSON text reader (`maxDepth`, `duplicateKeys`) apply when the input is text or bytes. */
export interface ValidateOptions extends JsonTextOptions {
  /**
   * Least strict level reported: `MUST` (errors only), `SHOULD` (default:
   * errors and SHOULD warnings) or `MAY` (also informational notes).
   */
  level?: Level;
  /** Target platform; for a config inferred from its platform sections, for a state Linux. */
  os?: TargetOS;
  /** Validate a config as for the `start` operation (`process` REQUIRED). */
  forStart?: boolean;
}

const NO_OPTIONS: ValidateOptions = Object.freeze({});

const DOC_REF: Record<RuntimeSpecKind, string> = {
  'runtime-config': specRef('config.md'),
  'runtime-state': specRef('runtime.md', 'state'),
  'runtime-features': specRef('features.md'),
};

/**
 * Validate a document given as a parsed value, or as JSON text (a string or
 * UTF-8 bytes, read strictly by the shared reader: invalid UTF-8, syntax
 * errors, duplicate names and nesting beyond `maxDepth` are errors, a byte
 * order mark is a warning). Never throws on bad input.
 */
export function validate<K extends RuntimeSpecKind>(kind: K, input: unknown, options: ValidateOptions = NO_OPTIONS): ValidationResult {
  return readAndValidate(kind, input, options).result;
}

/** Read text or bytes (if given), then validate the value. */
function readAndValidate(kind: RuntimeSpecKind, input: unknown, options: ValidateOptions): { doc: unknown; result: ValidationResult } {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return { doc: input, result: validateValue(kind, input, options) };
  const text = readJsonText(input, options);
  const r: ValidationResult = text.parsed ? validateValue(kind, text.value, options) : { valid: false, errors: [], warnings: [] };
  return { doc: text.value, result: withTextFindings(text, r, options.level) };
}

/**
 * Put the JSON reader's findings before a result's. They stay on the side the
 * reader put them on, whatever their level: a duplicate name is an error by
 * default although RFC 8259 says SHOULD, and a byte order mark is a warning
 * although the rule it breaks is a producer's MUST. At level `MUST` (errors
 * only) the reader's warnings are left out.
 */
export function withTextFindings(text: JsonTextResult, r: ValidationResult, level: Level = 'SHOULD'): ValidationResult {
  const errors = [...text.errors, ...r.errors];
  const warnings = level === 'MUST' ? r.warnings : [...text.warnings, ...r.warnings];
  return { valid: errors.length === 0, errors, warnings };
}

function validateValue(kind: RuntimeSpecKind, doc: unknown, options: ValidateOptions): ValidationResult {
  const f = new Findings(options.level);
  const check = schemaValidators[kind];
  if (!check(doc)) {
    for (const finding of schemaFindings(check.errors, DOC_REF[kind])) f.all.push(finding);
    return f.result(options.level);
  }
  switch (kind) {
    case 'runtime-config':
      checkConfig(f, doc as Spec, options);
      break;
    case 'runtime-state':
      checkState(f, doc as State, options.os);
      break;
    case 'runtime-features':
      checkFeatures(f, doc as Features);
      break;
  }
  return f.result(options.level);
}

/** Parse and validate; throws RuntimeSpecError (INVALID_DOCUMENT) with the errors when invalid. */
export function parse<K extends RuntimeSpecKind>(kind: K, input: unknown, options: ValidateOptions = {}): RuntimeSpecDocuments[K] {
  const { doc, result } = readAndValidate(kind, input, { ...options, level: 'MUST' });
  if (!result.valid) {
    const first = result.errors[0]!;
    throw new RuntimeSpecError(
      RuntimeSpecErrorCode.InvalidDocument,
      `invalid ${kind}: ${first.path || '(document)'}: ${first.message}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ''}`,
      { findings: result.errors },
    );
  }
  return doc as RuntimeSpecDocuments[K];
}

/** Type guard: true when the value is a valid document of the kind (MUST rules only). */
export function is<K extends RuntimeSpecKind>(kind: K, value: unknown, options: Omit<ValidateOptions, 'level'> = {}): value is RuntimeSpecDocuments[K] {
  if (typeof value !== 'object' || value === null) return false;
  return validate(kind, value, { ...options, level: 'MUST' }).valid;
}

export const validateConfig = (input: unknown, options?: ValidateOptions): ValidationResult => validate('runtime-config', input, options);
export const validateState = (input: unknown, options?: ValidateOptions): ValidationResult => validate('runtime-state', input, options);
export const validateFeatures = (input: unknown, options?: ValidateOptions): ValidationResult => validate('runtime-features', input, options);
export const parseConfig = (input: unknown, options?: ValidateOptions): Spec => parse('runtime-config', input, options);
export const parseState = (input: unknown, options?: ValidateOptions): State => parse('runtime-state', input, options);
export const parseFeatures = (input: unknown, options?: ValidateOptions): Features => parse('runtime-features', input, options);
export const isConfig = (value: unknown): value is Spec => is('runtime-config', value);
export const isState = (value: unknown): value is State => is('runtime-state', value);
export const isFeatures = (value: unknown): value is Features => is('runtime-features', value);

export { schemaIds };
