/**
 * OpenPGP through the `gpg` binary, as skopeo's `--sign-by` does it: the
 * user's keyring (GNUPGHOME honoured), passphrases left to gpg-agent (or
 * loopback with a passphrase file). gpg is spawned without a shell, with a
 * timeout, and verification reads gpg's machine interface (`--status-fd`,
 * doc/DETAILS in GnuPG), never its human messages.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignatureError, SignatureErrorCode } from '../errors.js';

/** How long one gpg run may take before it is killed. */
export const DEFAULT_GPG_TIMEOUT_MS = 60_000;

export interface GpgOptions {
  /** The gpg program (default `gpg` on PATH). */
  gpg?: string;
  /** GNUPGHOME for this run; default the environment's. */
  gnupgHome?: string;
  /** Kill gpg after this many milliseconds (default {@link DEFAULT_GPG_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/** Most bytes a verification may print (the payload); more is refused, as the payload limit would refuse it anyway. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface GpgSignOptions extends GpgOptions {
  /** Fingerprint (or key ID) of the secret key to sign with, as `--sign-by`. */
  signBy: string;
  /** A file holding the passphrase; used with `--pinentry-mode loopback`. Without it gpg-agent asks. */
  passphraseFile?: string;
}

/** Which keys a verification trusts. */
export interface TrustedKeys {
  /** Armored (or binary) public key files; every key in them is trusted, and nothing else (`gnupgHome` is then ignored). */
  keyFiles?: readonly string[];
  /** A GnuPG home whose public keyring is used; needs `fingerprints`, so a whole keyring is never trusted by accident. */
  gnupgHome?: string;
  /** Only signatures by these keys (primary or signing subkey fingerprint, any case) are accepted. */
  fingerprints?: readonly string[];
}

export interface GpgVerified {
  /** The signed bytes (the payload), not yet checked. */
  payload: Uint8Array;
  /** Fingerprint of the key that made the signature (a subkey, possibly). */
  signingKeyFingerprint: string;
  /** Fingerprint of its primary key. */
  primaryKeyFingerprint: string;
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  status: string;
}

