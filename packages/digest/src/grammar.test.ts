import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ENCODED_LENGTH, REGISTERED_ALGORITHMS, SUPPORTED_ALGORITHMS } from './algorithms.js';
import { DigestError, DigestErrorCode } from './errors.js';
import { DigestPattern, isSupported, isValidDigest, parseDigest, parseSupportedDigest, validateDigest } from './grammar.js';

const HEX64 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HEX128 = 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

/** The code `fn` throws, failing when it throws something else or nothing. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DigestError);
    const e = err as DigestError;
    // One line, naming what was expected.
    expect(e.message).not.toMatch(/\n/);
    expect(e.name).toBe('DigestError');
    return e.code;
  }
  throw new Error('expected a DigestError, nothing was thrown');
}

describe('parseDigest: the examples of image-spec descriptor.md "Digests"', () => {
  it.each([
    ['sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b', 'sha256', true],
    ['multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', 'multihash+base58', false],
    ['sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564', 'sha256+b64u', false],
    ['sha_256.x-y:abc', 'sha_256.x-y', false],
  ])('%s is valid, supported: %s', (digest, algorithm, supported) => {
    const parsed = parseDigest(digest);
    expect(parsed.algorithm).toBe(algorithm);
    expect(`${parsed.algorithm}:${parsed.encoded}`).toBe(digest);
    expect(isValidDigest(digest)).toBe(true);
    expect(isSupported(digest)).toBe(supported);
    expect(validateDigest(digest).valid).toBe(true);
  });

  it('rejects the truncated sha512 example as written in the table (it ends in "...")', () => {
    expect(codeOf(() => parseDigest('sha512:401b09eab3c013d4ca54922bb802bec8fd5318192b0a75f201d8b372742...'))).toBe(
      DigestErrorCode.InvalidFormat,
    );
  });

  it('rejects image-layout.md\'s example "sha256:da39a3ee...": its encoded part is 40 hex (a SHA-1), not 64', () => {
    expect(codeOf(() => parseDigest('sha256:da39a3ee5e6b4b0d3255bfef95601890afd80709'))).toBe(DigestErrorCode.InvalidLength);
  });
});

describe('parseDigest: grammar rejections (DIGEST_INVALID_FORMAT)', () => {
  it.each([
    ['', 'empty'],
    [HEX64, 'no colon'],
    [`:${HEX64}`, 'empty algorithm'],
    ['sha256:', 'empty encoded'],
    [`SHA256:${HEX64}`, 'upper-case algorithm'],
    [`sha*256:${HEX64}`, '"*" is not a separator'],
    [`sha/256:${HEX64}`, '"/" is not a separator'],
    [`sha256+:${HEX64}`, 'trailing separator'],
    [`+sha256:${HEX64}`, 'leading separator'],
    [`sha256++b64:${HEX64}`, 'two separators in a row'],
    [`sha256:${HEX64}:x`, 'second colon'],
    [`sha256 :${HEX64}`, 'space in algorithm'],
    ['foo:bar baz', 'space in encoded'],
    ['foo:bar/baz', '"/" in encoded'],
    ['foo:bar+baz', '"+" in encoded'],
    [`sha256:${HEX64}\n`, 'trailing newline'],
    [` sha256:${HEX64}`, 'leading space'],
    ['sha256:é', 'non-ASCII'],
  ])('%j (%s)', (digest) => {
    expect(codeOf(() => parseDigest(digest))).toBe(DigestErrorCode.InvalidFormat);
    expect(isValidDigest(digest)).toBe(false);
    expect(isSupported(digest)).toBe(false);
    const v = validateDigest(digest);
    expect(v.valid).toBe(false);
    expect(v.errors.map((e) => e.code)).toEqual([DigestErrorCode.InvalidFormat]);
  });

  it('rejects values that are not strings without throwing from the boolean verbs', () => {
    for (const x of [undefined, null, 42, {}, ['sha256', HEX64]]) {
      expect(isValidDigest(x)).toBe(false);
      expect(validateDigest(x).valid).toBe(false);
      expect(codeOf(() => parseDigest(x as string))).toBe(DigestErrorCode.InvalidFormat);
    }
  });
});

describe('parseDigest: registered algorithms\' encoded rules', () => {
  it.each([
    ['sha256', HEX64],
    ['sha512', HEX128],
    ['blake3', HEX64],
    ['sha384', HEX128.slice(0, 96)],
  ])('%s accepts exactly its length of lower-case hex', (algorithm, hex) => {
    expect(parseDigest(`${algorithm}:${hex}`)).toEqual({ algorithm, encoded: hex });
    expect(isSupported(`${algorithm}:${hex}`)).toBe(true);
  });

  it.each([
    ['sha256', HEX64.slice(1)],
    ['sha256', `${HEX64}0`],
    ['sha256', HEX128],
    ['sha512', HEX64],
    ['sha512', HEX128.slice(0, 127)],
    ['blake3', HEX128],
    ['blake3', 'abc'],
    ['sha384', HEX64],
  ])('%s rejects %j with DIGEST_INVALID_LENGTH', (algorithm, hex) => {
    expect(codeOf(() => parseDigest(`${algorithm}:${hex}`))).toBe(DigestErrorCode.InvalidLength);
  });

  it.each([
    ['sha256', HEX64.toUpperCase(), /upper case/],
    ['sha256', `${HEX64.slice(0, 63)}G`, /"G"/],
    ['sha512', `${HEX128.slice(0, 127)}=`, /"="/],
    ['blake3', `${HEX64.slice(0, 63)}_`, /"_"/],
  ])('%s rejects non-lower-hex %j with DIGEST_INVALID_FORMAT', (algorithm, hex, says) => {
    expect(() => parseDigest(`${algorithm}:${hex}`)).toThrow(says);
    expect(codeOf(() => parseDigest(`${algorithm}:${hex}`))).toBe(DigestErrorCode.InvalidFormat);
  });

  it('carries a link to the spec section in the error', () => {
    try {
      parseDigest('sha256:abc');
    } catch (err) {
      expect((err as DigestError).ref).toMatch(/descriptor\.md#registered-algorithms$/);
    }
    expect.assertions(1);
  });

  it('caps and escapes long input in the one-line message', () => {
    const long = `x${'\n'.repeat(5000)}`;
    try {
      parseDigest(long);
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(300);
      expect((err as Error).message).not.toMatch(/\n/);
    }
    expect.assertions(2);
  });
});

describe('unregistered algorithms', () => {
  it('parse (valid but unsupported) and warn in validateDigest', () => {
    const d = 'sha3-256:0123abcDEF=';
    expect(parseDigest(d)).toEqual({ algorithm: 'sha3-256', encoded: '0123abcDEF=' });
    const v = validateDigest(d);
    expect(v).toMatchObject({ valid: true, errors: [] });
    expect(v.warnings.map((w) => w.code)).toEqual([DigestErrorCode.Unsupported]);
    expect(codeOf(() => parseSupportedDigest(d))).toBe(DigestErrorCode.Unsupported);
  });

  it('isSupported takes an algorithm name too', () => {
    for (const a of SUPPORTED_ALGORITHMS) expect(isSupported(a)).toBe(true);
    for (const a of ['md5', 'sha1', 'SHA256', 'sha3-256', '']) expect(isSupported(a)).toBe(false);
  });

  it('lists exactly sha256, sha512 and blake3 as registered', () => {
    expect([...REGISTERED_ALGORITHMS].sort()).toEqual(['blake3', 'sha256', 'sha512']);
  });
});

// An independent statement of the grammar, character class by character class.
const lowerAlnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const component = fc.string({ unit: lowerAlnum, minLength: 1, maxLength: 8 });
const separator = fc.constantFrom('+', '.', '_', '-');
const algorithmArb = fc
  .tuple(component, fc.array(fc.tuple(separator, component), { maxLength: 3 }))
  .map(([first, rest]) => first + rest.map(([s, c]) => s + c).join(''));
const encodedArb = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=_-'), minLength: 1, maxLength: 140 });

describe('property: the grammar', () => {
  it('every generated grammatical digest with an unsupported algorithm parses back to its parts', () => {
    fc.assert(
      fc.property(algorithmArb, encodedArb, (algorithm, encoded) => {
        fc.pre(!(SUPPORTED_ALGORITHMS as readonly string[]).includes(algorithm));
        expect(parseDigest(`${algorithm}:${encoded}`)).toEqual({ algorithm, encoded });
      }),
    );
  });

  it('for supported algorithms, validity is exactly "lower-case hex of the right length"', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SUPPORTED_ALGORITHMS), encodedArb, (algorithm, encoded) => {
        const expected = new RegExp(`^[a-f0-9]{${ENCODED_LENGTH[algorithm]}}$`).test(encoded);
        expect(isValidDigest(`${algorithm}:${encoded}`)).toBe(expected);
      }),
    );
  });

  it('arbitrary strings: isValidDigest agrees with DigestPattern, and parseDigest throws only DigestError', () => {
    const re = new RegExp(DigestPattern.digest);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'sha256:+._-=aZ09 \n') })), (s) => {
        const supported = SUPPORTED_ALGORITHMS.some((a) => s.startsWith(`${a}:`));
        if (!supported) expect(isValidDigest(s)).toBe(re.test(s));
        if (!re.test(s)) expect(codeOf(() => parseDigest(s))).toBe(DigestErrorCode.InvalidFormat);
      }),
    );
  });
});
