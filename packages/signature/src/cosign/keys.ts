/**
 * cosign's key files: an ECDSA P-256 key pair, the private key encrypted
 * with a passphrase, the public key as PEM.
 *
 * The private key file (cosign pkg/cosign/keys.go) is one PEM block of type
 * `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign: `ENCRYPTED COSIGN PRIVATE
 * KEY`, same content). Its content is the JSON envelope of
 * go-securesystemslib's `encrypted` package (encrypted/encrypted.go):
 *
 *   {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":B64},
 *    "cipher":{"name":"nacl/secretbox","nonce":B64},
 *    "ciphertext":B64}
 *
 * where the key for NaCl secretbox (XSalsa20-Poly1305) is scrypt(passphrase,
 * salt) of 32 bytes, the salt is 32 random bytes, the nonce 24, and the
 * plaintext is the PKCS#8 DER of the private key. Byte fields are standard
 * padded base64, as Go's encoding/json writes []byte. The public key file is
 * a `PUBLIC KEY` PEM block (SPKI DER).
 *
 * Only the three scrypt parameter sets go-securesystemslib accepts are read
 * (its CheckParams): a key file cannot make the reader spend unbounded
 * memory or time. Messages never carry the passphrase or key bytes.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, scrypt, type KeyObject, type ScryptOptions } from 'node:crypto';
import { lstat, unlink } from 'node:fs/promises';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { writeFileAtomic } from '@ocikit/distribution';
import { readJsonText } from '@ocikit/validation';
import { SignatureError, SignatureErrorCode } from '../errors.js';
import { readKeyFile } from '../key-file.js';
import { decodeBase64, decodePem, encodeBase64, encodePem } from './encoding.js';

/** The PEM type cosign writes for an encrypted private key (cosign 1.x and later). */
export const SIGSTORE_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
/** The PEM type early cosign wrote for the same content; still read, and written when asked. */
export const COSIGN_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';
/** The PEM type of a public key (SPKI). */
export const PUBLIC_KEY_PEM_TYPE = 'PUBLIC KEY';

export type CosignPrivateKeyPemType = typeof SIGSTORE_PRIVATE_KEY_PEM_TYPE | typeof COSIGN_PRIVATE_KEY_PEM_TYPE;

/** The scrypt parameters new keys get: go-securesystemslib's "standard" strength. */
export const COSIGN_SCRYPT_PARAMS = { N: 65536, r: 8, p: 1 } as const;

/** The scrypt parameter sets a key file may name: go-securesystemslib's legacy, standard and OWASP. */
const ACCEPTED_SCRYPT_PARAMS: readonly { N: number; r: number; p: number }[] = [
  { N: 32768, r: 8, p: 1 },
  COSIGN_SCRYPT_PARAMS,
  { N: 131072, r: 8, p: 1 },
];

const SALT_BYTES = 32;
const KEY_BYTES = 32;
const NONCE_BYTES = 24;
/** Poly1305's tag, which secretbox puts before the encrypted bytes. */
const TAG_BYTES = 16;
/** Key files are well under a kilobyte; anything this large is not one. */
const KEY_FILE_LIMIT = 64 * 1024;

const KEYS_SOURCE = 'https://github.com/sigstore/cosign/blob/main/pkg/cosign/keys.go';

/** A passphrase: text (encoded as UTF-8, as cosign reads a typed one) or bytes. The empty passphrase is allowed, as in cosign. */
export type Passphrase = string | Uint8Array;

/** An ECDSA P-256 key pair as node:crypto key objects. */
export interface CosignKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A new ECDSA P-256 key pair (cosign's default algorithm). */
export async function generateCosignKeyPair(): Promise<CosignKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair('ec', { namedCurve: 'P-256' }, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ privateKey, publicKey })));
  });
}

export interface EncryptPrivateKeyOptions {
  /** The PEM type to write; default {@link SIGSTORE_PRIVATE_KEY_PEM_TYPE}, as cosign does. */
  pemType?: CosignPrivateKeyPemType;
}

