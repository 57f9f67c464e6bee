/**
 * OpenPGP key files through openpgp.js against the real gpg: gpg's signatures
 * verify here from an exported public key, signatures made here from an
 * exported secret key verify with gpg, and every malformed or hostile blob is
 * refused with its code, never with a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeWithPeers, type GnupgHome, makeGnupgHome } from '@ocikit/testkit';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { SignatureErrorCode, isSignatureError } from '../errors.js';
import { codeOf } from '../test-support/code-of.js';
import { gpgSign, gpgVerify } from './gpg.js';
import { MAX_OPENPGP_SIGNATURE_BYTES, openpgpSign, openpgpVerify } from './openpgp.js';
import { signSimple } from './verify.js';

const PAYLOAD = new TextEncoder().encode('{"critical":{"identity":{"docker-reference":"localhost:5000/ocikit/x:1"}},"optional":{}}');
const PASSPHRASE = 'correct horse battery staple';

describe('openpgp.js arguments', () => {
  it('needs key files, and readable ones', async () => {
    expect(await codeOf(openpgpVerify(new Uint8Array([1]), { keyFiles: [] }))).toBe(SignatureErrorCode.InvalidArgument);
    expect(await codeOf(openpgpVerify(new Uint8Array([1]), { keyFiles: ['/nonexistent/key.asc'] }))).toBe(SignatureErrorCode.InvalidArgument);
    expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: '/nonexistent/key.asc' }))).toBe(SignatureErrorCode.InvalidArgument);
  });
  it('signs with exactly one of a GnuPG key and a key file', async () => {
    const manifest = new TextEncoder().encode('{"schemaVersion":2}');
    const base = { manifest, dockerReference: 'localhost:5000/ocikit/x:1' };
    expect(await codeOf(signSimple(base))).toBe(SignatureErrorCode.InvalidArgument);
    expect(await codeOf(signSimple({ ...base, signBy: 'ABCDEF0123456789', keyFile: '/nonexistent' }))).toBe(SignatureErrorCode.InvalidArgument);
    expect(await codeOf(signSimple({ ...base, signBy: 'ABCDEF0123456789', passphrase: 'x' }))).toBe(SignatureErrorCode.InvalidArgument);
  });
});

describeWithPeers(['gpg'], 'OpenPGP key files through openpgp.js, against gpg', () => {
  let keys: GnupgHome;
  let dir: string;
  let trusted: string;
  let stranger: string;
  let secret: string;
  let passphraseFile: string;
  const fpr = () => keys.fingerprints[0]!;
  const gpg = (args: string[], input: Uint8Array, home: GnupgHome = keys) => {
    const r = spawnSync('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', PASSPHRASE, ...args], {
      env: home.env,
      input,
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr.toString()}`);
    return new Uint8Array(r.stdout);
  };

  beforeAll(async () => {
    keys = await makeGnupgHome(['Ocikit Trusted <trusted@example.com>', 'Ocikit Stranger <stranger@example.com>'], { passphrase: PASSPHRASE });
    dir = await mkdtemp(path.join(tmpdir(), 'ocikit-openpgp-'));
    trusted = path.join(dir, 'trusted.asc');
    stranger = path.join(dir, 'stranger.asc');
    secret = path.join(dir, 'trusted-secret.asc');
    passphraseFile = path.join(dir, 'passphrase');
    keys.exportPublic(fpr(), trusted);
    keys.exportPublic(keys.fingerprints[1]!, stranger);
    keys.exportSecret(fpr(), secret);
    await writeFile(passphraseFile, PASSPHRASE);
  }, 120_000);

  afterAll(async () => {
    await keys?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('verifies what gpg signed from the exported public key, and refuses it for another key', async () => {
    const sig = await gpgSign(PAYLOAD, { signBy: fpr(), gnupgHome: keys.home, passphraseFile });
    const v = await openpgpVerify(sig, { keyFiles: [trusted] });
    expect(Buffer.from(v.payload)).toEqual(Buffer.from(PAYLOAD));
    expect(v.primaryKeyFingerprint).toBe(fpr());
    expect(v.signingKeyFingerprint).toBe(fpr());
    await expect(openpgpVerify(sig, { keyFiles: [stranger, trusted], fingerprints: [fpr().toLowerCase()] })).resolves.toBeDefined();
    expect(await codeOf(openpgpVerify(sig, { keyFiles: [stranger] }))).toBe(SignatureErrorCode.UntrustedKey);
    expect(await codeOf(openpgpVerify(sig, { keyFiles: [trusted, stranger], fingerprints: [keys.fingerprints[1]!] }))).toBe(SignatureErrorCode.UntrustedKey);
    // Uncompressed, as some signers write it.
    const plain = gpg(['--compress-algo', 'none', '--sign', '--local-user', fpr(), '--output', '-'], PAYLOAD);
    expect(Buffer.from((await openpgpVerify(plain, { keyFiles: [trusted] })).payload)).toEqual(Buffer.from(PAYLOAD));
    // A secret key file is trusted for its public part.
    await expect(openpgpVerify(sig, { keyFiles: [secret] })).resolves.toBeDefined();
  });

  it('signs from a passphrase-protected secret key file: a signed message gpg verifies, for this key only', async () => {
    const sig = await openpgpSign(PAYLOAD, { keyFile: secret, passphrase: PASSPHRASE });
    const packets = spawnSync('gpg', ['--batch', '--no-tty', '--list-packets'], { env: keys.env, input: sig, encoding: 'latin1', timeout: 60_000 }).stdout;
    // Binary, not armored, not detached: one-pass signature, literal data, signature.
    expect(packets.match(/^:[a-z_ ]+packet:/gm)).toEqual([':onepass_sig packet:', ':literal data packet:', ':signature packet:']);
    const g = await gpgVerify(sig, { keyFiles: [trusted] });
    expect(Buffer.from(g.payload)).toEqual(Buffer.from(PAYLOAD));
    expect(g.primaryKeyFingerprint).toBe(fpr());
    expect(await codeOf(gpgVerify(sig, { keyFiles: [stranger] }))).toBe(SignatureErrorCode.UntrustedKey);
    expect(await codeOf(gpgVerify(sig, { gnupgHome: keys.home, fingerprints: [keys.fingerprints[1]!] }))).toBe(SignatureErrorCode.UntrustedKey);
    const o = await openpgpVerify(sig, { keyFiles: [trusted] });
    expect(o).toEqual(g);
  });

  it('refuses a wrong or missing passphrase, and a file without one usable secret key', async () => {
    expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: secret, passphrase: 'wrong' }))).toBe(SignatureErrorCode.WrongPassphrase);
    expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: secret }))).toBe(SignatureErrorCode.WrongPassphrase);
    expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: trusted, passphrase: PASSPHRASE }))).toBe(SignatureErrorCode.KeyInvalid);
    const garbage = path.join(dir, 'garbage.asc');
    await writeFile(garbage, '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PRIVATE KEY BLOCK-----\n');
    expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: garbage, passphrase: PASSPHRASE }))).toBe(SignatureErrorCode.KeyInvalid);
    expect(await codeOf(openpgpVerify(new Uint8Array([0xc4]), { keyFiles: [garbage] }))).toBe(SignatureErrorCode.KeyInvalid);
    const both = path.join(dir, 'both-secret.asc');
    await writeFile(both, gpg(['--armor', '--export-secret-keys', fpr(), keys.fingerprints[1]!], new Uint8Array()));
    expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: both, passphrase: PASSPHRASE }))).toBe(SignatureErrorCode.KeyInvalid);
    // The passphrase never appears in what is reported.
    const err = await openpgpSign(PAYLOAD, { keyFile: secret, passphrase: 'wrong-but-secret' }).catch((e: unknown) => e);
    expect(String((err as Error).message)).not.toContain('wrong-but-secret');
  });

  it('refuses an expired key, both to sign and to verify', async () => {
    // The key lived for one day in 2020: no wall clock to wait on.
    const own = await makeGnupgHome(['Ocikit Expiring <expiring@example.com>'], { expire: '1d', createdAt: '20200101T000000', passphrase: PASSPHRASE });
    try {
      const fp = own.fingerprints[0]!;
      const pub = path.join(dir, 'expiring.asc');
      const sec = path.join(dir, 'expiring-secret.asc');
      own.exportPublic(fp, pub);
      own.exportSecret(fp, sec);
      const signedThen = gpg(['--faked-system-time', '20200101T000100!', '--sign', '--local-user', fp, '--output', '-'], PAYLOAD, own);
      expect(await codeOf(openpgpVerify(signedThen, { keyFiles: [pub] }))).toBe(SignatureErrorCode.KeyExpiredOrRevoked);
      expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: sec, passphrase: PASSPHRASE }))).toBe(SignatureErrorCode.KeyExpiredOrRevoked);
    } finally {
      await own.dispose();
    }
  }, 120_000);

  it('refuses a key revoked since, both to sign and to verify', async () => {
    const own = await makeGnupgHome(['Ocikit Revoked <revoked@example.com>'], { passphrase: PASSPHRASE });
    try {
      const fp = own.fingerprints[0]!;
      const signed = gpg(['--sign', '--local-user', fp, '--output', '-'], PAYLOAD, own);
      const pub = path.join(dir, 'revoked.asc');
      own.exportPublic(fp, pub);
      await expect(openpgpVerify(signed, { keyFiles: [pub] })).resolves.toBeDefined();
      // gpg keeps a revocation certificate for each new key, its armor line disarmed with ":".
      const cert = (await readFile(path.join(own.home, 'openpgp-revocs.d', `${fp}.rev`), 'utf8')).replace(/^:-----BEGIN/m, '-----BEGIN');
      gpg(['--import'], new TextEncoder().encode(cert), own);
      const revokedPub = path.join(dir, 'revoked-now.asc');
      own.exportPublic(fp, revokedPub);
      const sec = path.join(dir, 'revoked-secret.asc');
      own.exportSecret(fp, sec);
      expect(await codeOf(openpgpVerify(signed, { keyFiles: [revokedPub] }))).toBe(SignatureErrorCode.KeyExpiredOrRevoked);
      expect(await codeOf(openpgpSign(PAYLOAD, { keyFile: sec, passphrase: PASSPHRASE }))).toBe(SignatureErrorCode.KeyExpiredOrRevoked);
    } finally {
      await own.dispose();
    }
  }, 120_000);

  it('refuses every signature with one byte flipped, or returns exactly what was signed', async () => {
    const ours = await openpgpSign(PAYLOAD, { keyFile: secret, passphrase: PASSPHRASE });
    const theirs = await gpgSign(PAYLOAD, { signBy: fpr(), gnupgHome: keys.home, passphraseFile });
    for (const sig of [ours, theirs]) {
      const codes = new Set<string>();
      const accepted: number[] = [];
      for (let i = 0; i < sig.length; i++) {
        const flipped = new Uint8Array(sig);
        flipped[i] = flipped[i]! ^ 0x01;
        try {
          const v = await openpgpVerify(flipped, { keyFiles: [trusted] });
          // OpenPGP v4 signs the literal data's body, not its date or file name (RFC 4880 §5.2.4): those may change, the payload may not.
          expect(Buffer.from(v.payload)).toEqual(Buffer.from(PAYLOAD));
          expect(v.primaryKeyFingerprint).toBe(fpr());
          accepted.push(i);
        } catch (err) {
          if (!isSignatureError(err)) throw err;
          codes.add(err.code);
        }
      }
      // The issuer key ID sits outside what is signed: flipped, it names a key nobody trusts.
      expect(codes).toContain(SignatureErrorCode.BadSignature);
      expect([...codes].filter((c) => c !== SignatureErrorCode.BadSignature && c !== SignatureErrorCode.UntrustedKey)).toEqual([]);
      if (sig === ours) {
        // What a flip may leave verifying is outside the payload: the literal packet's format, name and date
        // (RFC 4880 §5.2.4 hashes only its body), or slack such as an MPI's bit count.
        const payloadAt = Buffer.from(sig).indexOf(Buffer.from(PAYLOAD));
        expect(accepted.filter((i) => i >= payloadAt && i < payloadAt + PAYLOAD.length)).toEqual([]);
      }
    }
  }, 300_000);

  it('refuses garbage, empty, huge, unsigned, encrypted, armored, detached, text and doubly signed input', async () => {
    const verify = (sig: Uint8Array) => codeOf(openpgpVerify(sig, { keyFiles: [trusted] }));
    const bad = SignatureErrorCode.BadSignature;
    expect(await verify(new Uint8Array())).toBe(bad);
    expect(await verify(new TextEncoder().encode('not openpgp at all'))).toBe(bad);
    expect(await verify(new Uint8Array(MAX_OPENPGP_SIGNATURE_BYTES + 1).fill(0xc4))).toBe(bad);
    for (let seed = 1; seed <= 64; seed++) {
      // Packet-shaped noise: a valid-looking header, then bytes from a small LCG.
      const noise = new Uint8Array(300);
      let x = seed;
      for (let i = 0; i < noise.length; i++) noise[i] = (x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff) >> 16;
      noise[0] = [0xc4, 0xc8, 0xcb, 0xc2, 0x90, 0xa3][seed % 6]!;
      expect(await verify(noise)).toBe(bad);
    }
    // Literal data only: nothing signed it.
    expect(await verify(gpg(['--store', '--output', '-'], PAYLOAD))).toBe(bad);
    expect(await verify(gpg(['--compress-algo', 'none', '--store', '--output', '-'], PAYLOAD))).toBe(bad);
    expect(await verify(gpg(['--symmetric', '--output', '-'], PAYLOAD))).toBe(bad);
    expect(await verify(gpg(['--armor', '--sign', '--local-user', fpr(), '--output', '-'], PAYLOAD))).toBe(bad);
    expect(await verify(gpg(['--detach-sign', '--local-user', fpr(), '--output', '-'], PAYLOAD))).toBe(bad);
    expect(await verify(gpg(['--textmode', '--sign', '--local-user', fpr(), '--output', '-'], PAYLOAD))).toBe(bad);
    expect(await verify(gpg(['--sign', '--local-user', fpr(), '--local-user', keys.fingerprints[1]!, '--output', '-'], PAYLOAD))).toBe(bad);
    // Signed, but far larger than any payload once decompressed.
    expect(await verify(gpg(['--sign', '--local-user', fpr(), '--output', '-'], new Uint8Array(8 * 1024 * 1024).fill(0x20)))).toBe(bad);
    // A compression bomb: 64 KiB that would inflate to 64 MiB, stopped at the bound.
    const literalBody = 64 * 1024 * 1024;
    const literal = Buffer.alloc(6 + 6 + literalBody);
    literal.writeUInt8(0xcb, 0); // new-format literal data packet
    literal.writeUInt8(0xff, 1);
    literal.writeUInt32BE(6 + literalBody, 2);
    literal.write('b', 6, 'latin1');
    const deflated = deflateRawSync(literal, { level: 9 });
    const bomb = Buffer.concat([Buffer.from([0xc8, 0xff]), Buffer.alloc(4), Buffer.from([1]), deflated]);
    bomb.writeUInt32BE(1 + deflated.length, 2);
    expect(bomb.length).toBeLessThan(MAX_OPENPGP_SIGNATURE_BYTES);
    await expect(openpgpVerify(bomb, { keyFiles: [trusted] })).rejects.toMatchObject({ code: bad, message: expect.stringMatching(/decompressed message size/i) as unknown });
  }, 300_000);
});
