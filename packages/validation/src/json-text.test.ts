// Tests of the strict JSON text reader, the one every ocikit validator uses.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_MAX_DEPTH, readJsonText, scanJson } from './json-text.js';

const codes = (text: string | Uint8Array) => {
  const r = readJsonText(text);
  return [...r.errors, ...r.warnings].map((f) => f.code);
};
const dupPaths = (text: string) => readJsonText(text).errors.filter((f) => f.code === 'JSON_DUPLICATE_KEY').map((f) => f.path);
const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
const pointerToken = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

describe('readJsonText: syntax (RFC 8259 section 2)', () => {
  it('reads what JSON.parse reads, for any JSON value and layout', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t'), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        const r = readJsonText(text);
        expect(r.errors).toEqual([]);
        expect(r.warnings).toEqual([]);
        expect(r.parsed).toBe(true);
        expect(r.value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects what JSON.parse rejects, with one finding on one line', () => {
    for (const bad of ['', '{', '{"a":1,}', '[1,]', '01', '1.', '.5', '"\\x"', '"a\nb"', 'tru', '{"a" 1}', '[1 2]', 'NaN', '{} {}', '"\\u12g4"', '+1', '\u00a0{}']) {
      expect(() => JSON.parse(bad)).toThrow();
      const r = readJsonText(bad);
      expect({ bad, parsed: r.parsed, value: r.value, codes: r.errors.map((f) => f.code) }).toEqual({ bad, parsed: false, value: undefined, codes: ['JSON_SYNTAX'] });
      expect(r.errors[0]!.message).not.toMatch(/\n/);
      expect(r.errors[0]!.ref).toBe('https://www.rfc-editor.org/rfc/rfc8259#section-2');
    }
  });

  it('decodes escapes and keeps __proto__ as data', () => {
    const r = readJsonText('{"a\\u00e9\\n":"\\ud83d\\ude00","__proto__":{"x":1}}');
    expect(r.errors).toEqual([]);
    const v = r.value as Record<string, unknown>;
    expect(v['a\u00e9\n']).toBe('\u{1f600}');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(v, '__proto__')).toBe(true);
  });
});

