import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { rejection, testScratch } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import { decodeBase64, decodePem, encodePem } from './encoding.js';
import {
  COSIGN_PRIVATE_KEY_PEM_TYPE,
  decryptCosignPrivateKey,
  encodeCosignPublicKey,
  encryptCosignPrivateKey,
  generateCosignKeyPair,
  parseCosignPublicKey,
  readCosignPrivateKey,
  readCosignPublicKey,
  SIGSTORE_PRIVATE_KEY_PEM_TYPE,
  writeCosignKeyPair,
} from './keys.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const PASSPHRASE = 'correct horse battery staple';

/** go-securesystemslib's envelope, as far as these tests look into it. */
interface Envelope {
  kdf: { name: string; params: unknown; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

/** The envelope inside an encrypted key's PEM block. */
function envelopeOf(pem: string): { type: string; doc: Envelope } {
  const block = decodePem(pem)!;
  return { type: block.type, doc: JSON.parse(block.bytes.toString('utf8')) };
}

function rewrap(pem: string, change: (doc: Envelope) => void): string {
  const { type, doc } = envelopeOf(pem);
  change(doc);
  return encodePem(type, Buffer.from(JSON.stringify(doc)));
}

const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });

describe('cosign keys in memory', () => {
  it('generates ECDSA P-256 and round-trips the private key through the encrypted PEM', async () => {
    const pair = await generateCosignKeyPair();
    expect(pair.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const pem = await encryptCosignPrivateKey(pair.privateKey, PASSPHRASE);
    expect(pem.startsWith(`-----BEGIN ${SIGSTORE_PRIVATE_KEY_PEM_TYPE}-----\n`)).toBe(true);
    expect(pem.endsWith(`-----END ${SIGSTORE_PRIVATE_KEY_PEM_TYPE}-----\n`)).toBe(true);
    const back = await decryptCosignPrivateKey(pem, PASSPHRASE);
    expect(back.export({ type: 'pkcs8', format: 'der' })).toEqual(pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
  });

  it("writes go-securesystemslib's envelope: scrypt N=65536 r=8 p=1, 32-byte salt, secretbox with a 24-byte nonce", async () => {
    const pair = await generateCosignKeyPair();
    const pem = await encryptCosignPrivateKey(pair.privateKey, PASSPHRASE);
    const { doc } = envelopeOf(pem);
    expect(Object.keys(doc)).toEqual(['kdf', 'cipher', 'ciphertext']);
    expect(doc['kdf']).toEqual({ name: 'scrypt', params: { N: 65536, r: 8, p: 1 }, salt: expect.any(String) });
    expect(doc['cipher']).toEqual({ name: 'nacl/secretbox', nonce: expect.any(String) });
    expect(decodeBase64(doc['kdf'].salt)).toHaveLength(32);
    expect(decodeBase64(doc['cipher'].nonce)).toHaveLength(24);
    // secretbox adds a 16-byte tag to the PKCS#8 DER.
    const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
    expect(decodeBase64(doc['ciphertext'])).toHaveLength(der.length + 16);
    // Fresh randomness every time.
    const again = envelopeOf(await encryptCosignPrivateKey(pair.privateKey, PASSPHRASE)).doc;
    expect(again['kdf'].salt).not.toBe(doc['kdf'].salt);
    expect(again['cipher'].nonce).not.toBe(doc['cipher'].nonce);
  });

  it('writes the older COSIGN PEM type when asked, and reads it back', async () => {
    const pair = await generateCosignKeyPair();
    const pem = await encryptCosignPrivateKey(pair.privateKey, '', { pemType: COSIGN_PRIVATE_KEY_PEM_TYPE });
    expect(pem).toContain(`BEGIN ${COSIGN_PRIVATE_KEY_PEM_TYPE}`);
    await expect(decryptCosignPrivateKey(pem, '')).resolves.toBeDefined();
  });

  it('refuses a wrong passphrase with its own code, and the message carries neither the passphrase nor key bytes', async () => {
    const pair = await generateCosignKeyPair();
    const pem = await encryptCosignPrivateKey(pair.privateKey, PASSPHRASE);
    const err = await rejection(decryptCosignPrivateKey(pem, 'not the passphrase'));
    expect(err).toMatchObject({ name: 'SignatureError', code: SignatureErrorCode.WrongPassphrase });
    expect((err as Error & { cause?: unknown }).cause).toBeUndefined();
    const said = `${err.message} ${JSON.stringify(err)}`;
    expect(said).not.toContain('not the passphrase');
    expect(said).not.toContain(PASSPHRASE);
    const b64 = decodePem(pem)!.bytes.toString('base64');
    for (let i = 0; i + 16 <= b64.length; i += 16) expect(said).not.toContain(b64.slice(i, i + 16));
  });

  it('refuses a changed ciphertext as it refuses a wrong passphrase (the cipher cannot tell them apart)', async () => {
    const pair = await generateCosignKeyPair();
    const pem = await encryptCosignPrivateKey(pair.privateKey, PASSPHRASE);
    const tampered = rewrap(pem, (doc) => {
      const ct = decodeBase64(doc['ciphertext'])!;
      ct[ct.length - 1]! ^= 1;
      doc['ciphertext'] = ct.toString('base64');
    });
    expect(await rejection(decryptCosignPrivateKey(tampered, PASSPHRASE))).toMatchObject({ code: SignatureErrorCode.WrongPassphrase });
  });

  it('refuses scrypt parameters outside the accepted sets before deriving anything', async () => {
    const pair = await generateCosignKeyPair();
    const pem = await encryptCosignPrivateKey(pair.privateKey, PASSPHRASE);
    for (const params of [{ N: 1 << 24, r: 8, p: 1 }, { N: 65536, r: 64, p: 1 }, { N: 16, r: 8, p: 1 }]) {
      const changed = rewrap(pem, (doc) => {
        doc.kdf.params = params;
      });
      expect(await rejection(decryptCosignPrivateKey(changed, PASSPHRASE))).toMatchObject({ code: SignatureErrorCode.KeyInvalid });
    }
  });

  it('refuses what is not an encrypted cosign key: other PEM types, broken envelopes, other algorithms', async () => {
    const pair = await generateCosignKeyPair();
    const pem = await encryptCosignPrivateKey(pair.privateKey, PASSPHRASE);
    const cases: string[] = [
      'not pem at all',
      pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      encodePem(SIGSTORE_PRIVATE_KEY_PEM_TYPE, Buffer.from('not json')),
      rewrap(pem, (doc) => (doc['kdf'].name = 'argon2')),
      rewrap(pem, (doc) => (doc['cipher'].name = 'aes-gcm')),
      rewrap(pem, (doc) => (doc['cipher'].nonce = Buffer.alloc(12).toString('base64'))),
      rewrap(pem, (doc) => (doc['ciphertext'] = 'not*base64')),
      rewrap(pem, (doc) => Reflect.deleteProperty(doc, 'kdf')),
    ];
    for (const c of cases) expect(await rejection(decryptCosignPrivateKey(c, PASSPHRASE))).toMatchObject({ code: SignatureErrorCode.KeyInvalid });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await rejection(encryptCosignPrivateKey(rsa.privateKey, PASSPHRASE))).toMatchObject({ code: SignatureErrorCode.KeyInvalid });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => encodeCosignPublicKey(p384.publicKey)).toThrow(expect.objectContaining({ code: SignatureErrorCode.KeyInvalid }));
  });

  it('writes the public key as a PUBLIC KEY PEM block (SPKI) that node:crypto and this module read alike', async () => {
    const pair = await generateCosignKeyPair();
    const pem = encodeCosignPublicKey(pair.publicKey);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(spki(createPublicKey(pem))).toEqual(spki(pair.publicKey));
    expect(spki(parseCosignPublicKey(pem))).toEqual(spki(pair.publicKey));
    expect(() => parseCosignPublicKey(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toThrow(expect.objectContaining({ code: SignatureErrorCode.KeyInvalid }));
  });
});

describe('keys made by cosign (cosign pkg/cosign/keys_test.go, passphrase "hello")', () => {
  it.each(['cosign-label-p256.key', 'sigstore-label-p256.key'])('%s loads, and its key signs what its public key verifies', async (name) => {
    const key = await readCosignPrivateKey(path.join(FIXTURES, name), 'hello');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const data = Buffer.from('payload');
    const sig = sign('sha256', data, { key, dsaEncoding: 'der' });
    expect(verify('sha256', data, { key: createPublicKey(key), dsaEncoding: 'der' }, sig)).toBe(true);
    expect(await rejection(readCosignPrivateKey(path.join(FIXTURES, name), 'hello!'))).toMatchObject({ code: SignatureErrorCode.WrongPassphrase });
  });

  it('refuses the one whose content is a SEC 1 key rather than PKCS#8, as cosign does', async () => {
    expect(await rejection(readCosignPrivateKey(path.join(FIXTURES, 'sec1-not-pkcs8.key'), 'hello'))).toMatchObject({ code: SignatureErrorCode.KeyInvalid });
  });
});

describe('cosign key files', () => {
  const tmp = testScratch('cosign-keys');

  it('writes PREFIX.key with mode 0600 and PREFIX.pub with mode 0644, and reads them back', async () => {
    const pair = await generateCosignKeyPair();
    const prefix = path.join(tmp.dir, 'cosign');
    const written = await writeCosignKeyPair(prefix, pair, { passphrase: PASSPHRASE });
    expect(written).toEqual({ privateKeyFile: `${prefix}.key`, publicKeyFile: `${prefix}.pub` });
    expect((await stat(written.privateKeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(written.publicKeyFile)).mode & 0o777).toBe(0o644);
    // Nothing left behind but the two files.
    expect((await readdir(tmp.dir)).sort()).toEqual(['cosign.key', 'cosign.pub']);
    const back = await readCosignPrivateKey(written.privateKeyFile, PASSPHRASE);
    expect(back.export({ type: 'pkcs8', format: 'der' })).toEqual(pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
    expect(spki(await readCosignPublicKey(written.publicKeyFile))).toEqual(spki(pair.publicKey));
    expect(createPrivateKey(pair.privateKey.export({ type: 'pkcs8', format: 'pem' })).asymmetricKeyType).toBe('ec');
  });

  it('never replaces an existing key file unless asked, and then replaces it whole', async () => {
    const prefix = path.join(tmp.dir, 'k');
    await writeFile(`${prefix}.key`, 'precious');
    const pair = await generateCosignKeyPair();
    expect(await rejection(writeCosignKeyPair(prefix, pair, { passphrase: PASSPHRASE }))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    expect(await readFile(`${prefix}.key`, 'utf8')).toBe('precious');
    expect(await readdir(tmp.dir)).toEqual(['k.key']);
    await writeCosignKeyPair(prefix, pair, { passphrase: PASSPHRASE, overwrite: true });
    expect((await stat(`${prefix}.key`)).mode & 0o777).toBe(0o600);
    await expect(readCosignPrivateKey(`${prefix}.key`, PASSPHRASE)).resolves.toBeDefined();
  });

  it('names a missing or oversized key file with a typed error', async () => {
    expect(await rejection(readCosignPrivateKey(path.join(tmp.dir, 'absent.key'), PASSPHRASE))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    const big = path.join(tmp.dir, 'big.pub');
    await writeFile(big, Buffer.alloc(200_000, 0x41));
    expect(await rejection(readCosignPublicKey(big))).toMatchObject({ code: SignatureErrorCode.KeyInvalid });
  });
});
