import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readJsonText, scanJson } from './json-text.js';

const dupPaths = (text: string) => readJsonText(text).errors.filter((f) => f.code === 'JSON_DUPLICATE_KEY').map((f) => f.path);

describe('readJsonText', () => {
  it('finds duplicate names at any depth, with escaped pointers', () => {
    expect(dupPaths('{"a":1,"a":2}')).toEqual(['/a']);
    expect(dupPaths('{"x":[{"b":1},{"b":1,"c":{"d/e~f":1,"d/e~f":2}}]}')).toEqual(['/x/1/c/d~1e~0f']);
    expect(dupPaths('{"a":{"a":1},"b":{"a":1}}')).toEqual([]);
  });

  it('compares names after unescaping, and is not fooled by quotes and colons inside strings', () => {
    expect(dupPaths('{"a":1,"\\u0061":2}')).toEqual(['/a']);
    expect(dupPaths('{"k":"a\\":b","k2":"\\\\","k3":"\\\\\\":"}')).toEqual([]);
    expect(dupPaths('{"k":"x\\": 1, \\"k\\": 2"}')).toEqual([]);
  });

  it('counts names written with whitespace before the colon', () => {
    expect(dupPaths('{"a" :1,\n"a"\t\n: 2}')).toEqual(['/a']);
    expect(dupPaths('{ "a" : 1 , "b" : [ { "c" : 1 } ] }')).toEqual([]);
  });

  it('agrees with the precise scanner on arbitrary JSON with and without a duplicate injected', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, inject) => {
        let text = JSON.stringify(v);
        if (inject && typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
          const k = Object.keys(v)[0]!;
          text = `${text.slice(0, -1)},${JSON.stringify(k)}:null}`;
          expect(dupPaths(text)).toContain(`/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        } else {
          expect(dupPaths(text)).toEqual([]);
        }
        expect(scanJson(text).duplicates.map((d) => d.path)).toEqual(dupPaths(text));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects bytes that are not UTF-8 and strings with lone surrogates', () => {
    expect(readJsonText(new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])).errors.map((f) => f.code)).toEqual(['JSON_INVALID_UTF8']);
    expect(readJsonText('{"a":"\ud800"}').errors.map((f) => f.code)).toEqual(['JSON_INVALID_UTF8']);
    // An escaped lone surrogate is valid JSON syntax and stays allowed.
    expect(readJsonText('{"a":"\\ud800"}').errors).toEqual([]);
    expect(readJsonText(new TextEncoder().encode('{"é":"😀"}')).value).toEqual({ é: '😀' });
  });

  it('ignores a byte order mark with a warning', () => {
    const r = readJsonText(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));
    expect(r.parsed).toBe(true);
    expect(r.warnings.map((f) => f.code)).toEqual(['JSON_BYTE_ORDER_MARK']);
  });

  it('reports syntax errors on one line', () => {
    const r = readJsonText('{"a":1,}');
    expect(r.parsed).toBe(false);
    expect(r.errors[0]!.code).toBe('JSON_SYNTAX');
    expect(r.errors[0]!.message).not.toMatch(/\n/);
  });

  it('enforces the nesting limit exactly and honours the option', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(readJsonText(nest(256)).errors).toEqual([]);
    expect(readJsonText(nest(257)).errors.map((f) => f.code)).toEqual(['JSON_TOO_DEEP']);
    expect(readJsonText(nest(10), { maxDepth: 9 }).errors.map((f) => f.path)).toEqual(['/0/0/0/0/0/0/0/0/0']);
  });
});
