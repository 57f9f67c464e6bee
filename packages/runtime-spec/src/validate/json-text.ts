/**
 * Strict JSON text reader for untrusted documents: RFC 8259 grammar, UTF-8
 * checked, duplicate object keys reported (Go's encoding/json, which runtimes
 * use, silently keeps the last one, so a duplicate can hide a setting from a
 * reviewer). Iterative, with an explicit stack: hostile, deeply nested input
 * cannot overflow the call stack, and nesting beyond MAX_DEPTH is rejected.
 */
import { escapePointer } from '../generated/validation-runtime.js';

/** Deepest nesting accepted; runtime documents are a dozen levels deep. */
export const MAX_DEPTH = 512;

export interface TextProblem {
  code: 'JSON_SYNTAX' | 'JSON_DUPLICATE_KEY' | 'JSON_TOO_DEEP' | 'UTF8_INVALID';
  /** JSON Pointer of the object holding a duplicate key, or "" */
  path: string;
  message: string;
}

export interface ReadResult {
  /** The value; undefined when the text could not be read at all. */
  value: unknown;
  problems: TextProblem[];
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode bytes as strict UTF-8, then read them as JSON text. */
export function readJsonBytes(bytes: Uint8Array): ReadResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { value: undefined, problems: [{ code: 'UTF8_INVALID', path: '', message: 'expected UTF-8 text, found an invalid byte sequence' }] };
  }
  return readJsonText(text);
}

class SyntaxProblem extends Error {}

/** In unicode mode a paired surrogate is one astral code point: only lone ones match. */
const LONE_SURROGATE = /\p{Cs}/u;

interface Frame {
  container: Record<string, unknown> | unknown[];
  isArray: boolean;
  /** Key the current value of an object frame will be stored under. */
  key: string;
  pointer: string;
}

/** A key's closing quote: `"` then optional whitespace then `:`. */
const KEY_END = /"[ \t\n\r]*:/g;

/**
 * Number of object members in a parsed value, or -1 when it nests deeper than
 * MAX_DEPTH. Iterative: the value may come from hostile text.
 */
function countMembers(root: unknown): number {
  let members = 0;
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) return -1;
    if (Array.isArray(v)) {
      for (let k = 0; k < v.length; k++) {
        const x: unknown = v[k];
        if (x !== null && typeof x === 'object') {
          values.push(x);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in v) {
        members++;
        const x = (v as Record<string, unknown>)[key];
        if (x !== null && typeof x === 'object') {
          values.push(x);
          depths.push(depth + 1);
        }
      }
    }
  }
  return members;
}

/**
 * Read JSON text (already decoded) strictly.
 *
 * Fast path: the engine's JSON.parse, then two counts. Every member of a
 * parsed object comes from one key in the text, and every key ends with
 * `"` whitespace `:`; a duplicate key makes the parsed members fewer than
 * the keys, and a `":` inside a string makes the matches more. So when the
 * matches equal the members, there is no duplicate. Anything else (a syntax
 * error, a possible duplicate, deep nesting) takes the exact reader below,
 * which says precisely what and where.
 */