/**
 * The private key as cosign writes it: PKCS#8 DER sealed with secretbox
 * under an scrypt key, in the JSON envelope, in a PEM block.
 * @throws SignatureError KeyInvalid when the key is not an ECDSA P-256 private key
 */
export async function encryptCosignPrivateKey(privateKey: KeyObject, passphrase: Passphrase, options: EncryptPrivateKeyOptions = {}): Promise<string> {
  if (privateKey.type !== 'private') throw new SignatureError(SignatureErrorCode.KeyInvalid, `expected a private key, found a ${privateKey.type} key`);
  checkP256(privateKey, 'the key to encrypt');
  const pemType = options.pemType ?? SIGSTORE_PRIVATE_KEY_PEM_TYPE;
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(passphrase, salt, COSIGN_SCRYPT_PARAMS);
  let ciphertext: Uint8Array;
  try {
    ciphertext = xsalsa20poly1305(key, nonce).encrypt(der);
  } finally {
    key.fill(0);
    der.fill(0);
  }
  // Field order as Go's encoding/json writes the structs.
  const envelope = {
    kdf: { name: 'scrypt', params: { N: COSIGN_SCRYPT_PARAMS.N, r: COSIGN_SCRYPT_PARAMS.r, p: COSIGN_SCRYPT_PARAMS.p }, salt: encodeBase64(salt) },
    cipher: { name: 'nacl/secretbox', nonce: encodeBase64(nonce) },
    ciphertext: encodeBase64(ciphertext),
  };
  return encodePem(pemType, Buffer.from(JSON.stringify(envelope)));
}

/**
 * Open an encrypted cosign private key (either PEM type).
 * @param source names the key in messages (a file name); default "the private key"
 * @throws SignatureError WrongPassphrase when the passphrase does not open it;
 *   KeyInvalid when it is not an encrypted cosign key, or not ECDSA P-256
 */
export async function decryptCosignPrivateKey(pem: string | Uint8Array, passphrase: Passphrase, source = 'the private key'): Promise<KeyObject> {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
  const block = decodePem(text);
  if (block === undefined) invalidKey(`${source} is not PEM`);
  if (block.type !== SIGSTORE_PRIVATE_KEY_PEM_TYPE && block.type !== COSIGN_PRIVATE_KEY_PEM_TYPE) {
    invalidKey(`${source} is a PEM block of type ${JSON.stringify(block.type)}, expected ${JSON.stringify(SIGSTORE_PRIVATE_KEY_PEM_TYPE)} or ${JSON.stringify(COSIGN_PRIVATE_KEY_PEM_TYPE)}`);
  }
  const envelope = readEnvelope(block.bytes, source);
  const key = await deriveKey(passphrase, envelope.salt, envelope.params);
  let der: Uint8Array;
  try {
    der = xsalsa20poly1305(key, envelope.nonce).decrypt(envelope.ciphertext);
  } catch {
    // Poly1305 refused the box: the passphrase is wrong or the bytes were changed. Say which file, nothing more.
    throw new SignatureError(SignatureErrorCode.WrongPassphrase, `${source} did not decrypt with the passphrase given (a wrong passphrase, or a damaged key file)`, { ref: KEYS_SOURCE });
  } finally {
    key.fill(0);
  }
  try {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
    } catch {
      // No cause: the parser's message could quote the decrypted bytes.
      invalidKey(`${source} decrypted, but its content is not a PKCS#8 private key (cosign requires PKCS#8)`);
    }
    checkP256(privateKey, source);
    return privateKey;
  } finally {
    der.fill(0);
  }
}

/** The public key as cosign writes it: a `PUBLIC KEY` PEM block of its SPKI DER. */
export function encodeCosignPublicKey(publicKey: KeyObject): string {
  const pub = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  checkP256(pub, 'the public key');
  return encodePem(PUBLIC_KEY_PEM_TYPE, pub.export({ type: 'spki', format: 'der' }));
}

