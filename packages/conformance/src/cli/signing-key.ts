/**
 * The signing key of `ocikit sign` and `ocikit copy`: a cosign private key,
 * a key of the user's GnuPG keyring, or an OpenPGP secret key file; exactly
 * one. It is opened before anything is resolved or copied, so a wrong
 * passphrase costs no network round trip and no copy. @ocikit/signature is
 * loaded only when a key is given: a plain copy does not pay for it at start-up.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { SimpleSigner } from '@ocikit/signature';
import { UsageError } from './exit-codes.js';
import type { CommandIO } from './io.js';
import { firstLine, readPassphrase } from './passphrase.js';
import { askSecret } from './prompt.js';

export type SigningKey = { format: 'cosign'; key: KeyObject } | { format: 'simple-signing'; signer: SimpleSigner };

/** The values of the key flags, whatever a command calls them. */
export interface SigningKeyValues {
  cosignKey?: string | undefined;
  signBy?: string | undefined;
  gpgKey?: string | undefined;
  passphraseFile?: string | undefined;
}

/** What a command calls each flag, for its messages. */
export interface SigningKeyFlags {
  cosignKey: string;
  signBy: string;
  gpgKey: string;
  passphraseFile: string;
}

/** The key named, opened; undefined when no key flag is given and `required` is false. */
export async function openSigningKey(command: string, values: SigningKeyValues, names: SigningKeyFlags, io: CommandIO, required: boolean): Promise<SigningKey | undefined> {
  const given = (['cosignKey', 'signBy', 'gpgKey'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1 || (required && given.length === 0)) {
    const list = `--${names.cosignKey} KEY (cosign), --${names.signBy} FPR (a GnuPG key) or --${names.gpgKey} FILE (an OpenPGP key file)`;
    throw new UsageError(`${command}: give ${required ? 'exactly' : 'at most'} one of ${list}${given.length > 1 ? `, not ${given.map((k) => `--${names[k]}`).join(' and ')}` : ''}`);
  }
  const passphraseFile = values.passphraseFile !== undefined ? path.resolve(io.cwd, values.passphraseFile) : undefined;
  if (given.length === 0) {
    if (passphraseFile !== undefined) throw new UsageError(`${command}: --${names.passphraseFile} goes with a signing key`);
    return undefined;
  }
  if (passphraseFile !== undefined) accessSync(passphraseFile, constants.R_OK);
  if (values.cosignKey !== undefined) {
    const keyFile = path.resolve(io.cwd, values.cosignKey);
    // A missing key file is said before a passphrase is asked for.
    accessSync(keyFile, constants.R_OK);
    const { readCosignPrivateKey } = await import('@ocikit/signature');
    return { format: 'cosign', key: await readCosignPrivateKey(keyFile, await readPassphrase(command, { 'passphrase-file': passphraseFile }, io)) };
  }
  if (values.signBy !== undefined) {
    return { format: 'simple-signing', signer: { signBy: values.signBy, ...(passphraseFile !== undefined && { passphraseFile }) } };
  }
  const keyFile = path.resolve(io.cwd, values.gpgKey!);
  accessSync(keyFile, constants.R_OK);
  // The key is unlocked now, not when the signature is made: a wrong passphrase must not waste a copy.
  const { checkOpenpgpSigningKey, isSignatureError, SignatureErrorCode } = await import('@ocikit/signature');
  let passphrase = passphraseFile !== undefined ? firstLine(passphraseFile) : undefined;
  try {
    await checkOpenpgpSigningKey({ keyFile, ...(passphrase !== undefined && { passphrase }) });
  } catch (err) {
    if (passphrase !== undefined || !isSignatureError(err, SignatureErrorCode.WrongPassphrase)) throw err;
    passphrase = await askSecret(io, 'Enter passphrase for OpenPGP key: ', `${command}: the OpenPGP key is encrypted: give --${names.passphraseFile} FILE (standard input is not a terminal)`);
    await checkOpenpgpSigningKey({ keyFile, passphrase });
  }
  return { format: 'simple-signing', signer: { keyFile, ...(passphrase !== undefined && { passphrase }) } };
}
