import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { readJsonText, readJsonBytes, MAX_DEPTH } from './json-text.js';

describe('readJsonText', () => {
  it('reads what JSON.parse reads, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 1);
        const r = readJsonText(text);
        expect(r.problems).toEqual([]);
        expect(r.value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects what JSON.parse rejects', () => {
    for (const bad of ['', '{', '{"a":1,}', '[1,]', '01', '1.', '.5', '"\\x"', '"a\nb"', 'tru', '{"a" 1}', '[1 2]', 'NaN', '{} {}', '"\\u12g4"', '+1', '\u00a0{}']) {
      expect(() => JSON.parse(bad)).toThrow();
      const r = readJsonText(bad);
      expect(r.value).toBeUndefined();
      expect(r.problems.map((p) => p.code)).toEqual(['JSON_SYNTAX']);
    }
  });

  it('decodes escapes, keeps __proto__ as data', () => {
    const r = readJsonText('{"a\\u00e9\\n":"\\ud83d\\ude00","__proto__":{"x":1}}');
    expect(r.problems).toEqual([]);
    const v = r.value as Record<string, unknown>;
    expect(v['a\u00e9\n']).toBe('\u{1f600}');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(v, '__proto__')).toBe(true);
  });

  it('reports each duplicate key with the pointer of its object', () => {
    const r = readJsonText('{"a":{"b~/c":1,"b~/c":2},"d":[{"e":1,"e":1}],"a":0}');
    expect(r.problems.map((p) => [p.code, p.path])).toEqual([
      ['JSON_DUPLICATE_KEY', '/a'],
      ['JSON_DUPLICATE_KEY', '/d/0'],
      ['JSON_DUPLICATE_KEY', ''],
    ]);
    expect((r.value as { a: number }).a).toBe(0);
  });

  it('finds duplicates the fast path could be fooled on (strings holding `":`, spaced colons)', () => {
    for (const text of ['{"a" : 1, "a" : 2, "x":"\\":"}', '{"a":"\\":","a":1}', '{"a":1,"\\u0061":2}', '{"x":{"k":"\\" :","k":0}}', '{\n  "a"\t:\n1,\n  "a":2}']) {
      const r = readJsonText(text);
      expect(r.problems.map((p) => p.code)).toEqual(['JSON_DUPLICATE_KEY']);
      expect(r.value).toEqual(JSON.parse(text));
    }
  });

  it('reports a duplicate wherever it is injected, however the text is laid out', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.constantFrom('', ' ', '\n', '\t '), fc.nat(), (obj, ws, pick) => {
        const keys = Object.keys(obj);
        const key = keys[pick % keys.length]!;
        const members = Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}${ws}:${ws}${JSON.stringify(v)}`);
        members.push(`${JSON.stringify(key)}${ws}:${ws}null`);
        const r = readJsonText(`{${members.join(',')}}`);
        expect(r.problems.map((p) => p.code)).toEqual(['JSON_DUPLICATE_KEY']);
        const clean = readJsonText(`{${members.slice(0, -1).join(',')}}`);
        expect(clean.problems).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('stops hostile nesting without recursion', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const r = readJsonText(deep);
    expect(r.problems.map((p) => p.code)).toEqual(['JSON_TOO_DEEP']);
    const ok = '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH);
    expect(readJsonText(ok).problems).toEqual([]);
    const objs = '{"a":'.repeat(MAX_DEPTH + 1) + '1' + '}'.repeat(MAX_DEPTH + 1);
    expect(readJsonText(objs).problems.map((p) => p.code)).toEqual(['JSON_TOO_DEEP']);
  });

  it('rejects lone surrogates in the text and invalid UTF-8 bytes', () => {
    expect(readJsonText('"\ud800"').problems.map((p) => p.code)).toEqual(['UTF8_INVALID']);
    expect(readJsonBytes(Uint8Array.from([0x22, 0xc3, 0x28, 0x22])).problems.map((p) => p.code)).toEqual(['UTF8_INVALID']);
    expect(readJsonBytes(Buffer.from('"caf\u00e9"')).value).toBe('caf\u00e9');
  });
});
