/**
 * OpenPGP from key files through openpgp.js: simple signing
 * (containers-signature.5.md) with a key kept in a file instead of a GnuPG
 * keyring, with no gpg binary. The signatures are what `gpg --sign` makes and
 * containers/image reads: a binary OpenPGP signed message (one-pass signature,
 * literal data, signature; RFC 4880 §11.3).
 *
 * Verification reads hostile bytes, so the whole blob is bounded, decompression
 * is bounded (openpgp.js `maxDecompressedMessageSize`), the packet sequence is
 * checked (RFC 9580 §10.3 grammar, enforced by openpgp.js, and the top level by
 * us), exactly one signature is required and the bytes returned are the literal
 * data that signature covers. Key validity is judged now, as gpg judges it:
 * a signature by a key that has since expired or been revoked is refused.
 *
 * openpgp.js is loaded on first use, so that importing this package costs
 * nothing for callers who never touch a key file.
 */
import type * as OpenPGP from 'openpgp';
import { SignatureError, SignatureErrorCode } from '../errors.js';
import { readKeyFile } from '../key-file.js';
import type { GpgVerified } from './gpg.js';
import { MAX_PAYLOAD_BYTES } from './payload.js';

/** Largest signature blob read: the largest payload plus room for the packets around it. */
export const MAX_OPENPGP_SIGNATURE_BYTES = MAX_PAYLOAD_BYTES + 64 * 1024;

/** Largest key file read (a public key with many certifications is still far smaller). */
export const MAX_OPENPGP_KEY_FILE_BYTES = 8 * 1024 * 1024;

const RFC4880_MESSAGES = 'https://www.rfc-editor.org/rfc/rfc4880#section-11.3';

export interface OpenpgpSignOptions {
  /** A file holding one OpenPGP secret key, armored (`gpg --armor --export-secret-keys FPR`) or binary. */
  keyFile: string;
  /** The passphrase the secret key is protected with; needed when it is. */
  passphrase?: string;
}

/** Which keys an openpgp.js verification trusts: the keys in these files and nothing else. */
export interface OpenpgpTrustedKeys {
  /** Armored or binary OpenPGP key files (public keys; secret key files are read for their public part). */
  keyFiles: readonly string[];
  /** When given, only signatures by these keys (primary or signing subkey fingerprint, any case) are accepted. */
  fingerprints?: readonly string[];
}

type OpenPGPModule = typeof OpenPGP;
let loading: Promise<OpenPGPModule> | undefined;
function openpgp(): Promise<OpenPGPModule> {
  loading ??= import('openpgp');
  return loading;
}

/**
 * Sign `payload` with the secret key in `options.keyFile`, as `gpg --sign`
 * does: returns a binary OpenPGP signed message (one-pass signature, literal
 * data, signature), uncompressed.
 * @throws SignatureError InvalidArgument (unreadable file, payload too large), KeyInvalid (no usable
 *   secret signing key in the file), WrongPassphrase, KeyExpiredOrRevoked
 */
export async function openpgpSign(payload: Uint8Array, options: OpenpgpSignOptions): Promise<Uint8Array> {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `the payload is ${payload.byteLength} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`);
  }
  const pgp = await openpgp();
  const now = new Date();
  const { unlocked, signing, file } = await unlockSigningKey(pgp, options, now);
  try {
    const message = await pgp.createMessage({ binary: payload, format: 'binary' });
    // Typed through stream types openpgp.js does not ship; with bytes in, bytes come out.
    const signed: unknown = await pgp.sign({
      message,
      signingKeys: unlocked,
      signingKeyIDs: signing.getKeyID(),
      format: 'binary',
      date: now,
      config: { preferredCompressionAlgorithm: pgp.enums.compression.uncompressed },
    });
    if (!(signed instanceof Uint8Array)) throw new Error('openpgp.js returned no bytes');
    return signed;
  } catch (err) {
    throw new SignatureError(SignatureErrorCode.KeyInvalid, `cannot sign with key ${signing.getFingerprint().toUpperCase()} in ${file}: ${reason(err)}`, { cause: err });
  }
}

/**
 * Open the secret key of `options.keyFile` as signing needs it: one v4 key,
 * valid now, with a key that can sign, unlocked with the passphrase.
 */
