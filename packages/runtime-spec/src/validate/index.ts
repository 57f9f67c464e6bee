/**
 * validate / parse / is for the three runtime-spec documents. Structure comes
 * from the generated schema validators, meaning from the checks in this folder.
 */
import { readJsonText, schemaFindings, type JsonTextOptions, type LevelOptions, type ValidationResult } from '@ocikit/validation';
import { schemaValidators, schemaIds } from '../generated/kinds.js';
import { DOCUMENT_KINDS, isDocumentKind, type DocumentKind } from '../kinds.js';
import { RuntimeSpecError, RuntimeSpecErrorCode } from '../errors.js';
import type { TargetOS } from '../constants.js';
import type { Spec } from '../types/config.js';
import type { State } from '../types/state.js';
import type { Features } from '../types/features.js';
import { Findings, specRef } from './findings.js';
import { checkConfig } from './config.js';
import { checkState } from './state.js';
import { checkFeatures } from './features.js';

/** The runtime-spec document kinds. @deprecated Use {@link DocumentKind}, the name both spec packages share. */
export type RuntimeSpecKind = DocumentKind;

/** The TypeScript type of each kind. */
export interface DocumentTypes {
  'runtime-config': Spec;
  'runtime-state': State;
  'runtime-features': Features;
}
/** @deprecated Use {@link DocumentTypes}, the name both spec packages share. */
export type RuntimeSpecDocuments = DocumentTypes;

/**
 * `level` (the least strict level of the warnings reported: `MUST`, `SHOULD`
 * by default, or `MAY` for informational notes too), the JSON text reader's
 * `maxDepth` and `duplicateKeys` (when the input is text or bytes), and the
 * runtime-spec specifics below.
 */
export interface ValidateOptions extends JsonTextOptions, LevelOptions {
  /** Target platform; for a config inferred from its platform sections, for a state Linux. */
  os?: TargetOS;
  /** Validate a config as for the `start` operation (`process` REQUIRED). */
  forStart?: boolean;
}

const NO_OPTIONS: ValidateOptions = Object.freeze({});

const DOC_REF: Record<DocumentKind, string> = {
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
export function validate<K extends DocumentKind>(kind: K, input: unknown, options: ValidateOptions = NO_OPTIONS): ValidationResult {
  return readAndValidate(kind, input, options).result;
}

/** Read text or bytes (if given), then validate the value. */
function readAndValidate(kind: DocumentKind, input: unknown, options: ValidateOptions): { doc: unknown; result: ValidationResult } {
  if (!isDocumentKind(kind)) {
    throw new TypeError(`expected a document kind (${DOCUMENT_KINDS.join(', ')}), found ${JSON.stringify(kind)}`);
  }
  const f = new Findings(options.level);
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    checkValue(f, kind, input, options);
    return { doc: input, result: f.result() };
  }
  const text = readJsonText(input, options);
  // The reader's findings keep their side: a duplicate name is an error although RFC 8259 says SHOULD.
  f.merge(text);
  if (text.parsed) checkValue(f, kind, text.value, options);
  return { doc: text.value, result: f.result() };
}

function checkValue(f: Findings, kind: DocumentKind, doc: unknown, options: ValidateOptions): void {
  const check = schemaValidators[kind];
  if (!check(doc)) {
    for (const finding of schemaFindings(check.errors, DOC_REF[kind])) f.error(finding);
    return;
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
}

/** Parse and validate; throws RuntimeSpecError (DOCUMENT_INVALID) with the errors when invalid. */
export function parse<K extends DocumentKind>(kind: K, input: unknown, options: ValidateOptions = NO_OPTIONS): DocumentTypes[K] {
  // Only errors decide, and only they travel with the error: no warning is collected.
  const { doc, result } = readAndValidate(kind, input, { ...options, level: 'MUST' });
  if (!result.valid) {
    const first = result.errors[0]!;
    throw new RuntimeSpecError(
      RuntimeSpecErrorCode.DocumentInvalid,
      `invalid ${kind}: ${first.path || '(document)'}: ${first.message}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ''}`,
      { findings: result.errors },
    );
  }
  return doc as DocumentTypes[K];
}

/** Type guard: true when the value is a parsed document of the kind with no MUST-level finding. */
export function is<K extends DocumentKind>(kind: K, value: unknown, options: Omit<ValidateOptions, 'level'> = NO_OPTIONS): value is DocumentTypes[K] {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false;
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
