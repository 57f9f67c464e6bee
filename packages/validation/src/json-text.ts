// Strict JSON text reader, shared by every spec package (and the CLI): all
// document kinds get the same codes and limits.
//
// It checks what a parsed value can no longer show: the bytes are UTF-8, the
// text parses, no object has the same name twice, and nesting stays within a
// limit. Everything is iterative: hostile input (a million nested brackets)
// yields a finding, never a stack overflow.
import type { Finding } from './finding.js';
import { describeLimit, Limits } from './limits.js';
import { escapePointer } from './pointer.js';

/** Stable codes of the findings this reader reports. */
export const JsonTextCode = {
  InvalidUtf8: 'JSON_INVALID_UTF8',
  ByteOrderMark: 'JSON_BYTE_ORDER_MARK',
  Syntax: 'JSON_SYNTAX',
  DuplicateKey: 'JSON_DUPLICATE_KEY',
  TooDeep: 'JSON_TOO_DEEP',
} as const;
export type JsonTextCode = (typeof JsonTextCode)[keyof typeof JsonTextCode];

// RFC 8259 sections the findings cite.
const REF_ENCODING = 'https://www.rfc-editor.org/rfc/rfc8259#section-8.1';
const REF_OBJECTS = 'https://www.rfc-editor.org/rfc/rfc8259#section-4';
const REF_LIMITS = 'https://www.rfc-editor.org/rfc/rfc8259#section-9';
const REF_SYNTAX = 'https://www.rfc-editor.org/rfc/rfc8259#section-2';

/**
 * Nesting depth of arrays and objects above which a document is refused:
 * `Limits.JsonDepth` (MAX_JSON_DEPTH).
 */
export const DEFAULT_MAX_DEPTH = Limits.JsonDepth.value;

export interface JsonTextOptions {
  /** Maximum nesting depth of arrays and objects (default {@link DEFAULT_MAX_DEPTH}). */
  maxDepth?: number;
  /** Report duplicate object names as errors (default) or as warnings. */
  duplicateKeys?: 'error' | 'warning';
}

