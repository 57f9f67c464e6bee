import { describe, expect, it } from '@jest/globals';
import { subordinateRange } from './id-mappings.js';

describe('subordinateRange', () => {
  const text = '# comment\nalice:100000:65536\n1001:300000:1000\nbroken:x:1\n';
  it('finds the entry by name or by uid', () => {
    expect(subordinateRange(text, { name: 'alice', id: 1000 })).toEqual({ start: 100000, count: 65536 });
    expect(subordinateRange(text, { name: 'bob', id: 1001 })).toEqual({ start: 300000, count: 1000 });
  });
  it('has nothing for a user without an entry, or with a malformed one', () => {
    expect(subordinateRange(text, { name: 'carol', id: 1002 })).toBeUndefined();
    expect(subordinateRange(text, { name: 'broken', id: 7 })).toBeUndefined();
  });
});