async function unlockSigningKey(pgp: OpenPGPModule, options: OpenpgpSignOptions, now: Date): Promise<{ unlocked: OpenPGP.PrivateKey; signing: OpenPGP.PrivateKey | OpenPGP.Subkey; file: string }> {
  const file = options.keyFile;
  const bytes = await readKeyFile(file, MAX_OPENPGP_KEY_FILE_BYTES, 'an OpenPGP key file');
  let keys: OpenPGP.PrivateKey[];
  try {
    keys = isArmored(bytes) ? await pgp.readPrivateKeys({ armoredKeys: bytes.toString('utf8') }) : await pgp.readPrivateKeys({ binaryKeys: bytes });
  } catch (err) {
    // The library's message is not repeated: it is about the file's packets, and this file holds secret material.
    throw new SignatureError(SignatureErrorCode.KeyInvalid, `${file} holds no OpenPGP secret key`, { cause: err });
  }
  if (keys.length !== 1) {
    throw new SignatureError(SignatureErrorCode.KeyInvalid, `${file} holds ${keys.length} secret keys; export only the one to sign with`);
  }
  const key = keys[0]!;
  // containers/image (gpgme or golang.org/x/crypto/openpgp) and gpg 2.2 read v4 signatures only; a v6 key would make v6 ones.
  if (key.keyPacket.version !== 4) {
    throw new SignatureError(SignatureErrorCode.KeyInvalid, `${file} holds a version ${key.keyPacket.version} key; only version 4 keys make signatures containers/image can read`);
  }
  const fpr = key.getFingerprint().toUpperCase();
  const state = await validityNow(key, key, now);
  if (state !== 'valid') throw expiredOrRevoked(`key ${fpr} in ${file}`, state);
  let signing: OpenPGP.PrivateKey | OpenPGP.Subkey;
  try {
    signing = await key.getSigningKey(undefined, now);
  } catch (err) {
    // Say "expired or revoked" when that is why no subkey can sign; anything else is a key that cannot sign at all.
    for (const sub of key.subkeys) {
      const s = await validityNow(key, sub, now);
      if (s !== 'valid' && hasSigningFlag(sub)) throw expiredOrRevoked(`the signing subkey ${sub.getFingerprint().toUpperCase()} of key ${fpr} in ${file}`, s);
    }
    throw new SignatureError(SignatureErrorCode.KeyInvalid, `key ${fpr} in ${file} has no secret key that can sign`, { cause: err });
  }
  let unlocked = key;
  if (!key.isDecrypted()) {
    if (options.passphrase === undefined) {
      throw new SignatureError(SignatureErrorCode.WrongPassphrase, `the secret key ${fpr} in ${file} is protected by a passphrase, and none was given`);
    }
    try {
      unlocked = await pgp.decryptKey({ privateKey: key, passphrase: options.passphrase });
    } catch (err) {
      throw new SignatureError(SignatureErrorCode.WrongPassphrase, `the secret key ${fpr} in ${file} did not open with the passphrase given (wrong passphrase, or a damaged key)`, {
        cause: err,
      });
    }
  }
  return { unlocked, signing, file };
}

/**
 * Check that `options.keyFile` can sign with `options.passphrase`, without
 * signing anything: what a command does before it starts work that a wrong
 * passphrase would waste. Returns the key's fingerprint.
 * @throws SignatureError as openpgpSign does for the key (WrongPassphrase, KeyInvalid, KeyExpiredOrRevoked, InvalidArgument)
 */
export async function checkOpenpgpSigningKey(options: OpenpgpSignOptions): Promise<{ fingerprint: string }> {
  const { unlocked } = await unlockSigningKey(await openpgp(), options, new Date());
  return { fingerprint: unlocked.getFingerprint().toUpperCase() };
}

/**
 * Verify an OpenPGP signed message against the keys in `trusted.keyFiles` and
 * return what was signed with the signer's fingerprints (uppercase hex, as
 * gpg prints them). Exactly one good signature by a trusted key that is
 * neither expired nor revoked now is accepted. Only binary messages are read
 * (containers/image writes nothing else); compressed ones are decompressed to
 * at most {@link MAX_OPENPGP_SIGNATURE_BYTES}.
 * @throws SignatureError BadSignature (corrupt, not a signed message, encrypted, armored, too large,
 *   not exactly one signature, a signature that does not verify), UntrustedKey, KeyExpiredOrRevoked
 *   (the key now, or the signature), InvalidArgument (no key files, a key file that cannot be read),
 *   KeyInvalid (a key file that holds no OpenPGP key)
 */