export function readJsonText(text: string): ReadResult {
  if (LONE_SURROGATE.test(text)) {
    return { value: undefined, problems: [{ code: 'UTF8_INVALID', path: '', message: 'expected text encodable as UTF-8, found a lone surrogate' }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return readJsonTextExactly(text);
  }
  const members = countMembers(value);
  if (members >= 0) {
    let keys = 0;
    KEY_END.lastIndex = 0;
    while (KEY_END.exec(text) !== null) keys++;
    if (keys === members) return { value, problems: [] };
  }
  return readJsonTextExactly(text);
}

/** The exact reader: a full tokenizer with positions, pointers and limits. */
export function readJsonTextExactly(text: string): ReadResult {
  const problems: TextProblem[] = [];
  const n = text.length;
  let i = 0;
  const where = (at: number) => {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < n; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return `line ${line} column ${col}`;
  };
  const fail = (expected: string): never => {
    const found = i >= n ? 'end of input' : JSON.stringify(text[i]);
    throw new SyntaxProblem(`expected ${expected} at ${where(i)}, found ${found}`);
  };
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  const readString = (): string => {
    // At the opening quote. Fast path: no escapes and no control characters.
    const start = ++i;
    for (;;) {
      if (i >= n) fail('closing quote of string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return text.slice(start, i - 1);
      }
      if (c === 92) break;
      if (c < 32) fail('a character allowed in a string (control characters must be escaped)');
      i++;
    }
    // Slow path with escapes: find the end, then let JSON.parse decode the slice.
    for (;;) {
      if (i >= n) fail('closing quote of string');
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) fail('a character allowed in a string (control characters must be escaped)');
      if (c === 92) {
        const e = text.charCodeAt(i + 1);
        if (e === 117) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail('four hex digits after \\u');
          }
          i += 6;
          continue;
        }
        // " \ / b f n r t
        if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          i += 2;
          continue;
        }
        i++;
        fail('a valid escape character');
      }
      i++;
    }
    i++;
    return JSON.parse(text.slice(start - 1, i)) as string;
  };
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const readScalar = (): unknown => {
    const c = text.charCodeAt(i);
    if (c === 34) return readString();
    if (c === 116 && text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (c === 102 && text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (c === 110 && text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null || m[0].length === 0) return fail('a JSON value');
    i += m[0].length;
    return Number(m[0]);
  };

  const stack: Frame[] = [];
  let root: unknown;
  // Store a finished value into the innermost container (or as the root).
  const store = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
      return;
    }
    if (top.isArray) (top.container as unknown[]).push(value);
    else {
      const obj = top.container as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(obj, top.key)) {
        problems.push({ code: 'JSON_DUPLICATE_KEY', path: top.pointer, message: `expected unique keys in an object, found "${top.key}" more than once (the last one wins in most readers)` });
      }
      if (top.key === '__proto__') Object.defineProperty(obj, top.key, { value, writable: true, enumerable: true, configurable: true });
      else obj[top.key] = value;
    }
  };
  const childPointer = (top: Frame | undefined): string => {
    if (!top) return '';
    return top.isArray ? `${top.pointer}/${(top.container as unknown[]).length}` : `${top.pointer}/${escapePointer(top.key)}`;
  };

  try {
    skipWs();
    // state: expecting a value
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        skipWs();
        if (i >= n) fail('a JSON value');
        const c = text.charCodeAt(i);
        if (c === 123 || c === 91) {
          if (stack.length >= MAX_DEPTH) {
            return { value: undefined, problems: [{ code: 'JSON_TOO_DEEP', path: '', message: `expected at most ${MAX_DEPTH} levels of nesting, found more at ${where(i)}` }] };
          }
          const pointer = childPointer(stack[stack.length - 1]);
          i++;
          skipWs();
          if (c === 91) {
            const frame: Frame = { container: [], isArray: true, key: '', pointer };
            if (text.charCodeAt(i) === 93) {
              i++;
              store(frame.container);
              expectValue = false;
              continue;
            }
            stack.push(frame);
            continue; // expect first element
          }
          const frame: Frame = { container: {}, isArray: false, key: '', pointer };
          if (text.charCodeAt(i) === 125) {
            i++;
            store(frame.container);
            expectValue = false;
            continue;
          }
          if (text.charCodeAt(i) !== 34) fail('a string key or "}"');
          frame.key = readString();
          skipWs();
          if (text.charCodeAt(i) !== 58) fail('":" after an object key');
          i++;
          stack.push(frame);
          continue;
        }
        store(readScalar());
        expectValue = false;
        continue;
      }
      // After a value: "," or a closing bracket, or the end of input.
      skipWs();
      const top = stack[stack.length - 1];
      if (!top) {
        if (i < n) fail('end of input after the top-level value');
        break;
      }
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        if (!top.isArray) {
          skipWs();
          if (text.charCodeAt(i) !== 34) fail('a string key');
          top.key = readString();
          skipWs();
          if (text.charCodeAt(i) !== 58) fail('":" after an object key');
          i++;
        }
        expectValue = true;
        continue;
      }
      if ((top.isArray && c === 93) || (!top.isArray && c === 125)) {
        i++;
        stack.pop();
        store(top.container);
        continue;
      }
      fail(top.isArray ? '"," or "]"' : '"," or "}"');
    }
  } catch (err) {
    if (err instanceof SyntaxProblem) return { value: undefined, problems: [{ code: 'JSON_SYNTAX', path: '', message: err.message }] };
    throw err;
  }
  return { value: root, problems };
}
