import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import ajvEqual from 'ajv/dist/runtime/equal.js';
import ajvUcs2length from 'ajv/dist/runtime/ucs2length.js';
import { jsonEqual, schemaFindings, ucs2length } from './schema-runtime.js';

// ajv's runtime modules are CommonJS with a `default`; the compiled validators call ours instead.
const equal = (ajvEqual as unknown as { default: (a: unknown, b: unknown) => boolean }).default;
const length = (ajvUcs2length as unknown as { default: (s: string) => number }).default;

describe('the helpers compiled validators call instead of ajv/dist/runtime', () => {
  it('ucs2length counts code points as ajv does', () => {
    expect(ucs2length('a😀b')).toBe(3);
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => expect(ucs2length(s)).toBe(length(s))));
  });

  it('jsonEqual compares JSON values as ajv does', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    // ajv's fast-deep-equal calls a key named toString or valueOf as a method and
    // throws on JSON such as {"toString":""}: those pairs have no ajv answer to match.
    const ajvAnswer = (a: unknown, b: unknown): boolean | undefined => {
      try {
        return equal(a, b);
      } catch {
        return undefined;
      }
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const expected = ajvAnswer(a, b);
        if (expected !== undefined) expect(jsonEqual(a, b)).toBe(expected);
      }),
    );
    expect(jsonEqual({ toString: '' }, {})).toBe(false);
    expect(jsonEqual({ valueOf: 1 }, { valueOf: 1 })).toBe(true);
    fc.assert(fc.property(fc.jsonValue(), (a) => expect(jsonEqual(a, structuredClone(a))).toBe(true)));
  });
});

describe('schemaFindings', () => {
  it('turns ajv errors into MUST-level findings with pointers and SCHEMA_ codes', () => {
    const ref = 'https://example.com/spec';
    const f = schemaFindings(
      [
        { instancePath: '/config', schemaPath: '#/required', keyword: 'required', params: { missingProperty: 'a/b' } },
        { instancePath: '', schemaPath: '#/additionalProperties', keyword: 'additionalProperties', params: { additionalProperty: 'x' } },
        { instancePath: '/size', schemaPath: '#/type', keyword: 'type', params: { type: 'integer' } },
      ],
      ref,
    );
    expect(f).toEqual([
      { path: '/config/a~1b', message: 'missing required property "a/b"', code: 'SCHEMA_REQUIRED', level: 'MUST', ref },
      { path: '', message: 'document has unknown property "x"', code: 'SCHEMA_ADDITIONAL_PROPERTIES', level: 'MUST', ref },
      { path: '/size', message: '/size must be integer', code: 'SCHEMA_TYPE', level: 'MUST', ref },
    ]);
    expect(schemaFindings(null, ref)).toEqual([]);
  });
});