/**
 * Read a `PUBLIC KEY` PEM block holding an ECDSA P-256 key.
 * @throws SignatureError KeyInvalid
 */
export function parseCosignPublicKey(pem: string | Uint8Array, source = 'the public key'): KeyObject {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
  const block = decodePem(text);
  if (block === undefined) invalidKey(`${source} is not PEM`);
  if (block.type !== PUBLIC_KEY_PEM_TYPE) invalidKey(`${source} is a PEM block of type ${JSON.stringify(block.type)}, expected ${JSON.stringify(PUBLIC_KEY_PEM_TYPE)}`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
  } catch (err) {
    invalidKey(`${source} is not an SPKI public key: ${(err as Error).message}`, err);
  }
  checkP256(key, source);
  return key;
}

/** A public key to verify with: a key object, or the PEM text of one. */
export function toPublicKey(key: KeyObject | string): KeyObject {
  if (typeof key === 'string') return parseCosignPublicKey(key);
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.type !== 'public') invalidKey(`expected a public key, found a ${pub.type} key`);
  checkP256(pub, 'the public key');
  return pub;
}

export interface WriteKeyPairOptions extends EncryptPrivateKeyOptions {
  passphrase: Passphrase;
  /** Replace existing files; default false: an existing `PREFIX.key` or `PREFIX.pub` is refused and nothing is written. */
  overwrite?: boolean;
}

export interface WrittenKeyPair {
  privateKeyFile: string;
  publicKeyFile: string;
}

/**
 * Write `PREFIX.key` (the encrypted private key, mode 0600) and `PREFIX.pub`
 * (mode 0644), as `cosign generate-key-pair --output-key-prefix` does. Each
 * file is written to a temporary name beside it, synced, then linked (or,
 * with `overwrite`, renamed) into place: never seen half-written.
 * @throws SignatureError InvalidArgument when a file exists and `overwrite` is not set
 */
export async function writeCosignKeyPair(prefix: string, keyPair: CosignKeyPair, options: WriteKeyPairOptions): Promise<WrittenKeyPair> {
  const privateKeyFile = `${prefix}.key`;
  const publicKeyFile = `${prefix}.pub`;
  const overwrite = options.overwrite ?? false;
  if (!overwrite) {
    for (const file of [privateKeyFile, publicKeyFile]) {
      if (await exists(file)) throw new SignatureError(SignatureErrorCode.InvalidArgument, `${file} exists; refusing to replace a key file (ask to overwrite)`);
    }
  }
  const privatePem = await encryptCosignPrivateKey(keyPair.privateKey, options.passphrase, options.pemType === undefined ? {} : { pemType: options.pemType });
  const publicPem = encodeCosignPublicKey(keyPair.publicKey);
  await writeKeyFile(privateKeyFile, privatePem, 0o600, overwrite);
  try {
    await writeKeyFile(publicKeyFile, publicPem, 0o644, overwrite);
  } catch (err) {
    // Half a pair is worse than none: the private key just written goes too.
    await unlink(privateKeyFile).catch(() => undefined);
    throw err;
  }
  return { privateKeyFile, publicKeyFile };
}

/**
 * Read and decrypt an encrypted cosign private key file.
 * @throws SignatureError WrongPassphrase, KeyInvalid; InvalidArgument when the file cannot be read
 */
export async function readCosignPrivateKey(file: string, passphrase: Passphrase): Promise<KeyObject> {
  return decryptCosignPrivateKey(await readKeyFile(file, KEY_FILE_LIMIT, 'a key file'), passphrase, file);
}

/**
 * Read a cosign public key file (`PUBLIC KEY` PEM, ECDSA P-256).
 * @throws SignatureError KeyInvalid; InvalidArgument when the file cannot be read
 */