export async function openpgpVerify(signature: Uint8Array, trusted: OpenpgpTrustedKeys): Promise<GpgVerified> {
  if (trusted.keyFiles.length === 0) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, 'no trusted key files given');
  }
  const fingerprints = (trusted.fingerprints ?? []).map((f) => f.replace(/^0x/i, '').toUpperCase());
  const pgp = await openpgp();
  const keys: OpenPGP.PublicKey[] = [];
  for (const file of trusted.keyFiles) keys.push(...(await readPublicKeys(pgp, file)));

  checkTopLevel(signature);
  const config = {
    maxDecompressedMessageSize: MAX_OPENPGP_SIGNATURE_BYTES,
    // A packet of an unsupported version or algorithm is an error, not something to skip.
    ignoreUnsupportedPackets: false,
    ignoreMalformedPackets: false,
    enforceGrammar: true,
  };
  let message: OpenPGP.Message<Uint8Array>;
  try {
    message = await pgp.readMessage({ binaryMessage: signature, config });
  } catch (err) {
    throw bad(`not an OpenPGP signed message: ${reason(err)}`, err);
  }
  const inner = message.unwrapCompressed();
  const { packet } = pgp.enums;
  // Packets up to the literal data are parsed now; the grammar ties each trailing signature to a one-pass signature.
  const literals = inner.packets.filterByTag(packet.literalData).length;
  const onePass = inner.packets.filterByTag(packet.onePassSignature).length;
  const leading = inner.packets.filterByTag(packet.signature).length;
  if (literals !== 1 || onePass + leading !== 1) {
    throw bad(`not an OpenPGP signed message with one signature over one literal data packet (found ${onePass + leading} signatures, ${literals} literal data packets)`);
  }
  const issuer = inner.getSigningKeyIDs()[0]!;
  const found = findKey(keys, issuer);
  if (found === undefined) {
    throw new SignatureError(SignatureErrorCode.UntrustedKey, `the signature was made by key ${issuer.toHex().toUpperCase()}, which is not among the trusted keys`);
  }
  const { key, signing } = found;
  const signingFpr = signing.getFingerprint().toUpperCase();
  const primaryFpr = key.getFingerprint().toUpperCase();
  if (fingerprints.length > 0 && !fingerprints.includes(signingFpr) && !fingerprints.includes(primaryFpr)) {
    throw new SignatureError(SignatureErrorCode.UntrustedKey, `the signature was made by key ${primaryFpr}, which is not one of the trusted fingerprints`);
  }

  const now = new Date();
  let data: Uint8Array | undefined;
  let failure: unknown;
  let sigPacket: OpenPGP.SignaturePacket | undefined;
  try {
    // Only the key the issuer names: openpgp.js checks the key was valid when the signature was made, `date` the signature's own lifetime.
    const result = await pgp.verify({ message, verificationKeys: key, expectSigned: true, format: 'binary', date: now, config });
    const sigs = result.signatures;
    if (sigs.length !== 1) throw new Error(`${sigs.length} message signatures`);
    sigPacket = (await sigs[0]!.signature).packets[0];
    await sigs[0]!.verified;
    const out: unknown = result.data;
    if (!(out instanceof Uint8Array)) throw new Error('openpgp.js returned no bytes');
    data = out;
  } catch (err) {
    failure = err;
  }
  // Judged after the cryptography, as gpg's EXPKEYSIG/REVKEYSIG/EXPSIG replace GOODSIG.
  const stateOfKey = await validityNow(key, key, now);
  if (stateOfKey !== 'valid') throw expiredOrRevoked(`key ${primaryFpr}`, stateOfKey);
  if (signing !== key) {
    const stateOfSub = await validityNow(key, signing, now);
    if (stateOfSub !== 'valid') throw expiredOrRevoked(`subkey ${signingFpr} of key ${primaryFpr}`, stateOfSub);
  }
  const expiry = sigPacket?.getExpirationTime();
  if (expiry instanceof Date && expiry <= now) {
    throw new SignatureError(SignatureErrorCode.KeyExpiredOrRevoked, `the signature by key ${primaryFpr} expired at ${expiry.toISOString()}`);
  }
  if (failure !== undefined || data === undefined) {
    throw bad(`the OpenPGP signature by key ${primaryFpr} does not verify: ${reason(failure)}`, failure);
  }
  // Binary document signatures only: a text signature covers line endings canonicalised, not the bytes returned.
  if (sigPacket?.signatureType !== pgp.enums.signature.binary) {
    throw bad(`the signature by key ${primaryFpr} is not a binary document signature (type ${sigPacket?.signatureType ?? '?'})`);
  }
  // The one-pass signature is outside what is signed (RFC 4880 §5.4): it must announce the signature that follows, nothing else.
  const ops = inner.packets.filterByTag(packet.onePassSignature)[0] as unknown as OnePassFields | undefined;
  if (
    ops !== undefined &&
    (ops.flags === 0 ||
      ops.signatureType !== sigPacket.signatureType ||
      ops.hashAlgorithm !== sigPacket.hashAlgorithm ||
      ops.publicKeyAlgorithm !== sigPacket.publicKeyAlgorithm ||
      !ops.issuerKeyID.equals(sigPacket.issuerKeyID))
  ) {
    throw bad('the one-pass signature packet does not announce the signature that follows it');
  }
  if (data.byteLength > MAX_PAYLOAD_BYTES) {
    throw bad(`the signed data is ${data.byteLength} bytes, over the payload limit of ${MAX_PAYLOAD_BYTES}`);
  }
  return { payload: data, signingKeyFingerprint: signingFpr, primaryKeyFingerprint: primaryFpr };
}

