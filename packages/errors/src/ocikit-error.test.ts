import { describe, expect, it } from '@jest/globals';
import { OcikitError, type CodeOf } from './index.js';

// A package's error the way every ocikit package writes one.
const ThingErrorCode = {
  Missing: 'THING_MISSING',
  TooLarge: 'THING_TOO_LARGE',
} as const;
type ThingErrorCode = CodeOf<typeof ThingErrorCode>;

class ThingError extends OcikitError<ThingErrorCode> {
  override readonly name: string = 'ThingError';
}
class ThingTooLargeError extends ThingError {
  override readonly name = 'ThingTooLargeError';
  constructor(readonly size: number) {
    super(ThingErrorCode.TooLarge, `expected at most 10 bytes, found ${size}`, { ref: 'https://example.org/spec#size' });
  }
}

describe('OcikitError', () => {
  it('is an Error of its own class, with its code, message and name', () => {
    const err = new ThingError(ThingErrorCode.Missing, 'thing.json: expected a thing, found none');
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(OcikitError);
    expect(err).toBeInstanceOf(ThingError);
    expect(err).not.toBeInstanceOf(ThingTooLargeError);
    expect([err.name, err.code, err.message]).toEqual(['ThingError', 'THING_MISSING', 'thing.json: expected a thing, found none']);
    expect(String(err)).toBe('ThingError: thing.json: expected a thing, found none');
    expect(err.stack?.split('\n')[0]).toBe('ThingError: thing.json: expected a thing, found none');
  });

  it('keeps a subclass of a subclass apart, with its own name and fields', () => {
    const err = new ThingTooLargeError(12);
    expect(err).toBeInstanceOf(ThingError);
    expect(err).toBeInstanceOf(OcikitError);
    expect([err.name, err.code, err.size, err.ref]).toEqual(['ThingTooLargeError', 'THING_TOO_LARGE', 12, 'https://example.org/spec#size']);
  });

  it('chains the cause, and has no cause key when given none', () => {
    const cause = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const err = new ThingError(ThingErrorCode.Missing, 'thing.json: cannot read', { cause });
    expect(err.cause).toBe(cause);
    expect('cause' in new ThingError(ThingErrorCode.Missing, 'x')).toBe(false);
    expect('cause' in new ThingError(ThingErrorCode.Missing, 'x', { cause: undefined })).toBe(false);
  });

  it('carries the spec link when given one, else undefined', () => {
    expect(new ThingError(ThingErrorCode.Missing, 'x', { ref: 'https://example.org/spec#things' }).ref).toBe('https://example.org/spec#things');
    expect(new ThingError(ThingErrorCode.Missing, 'x').ref).toBeUndefined();
  });

  it('has the JSON form { code, message, ref }, ref only when there is one', () => {
    const withRef = new ThingTooLargeError(12);
    expect(JSON.parse(JSON.stringify(withRef))).toEqual({ code: 'THING_TOO_LARGE', message: 'expected at most 10 bytes, found 12', ref: 'https://example.org/spec#size' });
    const cause = new Error('inner');
    const plain = new ThingError(ThingErrorCode.Missing, 'thing.json: expected a thing, found none', { cause });
    expect(JSON.stringify(plain)).toBe('{"code":"THING_MISSING","message":"thing.json: expected a thing, found none"}');
    // Nested in a report, the error takes its JSON form too.
    expect(JSON.parse(JSON.stringify({ error: plain }))).toEqual({ error: { code: 'THING_MISSING', message: 'thing.json: expected a thing, found none' } });
  });

  it('derives the code union from the vocabulary (CodeOf)', () => {
    const codes: ThingErrorCode[] = Object.values(ThingErrorCode);
    expect(codes).toEqual(['THING_MISSING', 'THING_TOO_LARGE']);
    // Checked by `npm run typecheck`: a string outside the vocabulary is not a code.
    // @ts-expect-error THING_OTHER is not a ThingErrorCode
    const outside: ThingErrorCode = 'THING_OTHER';
    expect(codes).not.toContain(outside);
  });
});
