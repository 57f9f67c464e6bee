/**
 * The run-time side of the schema validators `npm run generate` compiles
 * ahead of time with ajv (standalone code): the helpers that code calls in
 * place of ajv's own runtime modules, and the translation of its errors into
 * findings. The compiled validators import this package, so none of them
 * depends on ajv at run time.
 */
import type { Finding } from './finding.js';
import { escapePointer } from './pointer.js';

/** One structural error reported by a compiled validator (ajv's shape). */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A compiled validator: returns true when the document has the right shape. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/** Length in Unicode code points, as JSON Schema's minLength/maxLength count. */
export function ucs2length(str: string): number {
  let length = 0;
  let pos = 0;
  while (pos < str.length) {
    length++;
    const code = str.charCodeAt(pos++);
    if (code >= 0xd800 && code <= 0xdbff && pos < str.length) {
      const next = str.charCodeAt(pos);
      if ((next & 0xfc00) === 0xdc00) pos++;
    }
  }
  return length;
}

/**
 * Add an error to a validator's list, creating the list on the first one.
 * The generator folds ajv's inline form of this step (six lines at every
 * keyword) into a call.
 */
export function appendError(list: SchemaError[] | null, error: SchemaError): SchemaError[] {
  if (list === null) return [error];
  list.push(error);
  return list;
}

/** Structural equality of JSON values, as JSON Schema's uniqueItems compares. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && jsonEqual((a as Record<string, unknown>)[k], rb[k]));
}

/**
 * Turn a compiled validator's errors into findings. Schema constraints are
 * all MUST-level: the schema encodes only what the spec requires.
 */
export function schemaFindings(errors: readonly SchemaError[] | null | undefined, ref: string): Finding[] {
  if (!errors) return [];
  return errors.map((e) => ({
    path: e.keyword === 'required' ? `${e.instancePath}/${escapePointer(String(e.params['missingProperty']))}` : e.instancePath,
    message: describeSchemaError(e),
    code: `SCHEMA_${e.keyword.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
    level: 'MUST' as const,
    ref,
  }));
}

function describeSchemaError(e: SchemaError): string {
  const where = e.instancePath === '' ? 'document' : e.instancePath;
  switch (e.keyword) {
    case 'required':
      return `missing required property "${String(e.params['missingProperty'])}"`;
    case 'type':
      return `${where} must be ${String(e.params['type'])}`;
    case 'enum':
      return `${where} must be one of ${JSON.stringify(e.params['allowedValues'])}`;
    case 'const':
      return `${where} must be ${JSON.stringify(e.params['allowedValue'])}`;
    case 'pattern':
      return `${where} must match ${String(e.params['pattern'])}`;
    case 'additionalProperties':
      return `${where} has unknown property "${String(e.params['additionalProperty'])}"`;
    default:
      return `${where} ${e.message ?? `breaks schema keyword ${e.keyword}`}`;
  }
}
