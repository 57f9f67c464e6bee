import { describe, expect, it } from '@jest/globals';
import { readFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import { SUPPORTED_ALGORITHMS } from './algorithms.js';
import { blake3Implementation, createBlake3, createPortableBlake3 } from './blake3.js';
import { createDigester, digestOf } from './digester.js';
import { DigestError, DigestErrorCode } from './errors.js';
import { isValidDigest, parseDigest } from './grammar.js';

const ABC = 'abc';
// FIPS 180-2 appendix messages: one block, two blocks, and one million "a".
const TWO_BLOCK_256 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const TWO_BLOCK_512 =
  'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
const MILLION_A = 'a'.repeat(1_000_000);

describe('FIPS 180-2 known answers', () => {
  it.each([
    ['sha256', ABC, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['sha256', TWO_BLOCK_256, '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    ['sha256', MILLION_A, 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
    ['sha256', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['sha384', ABC, 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
    ['sha384', TWO_BLOCK_512, '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039'],
    [
      'sha512',
      ABC,
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    ],
    [
      'sha512',
      TWO_BLOCK_512,
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    ],
    [
      'sha512',
      MILLION_A,
      'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
    ],
  ])('%s of a %#-th message', (algorithm, message, hex) => {
    const digest = digestOf(message, algorithm);
    expect(digest).toBe(`${algorithm}:${hex}`);
    expect(isValidDigest(digest)).toBe(true);
    // The same one byte at a time: the incremental path agrees.
    if (message.length < 2000) {
      const d = createDigester(algorithm);
      for (const c of message) d.update(c);
      expect(d.digest()).toBe(digest);
      expect(d.size).toBe(message.length);
    }
  });
});

/** BLAKE3 team test vectors: input is bytes 0..250 repeating; first 32 bytes of output. */
const BLAKE3_VECTORS: ReadonlyArray<[number, string]> = [
  [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
  [1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'],
  [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
  [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
  [2048, 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'],
  [3072, 'b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2'],
  [3073, '7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3'],
  [4096, '015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969'],
  [4097, '9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995'],
  [5121, '628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff'],
  [7169, 'a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817'],
  [8193, 'bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b'],
  [16384, 'f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4'],
  [31744, '62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47'],
  [102400, 'bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085'],
];

function blake3Input(length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = i % 251;
  return b;
}

describe('BLAKE3 known answers', () => {
  it('uses the native implementation on this machine (a prebuilt binary ships for linux-x64)', () => {
    expect(blake3Implementation()).toBe('native');
  });

  it.each(BLAKE3_VECTORS)('input length %d', (length, hex) => {
    const input = blake3Input(length);
    expect(digestOf(input, 'blake3')).toBe(`blake3:${hex}`);
    for (const make of [createBlake3, createPortableBlake3]) {
      const h = make();
      // Odd cuts, to cross chunk (1024) and block (64) boundaries unevenly.
      for (let o = 0; o < length; o += 777) h.update(input.subarray(o, o + 777));
      expect(h.hex()).toBe(hex);
    }
  });

  it('native and portable agree on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (data) => {
        const a = createBlake3();
        const b = createPortableBlake3();
        a.update(data);
        b.update(data);
        expect(a.hex()).toBe(b.hex());
      }),
      { numRuns: 50 },
    );
  });
});

describe('digests that image-spec states for its own documents', () => {
  it('the empty JSON object "{}" of manifest.md "Guidance for an Empty Descriptor"', () => {
    expect(digestOf('{}')).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  // The Debian package golang-github-opencontainers-image-spec-dev ships
  // image-spec's schema tests; their backwards-compatibility tables pair
  // whole documents with the digests image-spec states for them.
  const table = '/usr/share/gocode/src/github.com/opencontainers/image-spec/schema/backwards_compatibility_test.go';
  it('every document in image-spec\'s backwards-compatibility tables hashes to its stated digest', () => {
    expect(existsSync(table)).toBe(true); // installed by tools/setup/debian-packages.sh
    const source = readFileSync(table, 'utf8');
    const cases = [...source.matchAll(/digest:\s*"(sha256:[0-9a-f]{64})",\s*(?:imageIndex|manifest|config):\s*`([^`]*)`/g)];
    expect(cases.length).toBeGreaterThanOrEqual(4);
    for (const [, digest, document] of cases) expect(digestOf(document!)).toBe(digest);
  });
});

describe('createDigester / digestOf', () => {
  it('hashes strings as UTF-8', () => {
    expect(digestOf('é')).toBe(digestOf(new Uint8Array([0xc3, 0xa9])));
    expect(createDigester().update('é').size).toBe(2);
  });

  it('defaults to sha256 and round-trips through parseDigest', () => {
    for (const algorithm of SUPPORTED_ALGORITHMS) {
      const d = digestOf('round trip', algorithm);
      expect(parseDigest(d).algorithm).toBe(algorithm);
    }
    expect(digestOf('x')).toBe(digestOf('x', 'sha256'));
    expect(createDigester().algorithm).toBe('sha256');
  });

  it('digest() is idempotent and update() after it throws', () => {
    const d = createDigester('sha512').update('a');
    const first = d.digest();
    expect(d.digest()).toBe(first);
    expect(() => d.update('b')).toThrow(/after digest/);
  });

  it.each(['md5', 'sha1', 'SHA256', 'sha3-256', ''])('rejects %j with DIGEST_UNSUPPORTED', (algorithm) => {
    expect(() => createDigester(algorithm)).toThrow(DigestError);
    try {
      digestOf('x', algorithm);
    } catch (err) {
      expect((err as DigestError).code).toBe(DigestErrorCode.Unsupported);
      expect((err as DigestError).message).toMatch(/expected one of sha256, sha384, sha512, blake3/);
    }
    expect.assertions(3);
  });
});