/** The fields of openpgp.js's one-pass signature packet that its declarations leave out. */
interface OnePassFields {
  signatureType: number | null;
  hashAlgorithm: number | null;
  publicKeyAlgorithm: number | null;
  issuerKeyID: OpenPGP.KeyID;
  flags: number | null;
}

type Validity = 'valid' | 'expired' | 'revoked';

/** Whether `part` (the primary key or one of its subkeys) is revoked or expired at `now`. */
async function validityNow(key: OpenPGP.Key, part: OpenPGP.Key | OpenPGP.Subkey, now: Date): Promise<Validity> {
  if (part === key) {
    if (await key.isRevoked(undefined, undefined, now)) return 'revoked';
    const expires = await key.getExpirationTime();
    if (expires instanceof Date && expires <= now) return 'expired';
    try {
      await key.verifyPrimaryKey(now);
    } catch {
      // No valid self-signature now, or a revoked user ID: the key is not usable now.
      return 'revoked';
    }
    return 'valid';
  }
  const sub = part as OpenPGP.Subkey;
  // openpgp.js's declaration makes the first two arguments required; its code defaults them (any revocation counts).
  const isRevoked = sub.isRevoked.bind(sub) as (signature?: OpenPGP.SignaturePacket, keyPacket?: unknown, date?: Date) => Promise<boolean>;
  if (await isRevoked(undefined, undefined, now)) return 'revoked';
  const expires = await sub.getExpirationTime(now);
  if (expires instanceof Date && expires <= now) return 'expired';
  return 'valid';
}

function hasSigningFlag(sub: OpenPGP.Subkey): boolean {
  // Key flags 0x02: this key may sign data (RFC 4880 §5.2.3.21).
  return sub.bindingSignatures.some((s) => ((s.keyFlags?.[0] ?? 0) & 0x02) !== 0);
}

function expiredOrRevoked(what: string, state: Exclude<Validity, 'valid'>): SignatureError {
  return new SignatureError(SignatureErrorCode.KeyExpiredOrRevoked, `${what} is ${state === 'expired' ? 'expired' : 'revoked or no longer valid'}`);
}

/** The trusted key holding the key ID a signature names, first file first, as openpgp.js would pick it. */
function findKey(keys: readonly OpenPGP.PublicKey[], keyID: OpenPGP.KeyID): { key: OpenPGP.PublicKey; signing: OpenPGP.PublicKey | OpenPGP.Subkey } | undefined {
  for (const key of keys) {
    const parts = key.getKeys(keyID);
    if (parts.length > 0) return { key, signing: parts[0]! };
  }
  return undefined;
}

