import { describe, expect, it } from '@jest/globals';
import { quote } from './index.js';

describe('quote', () => {
  it('keeps a message on one line whatever the text holds', () => {
    expect(quote('plain/path')).toBe('"plain/path"');
    expect(quote('two\nlines "and" quotes\u0007')).toBe('"two\\nlines \\"and\\" quotes\\u0007"');
    expect(quote('two\nlines').includes('\n')).toBe(false);
  });
});