describe('readJsonText: duplicate names (RFC 8259 section 4)', () => {
  it('finds duplicate names at any depth, with the escaped pointer of the repeated member', () => {
    expect(dupPaths('{"a":1,"a":2}')).toEqual(['/a']);
    expect(dupPaths('{"x":[{"b":1},{"b":1,"c":{"d/e~f":1,"d/e~f":2}}]}')).toEqual(['/x/1/c/d~1e~0f']);
    expect(dupPaths('{"a":{"b~/c":1,"b~/c":2},"d":[{"e":1,"e":1}],"a":0}')).toEqual(['/a/b~0~1c', '/d/0/e', '/a']);
    expect(dupPaths('{"a":{"a":1},"b":{"a":1}}')).toEqual([]);
  });

  it('keeps the last value, reports errors as SHOULD-level findings, and warnings on request', () => {
    const r = readJsonText('{"a":1,"a":2}');
    expect(r.parsed).toBe(true);
    expect(r.value).toEqual({ a: 2 });
    expect(r.errors.map((f) => [f.code, f.level, f.ref])).toEqual([['JSON_DUPLICATE_KEY', 'SHOULD', 'https://www.rfc-editor.org/rfc/rfc8259#section-4']]);
    const lenient = readJsonText('{"a":1,"a":2}', { duplicateKeys: 'warning' });
    expect(lenient.errors).toEqual([]);
    expect(lenient.warnings.map((f) => f.path)).toEqual(['/a']);
  });

  it('compares names after unescaping, and is not fooled by quotes and colons inside strings', () => {
    expect(dupPaths('{"a":1,"\\u0061":2}')).toEqual(['/a']);
    expect(dupPaths('{"k":"a\\":b","k2":"\\\\","k3":"\\\\\\":"}')).toEqual([]);
    expect(dupPaths('{"k":"x\\": 1, \\"k\\": 2"}')).toEqual([]);
    for (const text of ['{"a" : 1, "a" : 2, "x":"\\":"}', '{"a":"\\":","a":1}', '{"x":{"k":"\\" :","k":0}}', '{\n  "a"\t:\n1,\n  "a":2}']) {
      expect({ text, codes: codes(text) }).toEqual({ text, codes: ['JSON_DUPLICATE_KEY'] });
      expect(readJsonText(text).value).toEqual(JSON.parse(text));
    }
  });

  it('counts names written with whitespace before the colon', () => {
    expect(dupPaths('{"a" :1,\n"a"\t\n: 2}')).toEqual(['/a']);
    expect(dupPaths('{ "a" : 1 , "b" : [ { "c" : 1 } ] }')).toEqual([]);
  });

  it('fast path and precise scanner agree on arbitrary JSON, with and without a duplicate injected', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, inject) => {
        let text = JSON.stringify(v);
        if (inject && typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
          const k = Object.keys(v)[0]!;
          text = `${text.slice(0, -1)},${JSON.stringify(k)}:null}`;
          expect(dupPaths(text)).toContain(`/${pointerToken(k)}`);
        } else {
          expect(dupPaths(text)).toEqual([]);
        }
        expect(scanJson(text).duplicates.map((d) => d.path)).toEqual(dupPaths(text));
      }),
      { numRuns: 500 },
    );
  });

  it('reports a duplicate wherever it is injected, however the text is laid out', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.constantFrom('', ' ', '\n', '\t '), fc.nat(), (obj, ws, pick) => {
        const keys = Object.keys(obj);
        const key = keys[pick % keys.length]!;
        const members = Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}${ws}:${ws}${JSON.stringify(v)}`);
        const clean = `{${members.join(',')}}`;
        expect(codes(clean)).toEqual([]);
        members.push(`${JSON.stringify(key)}${ws}:${ws}null`);
        expect(dupPaths(`{${members.join(',')}}`)).toEqual([`/${pointerToken(key)}`]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('readJsonText: encoding (RFC 8259 section 8.1)', () => {
  it('rejects bytes that are not UTF-8 and strings with lone surrogates', () => {
    for (const input of [new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), Uint8Array.from([0x22, 0xff, 0x22]), '{"a":"\ud800"}', '"\udc00x"']) {
      const r = readJsonText(input);
      expect({ parsed: r.parsed, codes: r.errors.map((f) => f.code) }).toEqual({ parsed: false, codes: ['JSON_INVALID_UTF8'] });
      expect(r.errors[0]!.ref).toBe('https://www.rfc-editor.org/rfc/rfc8259#section-8.1');
    }
  });

  it('accepts UTF-8 bytes and escaped lone surrogates (valid JSON syntax)', () => {
    expect(readJsonText('{"a":"\\ud800"}').errors).toEqual([]);
    expect(readJsonText(new TextEncoder().encode('{"é":"😀"}')).value).toEqual({ é: '😀' });
    expect(readJsonText(Buffer.from('"caf\u00e9"')).value).toBe('caf\u00e9');
  });

  it('ignores a byte order mark, in bytes or in a string, with a warning', () => {
    for (const input of [new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), '\ufeff{}']) {
      const r = readJsonText(input);
      expect(r.parsed).toBe(true);
      expect(r.value).toEqual({});
      expect(r.errors).toEqual([]);
      expect(r.warnings.map((f) => f.code)).toEqual(['JSON_BYTE_ORDER_MARK']);
    }
    // Only at the start: elsewhere U+FEFF is not JSON whitespace.
    expect(codes('{}\ufeff')).toEqual(['JSON_SYNTAX']);
  });
});

describe('readJsonText: nesting limit (RFC 8259 section 9)', () => {
  it('enforces the default limit exactly, for arrays and objects', () => {
    expect(DEFAULT_MAX_DEPTH).toBe(256);
    expect(readJsonText(nest(DEFAULT_MAX_DEPTH)).errors).toEqual([]);
    expect(codes(nest(DEFAULT_MAX_DEPTH + 1))).toEqual(['JSON_TOO_DEEP']);
    const objects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    expect(readJsonText(objects(DEFAULT_MAX_DEPTH)).errors).toEqual([]);
    expect(codes(objects(DEFAULT_MAX_DEPTH + 1))).toEqual(['JSON_TOO_DEEP']);
  });

  it('honours the option and points at the first container too deep', () => {
    expect(readJsonText(nest(10), { maxDepth: 9 }).errors.map((f) => f.path)).toEqual(['/0/0/0/0/0/0/0/0/0']);
    expect(readJsonText(nest(10), { maxDepth: 10 }).errors).toEqual([]);
    expect(readJsonText(nest(300), { maxDepth: 512 }).errors).toEqual([]);
  });

  it('refuses too deep a document: no value is handed on', () => {
    const r = readJsonText(`{"x":${nest(300)}}`);
    expect(r.parsed).toBe(false);
    expect(r.value).toBeUndefined();
    expect(r.errors.map((f) => [f.code, f.path, f.ref])).toEqual([['JSON_TOO_DEEP', `/x${'/0'.repeat(255)}`, 'https://www.rfc-editor.org/rfc/rfc8259#section-9']]);
    expect(r.errors[0]!.message).toBe('expected nesting of arrays and objects within MAX_JSON_DEPTH (256 levels), found deeper nesting');
  });

  it('stops hostile nesting without recursion: a million brackets give a finding, not a stack overflow', () => {
    expect(codes(nest(1_000_000))).toEqual(['JSON_TOO_DEEP']);
    expect(codes(new TextEncoder().encode(nest(1_000_000)))).toEqual(['JSON_TOO_DEEP']);
    expect(codes('{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000))).toEqual(['JSON_TOO_DEEP']);
  });
});
