/**
 * The passphrase of a cosign private key, from where cosign users keep it:
 * `--passphrase-file FILE` (its first line, as skopeo's
 * --sign-passphrase-file reads one), else `$COSIGN_PASSWORD` (the empty
 * string included: cosign takes it too), else typed on a terminal without
 * echo. The passphrase is never printed, and no message quotes it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandIO } from './io.js';
import { flags } from './options.js';
import { askSecret } from './prompt.js';
import { UsageError } from './exit-codes.js';

/** The flag of every command that opens or writes a private key. */
export const PASSPHRASE_FLAGS = flags('string', 'passphrase-file');

/** The environment variable cosign reads the passphrase from. */
export const PASSPHRASE_ENV = 'COSIGN_PASSWORD';

/** The help line for PASSPHRASE_FLAGS. */
export const PASSPHRASE_HELP = `  --passphrase-file FILE  the key's passphrase is the first line of FILE (else $${PASSPHRASE_ENV},
                          which may be empty, else it is asked for on a terminal)`;

/** `FILE`'s first line, without its line ending (as skopeo's --sign-passphrase-file reads one). */
export function firstLine(file: string): string {
  const text = readFileSync(file, 'utf8');
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).replace(/\r$/, '');
}

/**
 * The passphrase for `command`. With `confirm` (a new key), one typed on a
 * terminal is asked for twice and must be the same both times.
 */
export async function readPassphrase(command: string, values: { 'passphrase-file'?: string | undefined }, io: CommandIO, confirm = false): Promise<string> {
  const file = values['passphrase-file'];
  if (file !== undefined) return firstLine(path.resolve(io.cwd, file));
  const env = io.env[PASSPHRASE_ENV];
  if (env !== undefined) return env;
  const notTerminal = `${command}: no passphrase for the private key: give --passphrase-file FILE or set ${PASSPHRASE_ENV} (standard input is not a terminal)`;
  const first = await askSecret(io, 'Enter password for private key: ', notTerminal);
  if (!confirm) return first;
  const again = await askSecret(io, 'Enter password for private key again: ', notTerminal);
  if (again !== first) throw new UsageError(`${command}: the passphrases typed do not match`);
  return first;
}
