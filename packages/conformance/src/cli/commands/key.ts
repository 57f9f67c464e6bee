import { lstatSync } from 'node:fs';
import path from 'node:path';
import { generateCosignKeyPair, writeCosignKeyPair } from '@ocikit/signature';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type Command } from '../io.js';
import { flags, parseCommandArgs } from '../options.js';
import { PASSPHRASE_ENV, PASSPHRASE_FLAGS, PASSPHRASE_HELP, readPassphrase } from '../passphrase.js';

const usage = `Usage: ocikit key generate [--output PREFIX] [--passphrase-file FILE] [--force] [--json]

generate  make an ECDSA P-256 key pair for cosign signatures, as
          "cosign generate-key-pair --output-key-prefix PREFIX" does:
          PREFIX.key, the private key encrypted with the passphrase in
          cosign's format (scrypt + secretbox, PEM "ENCRYPTED SIGSTORE
          PRIVATE KEY", mode 0600), and PREFIX.pub, the public key (PEM,
          mode 0644). cosign reads both; "ocikit sign --key PREFIX.key" and
          "ocikit verify --key PREFIX.pub" use them.
  -o, --output PREFIX     where to write (default: cosign, in the working directory)
${PASSPHRASE_HELP}
  --force                 replace PREFIX.key and PREFIX.pub when they exist
  --json                  print {"privateKey", "publicKey"} (the paths), and errors as JSON

Without --passphrase-file or $${PASSPHRASE_ENV}, the passphrase is asked for
twice on a terminal, without echo. It is never printed. Each file is
written whole or not at all.

Exit status: 0 written; 2 usage error: no passphrase (standard input is no
terminal), a key file that exists (without --force), a path that cannot be
written.
`;

const options = { output: { type: 'string', short: 'o' }, ...PASSPHRASE_FLAGS, ...flags('boolean', 'force', 'json') } as const;

/** Whether anything (a dangling symbolic link too) is at `file`. */
function occupied(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

export const command: Command = {
  summary: 'key generate: an encrypted key pair for cosign signatures (like cosign generate-key-pair)',
  usage,
  options,
  subcommands: ['generate'],
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'generate') throw new UsageError(`key: expected "generate", not ${sub === undefined ? 'nothing' : JSON.stringify(sub)}`);
    const { values, positionals } = parseCommandArgs('key generate', rest, options);
    if (positionals.length > 0) throw new UsageError(`key generate: takes no arguments (name the files with --output PREFIX), not ${JSON.stringify(positionals[0])}`);
    const prefix = values.output ?? 'cosign';
    if (prefix === '') throw new UsageError('key generate: --output names no prefix');
    const files = { privateKey: `${prefix}.key`, publicKey: `${prefix}.pub` };
    const absolute = path.resolve(io.cwd, prefix);
    // Before the passphrase is asked for: nobody types one twice to hear that the file is there.
    // (writeCosignKeyPair refuses again, atomically, should one appear in between.)
    if (values.force !== true) {
      for (const file of [files.privateKey, files.publicKey]) {
        if (occupied(path.resolve(io.cwd, file))) throw new UsageError(`key generate: ${file} exists; --force replaces it`);
      }
    }
    const passphrase = await readPassphrase('key generate', values, io, true);
    await writeCosignKeyPair(absolute, await generateCosignKeyPair(), { passphrase, overwrite: values.force === true });
    await write(io.stdout, values.json === true ? `${JSON.stringify(files)}\n` : `Private key written to ${files.privateKey}\nPublic key written to ${files.publicKey}\n`);
    return ExitCode.Ok;
  },
};