export interface JsonTextResult {
  /** True when `value` holds the parsed document. */
  parsed: boolean;
  /** The parsed value; undefined when the text was not read (see `errors`). */
  value: unknown;
  errors: Finding[];
  warnings: Finding[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The end of an object name: a quote, optional whitespace, a colon. In valid
 * JSON a value string is never followed by ":", and a quote inside a string is
 * escaped, so an unescaped match is exactly one name.
 */
const NAME_END = /"[ \t\n\r]*:/g;

/**
 * Decode bytes (or take a string), parse them as JSON and check them. Never
 * throws. Invalid UTF-8, a syntax error and nesting beyond `maxDepth` leave
 * `parsed` false; a byte order mark is a warning and is skipped; a duplicate
 * name is an error (or a warning on request) and the last value wins.
 */
export function readJsonText(input: string | Uint8Array, options: JsonTextOptions = {}): JsonTextResult {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const refused = (): JsonTextResult => ({ parsed: false, value: undefined, errors, warnings });
  let text: string;
  // https://www.rfc-editor.org/rfc/rfc8259#section-8.1: JSON exchanged between systems MUST be UTF-8.
  if (typeof input === 'string') {
    // A string that is not well-formed UTF-16 (a lone surrogate) has no UTF-8 encoding.
    if (!isWellFormed(input)) {
      errors.push({ path: '', code: JsonTextCode.InvalidUtf8, level: 'MUST', ref: REF_ENCODING, message: 'expected UTF-8 text, found a lone surrogate (text that has no UTF-8 encoding)' });
      return refused();
    }
    text = input;
  } else {
    try {
      text = utf8.decode(input);
    } catch (e) {
      errors.push({ path: '', code: JsonTextCode.InvalidUtf8, level: 'MUST', ref: REF_ENCODING, message: `expected UTF-8 text, found an invalid byte sequence (${(e as Error).message})` });
      return refused();
    }
  }
  // Same section: producers MUST NOT add a byte order mark; parsers MAY ignore one.
  if (text.charCodeAt(0) === 0xfeff) {
    warnings.push({ path: '', code: JsonTextCode.ByteOrderMark, level: 'MUST', ref: REF_ENCODING, message: 'expected no byte order mark (implementations MUST NOT add one), found U+FEFF at the start; ignored' });
    text = text.slice(1);
  }
  let value: unknown;
  try {
    // V8's JSON.parse is iterative: deep nesting does not overflow here.
    value = JSON.parse(text);
  } catch (e) {
    errors.push({ path: '', code: JsonTextCode.Syntax, level: 'MUST', ref: REF_SYNTAX, message: `expected JSON text, found a syntax error: ${oneLine((e as Error).message)}` });
    return refused();
  }
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Fast path: count names in the text and in the parsed value. Equal counts
  // mean no object lost a duplicate; only otherwise scan for where it is.
  const shape = value !== null && typeof value === 'object' ? measure(value) : { names: 0, depth: 0 };
  if (shape.depth <= maxDepth && countNames(text) === shape.names) return { parsed: true, value, errors, warnings };
  const found = scanJson(text, maxDepth);
  // https://www.rfc-editor.org/rfc/rfc8259#section-4: names SHOULD be unique;
  // with duplicates, readers disagree on the value (Go keeps the last one).
  const sink = options.duplicateKeys === 'warning' ? warnings : errors;
  for (const dup of found.duplicates) {
    sink.push({
      path: dup.path,
      code: JsonTextCode.DuplicateKey,
      level: 'SHOULD',
      ref: REF_OBJECTS,
      message: `expected unique names in an object, found ${JSON.stringify(dup.name)} again (parsers disagree on which value wins)`,
    });
  }
  if (found.tooDeep !== undefined) {
    // Refused, not passed on: code that later walks the value need not be iterative.
    const limit = maxDepth === Limits.JsonDepth.value ? describeLimit(Limits.JsonDepth) : `${maxDepth} levels (maxDepth)`;
    errors.push({ path: found.tooDeep, code: JsonTextCode.TooDeep, level: 'MAY', ref: REF_LIMITS, message: `expected nesting of arrays and objects within ${limit}, found deeper nesting` });
    return refused();
  }
  return { parsed: true, value, errors, warnings };
}

/** Object names in JSON text known to parse: unescaped `"` + whitespace + `:` sequences. */
function countNames(text: string): number {
  let names = 0;
  NAME_END.lastIndex = 0;
  for (let m = NAME_END.exec(text); m !== null; m = NAME_END.exec(text)) {
    let backslashes = 0;
    for (let j = m.index - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if ((backslashes & 1) === 0) names++;
  }
  return names;
}

/** Number of object names and maximum nesting depth of a parsed JSON value, iteratively. */
function measure(root: unknown): { names: number; depth: number } {
  let names = 0;
  let depth = 0;
  // Values and their depths, interleaved on one stack.
  const stack: unknown[] = [root, 1];
  while (stack.length > 0) {
    const d = stack.pop() as number;
    const v = stack.pop();
    if (d > depth) depth = d;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === 'object') stack.push(item, d + 1);
    } else {
      for (const k in v as Record<string, unknown>) {
        names++;
        const item = (v as Record<string, unknown>)[k];
        if (item !== null && typeof item === 'object') stack.push(item, d + 1);
      }
    }
  }
  return { names, depth };
}

interface Frame {
  object: boolean;
  pointer: string;
  names: Set<string>;
  /** Name of the member being read (objects) or index of the element (arrays). */
  current: string;
  index: number;
}

export interface ScanResult {
  /** Every repeated name, with the JSON Pointer of the repeated member. */
  duplicates: { path: string; name: string }[];
  /** Pointer of the first container beyond the depth limit. */
  tooDeep?: string;
}

/**
 * The precise scanner: walk JSON text that is known to parse with an explicit
 * stack, tracking the pointer of each container, and report every repeated
 * name. Stops at the depth limit.
 */
export function scanJson(text: string, maxDepth: number = DEFAULT_MAX_DEPTH): ScanResult {
  const duplicates: { path: string; name: string }[] = [];
  const stack: Frame[] = [];
  let expectName = false;
  let i = 0;
  const n = text.length;
  const childPointer = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return `${top.pointer}/${top.object ? escapePointer(top.current) : String(top.index)}`;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const pointer = childPointer();
      if (stack.length >= maxDepth) return { duplicates, tooDeep: pointer };
      stack.push({ object: c === 0x7b, pointer, names: new Set(), current: '', index: 0 });
      expectName = c === 0x7b;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectName = false;
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top) {
        if (top.object) expectName = true;
        else top.index++;
      }
      i++;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (expectName && top?.object) {
        const raw = text.slice(i, j + 1);
        const name = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.names.has(name)) duplicates.push({ path: `${top.pointer}/${escapePointer(name)}`, name });
        else top.names.add(name);
        top.current = name;
        expectName = false;
      }
      i = j + 1;
    } else {
      i++;
    }
  }
  return { duplicates };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `String.prototype.isWellFormed` (ES2024) where the runtime has it. */
function isWellFormed(s: string): boolean {
  const native = (s as { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(s) : !LONE_SURROGATE.test(s);
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