/**
 * The top level of the blob, read from the packet headers (RFC 4880 §4.2):
 * either one compressed data packet, or a one-pass signature, literal data
 * and signature, or a signature and literal data. openpgp.js parses what is
 * inside; this keeps anything from hiding beside it.
 */
function checkTopLevel(bytes: Uint8Array): void {
  if (bytes.byteLength === 0) throw bad('the signature is empty');
  if (bytes.byteLength > MAX_OPENPGP_SIGNATURE_BYTES) {
    throw bad(`the signature is ${bytes.byteLength} bytes, over the limit of ${MAX_OPENPGP_SIGNATURE_BYTES}`);
  }
  if (isArmored(bytes)) throw bad('the signature is ASCII-armored; simple signatures are binary OpenPGP messages');
  const tags: number[] = [];
  let at = 0;
  const byte = (i: number): number => {
    if (i >= bytes.byteLength) throw bad('the OpenPGP data is truncated');
    return bytes[i]!;
  };
  while (at < bytes.byteLength) {
    if (tags.length === 3) throw bad('the OpenPGP message has more packets than a signed message');
    const header = byte(at++);
    if ((header & 0x80) === 0) throw bad('not OpenPGP data (no packet header)');
    let end: number;
    if ((header & 0x40) !== 0) {
      tags.push(header & 0x3f);
      // New format: lengths, partial ones chained until a final one.
      for (;;) {
        const first = byte(at++);
        if (first < 192) {
          end = at + first;
        } else if (first < 224) {
          const second = byte(at++);
          end = at + ((first - 192) << 8) + second + 192;
        } else if (first === 255) {
          end = at + 4 + ((byte(at) << 24) >>> 0) + (byte(at + 1) << 16) + (byte(at + 2) << 8) + byte(at + 3);
          at += 4;
        } else {
          at += 1 << (first & 0x1f);
          if (at > bytes.byteLength) throw bad('the OpenPGP data is truncated');
          continue;
        }
        break;
      }
    } else {
      tags.push((header >> 2) & 0x0f);
      const type = header & 0x03;
      if (type === 3) {
        end = bytes.byteLength; // indeterminate length: to the end
      } else {
        const n = 1 << type;
        let len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + byte(at + i);
        at += n;
        end = at + len;
      }
    }
    if (end > bytes.byteLength) throw bad('the OpenPGP data is truncated');
    at = end;
  }
  const shape = tags.join(',');
  // Tags (RFC 4880 §4.3): 2 signature, 4 one-pass signature, 8 compressed data, 11 literal data.
  if (shape === '8' || shape === '4,11,2' || shape === '2,11') return;
  if (tags.some((t) => t === 1 || t === 3 || t === 9 || t === 18 || t === 20)) throw bad('the signature is an encrypted OpenPGP message, not a signed one');
  throw bad(`not an OpenPGP signed message (packets ${shape}; see ${RFC4880_MESSAGES})`);
}

/** Every key in a trusted key file, as public keys. */
async function readPublicKeys(pgp: OpenPGPModule, file: string): Promise<OpenPGP.PublicKey[]> {
  const bytes = await readKeyFile(file, MAX_OPENPGP_KEY_FILE_BYTES, 'an OpenPGP key file');
  let keys: OpenPGP.Key[];
  try {
    keys = isArmored(bytes) ? await pgp.readKeys({ armoredKeys: bytes.toString('utf8') }) : await pgp.readKeys({ binaryKeys: bytes });
  } catch (err) {
    throw new SignatureError(SignatureErrorCode.KeyInvalid, `${file} holds no OpenPGP key`, { cause: err });
  }
  if (keys.length === 0) throw new SignatureError(SignatureErrorCode.KeyInvalid, `${file} holds no OpenPGP key`);
  return keys.map((k) => (k.isPrivate() ? k.toPublic() : k));
}


/** ASCII armor starts with a `-----BEGIN PGP` line (RFC 4880 §6.2), after optional blank space. */
function isArmored(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
  return head.startsWith('-----BEGIN PGP');
}

function bad(message: string, cause?: unknown): SignatureError {
  return new SignatureError(SignatureErrorCode.BadSignature, message, cause !== undefined ? { cause } : {});
}

/** The first line of a library error, short: it describes packets, never key material (keys' errors are not repeated). */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