export async function readCosignPublicKey(file: string): Promise<KeyObject> {
  return parseCosignPublicKey(await readKeyFile(file, KEY_FILE_LIMIT, 'a key file'), file);
}

interface Envelope {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

/** The `encrypted` envelope, checked field by field before any work is done on it. */
function readEnvelope(bytes: Uint8Array, source: string): Envelope {
  const read = readJsonText(bytes);
  if (!read.parsed || read.errors.length > 0) invalidKey(`${source} does not hold the JSON envelope of an encrypted key`);
  const root = obj(read.value, 'the envelope', source);
  const kdf = obj(root['kdf'], 'kdf', source);
  if (kdf['name'] !== 'scrypt') invalidKey(`${source}: kdf.name is ${JSON.stringify(kdf['name'])}, expected "scrypt"`);
  const params = obj(kdf['params'], 'kdf.params', source);
  const accepted = ACCEPTED_SCRYPT_PARAMS.find((a) => a.N === params['N'] && a.r === params['r'] && a.p === params['p']);
  if (accepted === undefined) {
    invalidKey(`${source}: scrypt parameters ${JSON.stringify({ N: params['N'], r: params['r'], p: params['p'] })} are not one of the accepted sets (N 32768, 65536 or 131072 with r 8, p 1)`);
  }
  const salt = bytesField(kdf['salt'], 'kdf.salt', source);
  const cipher = obj(root['cipher'], 'cipher', source);
  if (cipher['name'] !== 'nacl/secretbox') invalidKey(`${source}: cipher.name is ${JSON.stringify(cipher['name'])}, expected "nacl/secretbox"`);
  const nonce = bytesField(cipher['nonce'], 'cipher.nonce', source);
  if (nonce.length !== NONCE_BYTES) invalidKey(`${source}: cipher.nonce is ${nonce.length} bytes, expected ${NONCE_BYTES}`);
  const ciphertext = bytesField(root['ciphertext'], 'ciphertext', source);
  if (ciphertext.length < TAG_BYTES) invalidKey(`${source}: ciphertext is ${ciphertext.length} bytes, shorter than its authentication tag`);
  return { params: accepted, salt, nonce, ciphertext };
}

function obj(v: unknown, what: string, source: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalidKey(`${source}: ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

function bytesField(v: unknown, what: string, source: string): Buffer {
  const bytes = typeof v === 'string' ? decodeBase64(v) : undefined;
  if (bytes === undefined) invalidKey(`${source}: ${what} is not standard base64`);
  return bytes;
}

async function deriveKey(passphrase: Passphrase, salt: Uint8Array, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const secret = typeof passphrase === 'string' ? Buffer.from(passphrase, 'utf8') : Buffer.from(passphrase);
  // scrypt needs 128·N·r bytes; node's default ceiling (32 MiB) is below N = 65536's 64 MiB.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 2 * 128 * params.N * params.r * params.p };
  try {
    return await new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
  } finally {
    secret.fill(0);
  }
}

function checkP256(key: KeyObject, source: string): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    const found = key.asymmetricKeyType === 'ec' ? `an EC key on ${curve ?? 'an unnamed curve'}` : `a ${key.asymmetricKeyType ?? 'symmetric'} key`;
    invalidKey(`${source} is ${found}; only ECDSA P-256 is supported`);
  }
}

function invalidKey(message: string, cause?: unknown): never {
  throw new SignatureError(SignatureErrorCode.KeyInvalid, message, { ref: KEYS_SOURCE, ...(cause !== undefined && { cause }) });
}


async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/** Write a key file whole or not at all, never replacing one unless asked. */
async function writeKeyFile(file: string, data: string, mode: number, overwrite: boolean): Promise<void> {
  try {
    await writeFileAtomic(file, data, mode, { replace: overwrite });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SignatureError(SignatureErrorCode.InvalidArgument, `${file} exists; refusing to replace a key file (ask to overwrite)`, { cause: err });
    }
    throw err;
  }
}