/** Run gpg with a status pipe on fd 3; never throws for a non-zero exit (the caller reads the status). */
async function runGpg(args: readonly string[], input: Uint8Array, options: GpgOptions): Promise<RunResult> {
  const program = options.gpg ?? 'gpg';
  const env = { ...process.env, ...(options.gnupgHome !== undefined && { GNUPGHOME: options.gnupgHome }) };
  const timeoutMs = options.timeoutMs ?? DEFAULT_GPG_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['--batch', '--no-tty', '--status-fd', '3', ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      shell: false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const status: Buffer[] = [];
    let timedOut = false;
    let outBytes = 0;
    let overflow = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > MAX_OUTPUT_BYTES) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => status.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new SignatureError(SignatureErrorCode.Gpg, `cannot run ${program}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new SignatureError(SignatureErrorCode.Gpg, `${program} did not finish within ${timeoutMs} ms`));
        return;
      }
      if (overflow) {
        reject(new SignatureError(SignatureErrorCode.BadSignature, `the signed data is over ${MAX_OUTPUT_BYTES} bytes, larger than any payload`));
        return;
      }
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), status: Buffer.concat(status).toString('utf8') });
    });
    // gpg may exit before reading all of stdin (a corrupt packet): that EPIPE is not our error, the status says what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** The last line of gpg's human output, for a message (it names keys, never secret material). */
function lastLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  return lines.at(-1)?.replace(/^gpg: /, '') ?? 'no message';
}

/**
 * Sign `payload` with the secret key `signBy` (an opaque OpenPGP signed
 * message, `gpg --sign`, as containers/image writes it). Returns the binary
 * signature.
 * @throws SignatureError Gpg
 */
export async function gpgSign(payload: Uint8Array, options: GpgSignOptions): Promise<Uint8Array> {
  if (!/^[0-9A-Fa-f]{8,40}$/.test(options.signBy.replace(/^0x/i, ''))) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `--sign-by expects a key fingerprint (hexadecimal), found ${JSON.stringify(options.signBy)}`);
  }
  const args = ['--sign', '--local-user', options.signBy, '--output', '-'];
  if (options.passphraseFile !== undefined) args.unshift('--pinentry-mode', 'loopback', '--passphrase-file', options.passphraseFile);
  const r = await runGpg(args, payload, options);
  if (r.code !== 0 || !/^\[GNUPG:\] SIG_CREATED /m.test(r.status)) {
    throw new SignatureError(SignatureErrorCode.Gpg, `gpg could not sign with key ${options.signBy}: ${lastLine(r.stderr)}`);
  }
  return new Uint8Array(r.stdout);
}

/**
 * Verify an OpenPGP signed message against `trusted` and return what was
 * signed with the signer's fingerprints. Exactly one good, valid signature by
 * a trusted, unexpired, unrevoked key is accepted.
 * @throws SignatureError UntrustedKey, KeyExpiredOrRevoked, BadSignature, InvalidArgument, Gpg
 */
export async function gpgVerify(signature: Uint8Array, trusted: TrustedKeys, options: GpgOptions = {}): Promise<GpgVerified> {
  const keyFiles = trusted.keyFiles ?? [];
  const fingerprints = (trusted.fingerprints ?? []).map((f) => f.replace(/^0x/i, '').toUpperCase());
  if (keyFiles.length === 0 && trusted.gnupgHome === undefined) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, 'no trusted keys given: pass key files or a GnuPG home with fingerprints');
  }
  if (keyFiles.length === 0 && fingerprints.length === 0) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `trusting GnuPG home ${trusted.gnupgHome} needs the fingerprints of the keys to accept`);
  }
  // Key files are imported into a private, throwaway home so that nothing else is trusted.
  const home = keyFiles.length > 0 ? await mkdtemp(path.join(tmpdir(), 'ocikit-gpg-')) : trusted.gnupgHome;
  try {
    if (keyFiles.length > 0) {
      const imported = await runGpg(['--import', ...keyFiles], new Uint8Array(), { ...options, gnupgHome: home });
      if (imported.code !== 0 || !/^\[GNUPG:\] IMPORT_OK /m.test(imported.status)) {
        throw new SignatureError(SignatureErrorCode.Gpg, `gpg could not import the public keys from ${keyFiles.join(', ')}: ${lastLine(imported.stderr)}`);
      }
    }
    // --decrypt of a signed (not encrypted) message prints what was signed; the status says who signed it.
    // Keys are never fetched from the network while verifying, and gpg never asks for a passphrase (encrypted input is refused below).
    const r = await runGpg(['--no-auto-key-retrieve', '--pinentry-mode', 'error', '--trust-model', 'always', '--decrypt'], signature, { ...options, gnupgHome: home });
    return checkStatus(r, fingerprints);
  } finally {
    if (keyFiles.length > 0 && home !== undefined) {
      await killAgent(home, options);
      await rm(home, { recursive: true, force: true });
    }
  }
}

/** Stop the agent gpg may have started for a throwaway home, so no process outlives it. */
async function killAgent(home: string, options: GpgOptions): Promise<void> {
  const gpgconf = options.gpg !== undefined ? path.join(path.dirname(options.gpg), 'gpgconf') : 'gpgconf';
  await new Promise<void>((resolve) => {
    const child = spawn(gpgconf, ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore', shell: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Read gpg's status lines (GnuPG doc/DETAILS, "Format of the --status-fd output"). */
function checkStatus(r: RunResult, fingerprints: readonly string[]): GpgVerified {
  const lines = r.status.split('\n').filter((l) => l.startsWith('[GNUPG:] ')).map((l) => l.slice(9).split(' '));
  const has = (kw: string) => lines.some((l) => l[0] === kw);
  // Encrypted data is not a signature; never act as a decryption oracle.
  if (has('BEGIN_DECRYPTION') || has('DECRYPTION_INFO') || has('ENC_TO') || has('NEED_PASSPHRASE_SYM') || has('NEED_PASSPHRASE')) {
    throw new SignatureError(SignatureErrorCode.BadSignature, 'the signature is an encrypted OpenPGP message, not a signed one');
  }
  // These replace GOODSIG for the signature itself; KEYEXPIRED alone may be about another key in the ring.
  if (has('EXPKEYSIG') || has('REVKEYSIG') || has('EXPSIG')) {
    const kw = lines.find((l) => ['EXPKEYSIG', 'REVKEYSIG', 'EXPSIG'].includes(l[0]!))!;
    throw new SignatureError(SignatureErrorCode.KeyExpiredOrRevoked, `the signature was made by key ${kw[1] ?? '?'}, which is expired or revoked (${kw[0]})`);
  }
  const errsig = lines.find((l) => l[0] === 'ERRSIG');
  if (errsig !== undefined || has('NO_PUBKEY')) {
    // ERRSIG <keyid> <pkalgo> <hashalgo> <sig_class> <time> <rc>: rc 9 is "no public key".
    const keyId = errsig?.[1] ?? lines.find((l) => l[0] === 'NO_PUBKEY')?.[1] ?? '?';
    if (has('NO_PUBKEY') || errsig?.[6] === '9') {
      throw new SignatureError(SignatureErrorCode.UntrustedKey, `the signature was made by key ${keyId}, which is not among the trusted keys`);
    }
    throw new SignatureError(SignatureErrorCode.BadSignature, `the signature by key ${keyId} cannot be checked: ${lastLine(r.stderr)}`);
  }
  if (has('BADSIG')) throw new SignatureError(SignatureErrorCode.BadSignature, 'the OpenPGP signature does not verify (BADSIG): the signed data was changed');
  const good = lines.filter((l) => l[0] === 'GOODSIG');
  const valid = lines.filter((l) => l[0] === 'VALIDSIG');
  // One literal data packet only: several would let the printed payload differ from what was signed.
  const plaintexts = lines.filter((l) => l[0] === 'PLAINTEXT').length;
  if (r.code !== 0 || good.length !== 1 || valid.length !== 1 || plaintexts > 1 || has('NODATA')) {
    throw new SignatureError(SignatureErrorCode.BadSignature, `not a valid OpenPGP signed message with one signature: ${lastLine(r.stderr)}`);
  }
  // VALIDSIG <fpr> <date> <ts> <expire> <ver> <reserved> <pkalgo> <hashalgo> <class> <primary-fpr>
  const v = valid[0]!;
  const signing = (v[1] ?? '').toUpperCase();
  const primary = (v[10] ?? v[1] ?? '').toUpperCase();
  if (fingerprints.length > 0 && !fingerprints.includes(signing) && !fingerprints.includes(primary)) {
    throw new SignatureError(SignatureErrorCode.UntrustedKey, `the signature was made by key ${primary}, which is not one of the trusted fingerprints`);
  }
  return { payload: new Uint8Array(r.stdout), signingKeyFingerprint: signing, primaryKeyFingerprint: primary };
}
