import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { escapePointer, pointer } from './pointer.js';

/** RFC 6901 section 4: evaluate a pointer against a document. */
function resolve(doc: unknown, ptr: string): unknown {
  if (ptr === '') return doc;
  return ptr
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((v, t) => (v as Record<string, unknown>)[t], doc);
}

describe('JSON Pointers', () => {
  it('escapes ~ and / (RFC 6901 section 3)', () => {
    expect(escapePointer('a/b~c')).toBe('a~1b~0c');
    expect(escapePointer('~1')).toBe('~01');
  });

  it('appends names and indexes', () => {
    expect(pointer('')).toBe('');
    expect(pointer('/layers', 0, 'digest')).toBe('/layers/0/digest');
    expect(pointer('', 'org.opencontainers/x', '~')).toBe('/org.opencontainers~1x/~0');
  });

  it('builds pointers that resolve back to the value, for any names', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), (names) => {
        let doc: unknown = 'leaf';
        for (const n of [...names].reverse()) doc = { [n]: doc };
        expect(resolve(doc, pointer('', ...names))).toBe('leaf');
      }),
    );
  });
});
