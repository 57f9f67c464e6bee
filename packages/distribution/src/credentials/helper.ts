/**
 * Docker's credential helper protocol (docker/docker-credential-helpers):
 * the program `docker-credential-NAME` on PATH is run with one action
 * argument and talks JSON on stdin/stdout.
 *
 *   get    stdin: the server (registry host)  stdout: {"ServerURL","Username","Secret"}
 *   store  stdin: {"ServerURL","Username","Secret"}
 *   erase  stdin: the server
 *   list   stdout: {"SERVER": "USERNAME", ...}
 *
 * A failing helper exits non-zero with its message on stdout; the message
 * "credentials not found in native keychain" means "nothing stored", not a
 * failure. Username "<token>" means Secret is an identity (refresh) token.
 * The program is spawned directly (no shell), with a timeout.
 */
import { spawn } from 'node:child_process';
import type { Credentials } from './credentials.js';
import { CredentialsError, CredentialsErrorReason } from './errors.js';
import { sealCredentials } from './sealed.js';

export const HELPER_PREFIX = 'docker-credential-';
/** What a helper says when it has nothing for the server. */
export const CREDENTIALS_NOT_FOUND = 'credentials not found in native keychain';
/** The Username a helper uses for an identity token. */
export const IDENTITY_TOKEN_USERNAME = '<token>';
export const DEFAULT_HELPER_TIMEOUT_MS = 30_000;
/** A helper's answer is a few hundred bytes; more is refused rather than buffered. */
const MAX_OUTPUT_BYTES = 1 << 20;

export type HelperAction = 'get' | 'store' | 'erase' | 'list';

export interface HelperOptions {
  /** Environment for the helper, and the PATH it is looked up on (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Milliseconds before the helper is killed (default 30000). */
  timeoutMs?: number | undefined;
}

/** `name` as it appears in credHelpers/credsStore: a program name suffix, never a path. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface HelperResult {
  /** True when the helper said it has no credentials for the server. */
  notFound: boolean;
  stdout: string;
}

/** The helper's message, for an error: one line, bounded, with any secret in play cut out. */
function helperMessage(stdout: string, secrets: readonly string[]): string {
  let line = stdout.trim().split(/\r?\n/, 1)[0] ?? '';
  for (const s of secrets) if (s.length > 0) line = line.split(s).join('<redacted>');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Run `docker-credential-NAME ACTION` with `input` on stdin. `what` names the
 * registry for messages; `secrets` are cut out of anything the helper says.
 */
export function runHelper(name: string, action: HelperAction, input: string, what: string, options: HelperOptions = {}, secrets: readonly string[] = []): Promise<HelperResult> {
  const program = `${HELPER_PREFIX}${name}`;
  const context = `credential helper ${program} (${action} for ${what})`;
  if (!HELPER_NAME.test(name)) {
    return Promise.reject(new CredentialsError(CredentialsErrorReason.InvalidKey, `${JSON.stringify(name)} is not a credential helper name (expected the part after "${HELPER_PREFIX}", no path), configured for ${what}`));
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'ignore'], shell: false });
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      // A grandchild may hold stdout open after the helper dies: answer now, not when it lets go.
      child.stdout.destroy();
      fail(CredentialsErrorReason.HelperFailed, `${context}: no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    const fail = (reason: CredentialsErrorReason, message: string, cause?: unknown) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new CredentialsError(reason, message, cause === undefined ? {} : { cause }));
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') fail(CredentialsErrorReason.HelperMissing, `${context}: ${program} is not on PATH`);
      else fail(CredentialsErrorReason.HelperFailed, `${context}: cannot run it (${err.code ?? err.message})`, err);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        tooLarge = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    // A helper that exits without reading its input closes the pipe under us: not an error in itself.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      const stdout = Buffer.concat(chunks).toString('utf8');
      if (tooLarge) return fail(CredentialsErrorReason.HelperFailed, `${context}: answered more than ${MAX_OUTPUT_BYTES} bytes`);
      if (signal !== null) {
        return fail(CredentialsErrorReason.HelperFailed, `${context}: killed by ${signal}`);
      }
      if (code === 0) {
        settled = true;
        return resolve({ notFound: false, stdout });
      }
      if (stdout.trim() === CREDENTIALS_NOT_FOUND) {
        settled = true;
        return resolve({ notFound: true, stdout });
      }
      const said = helperMessage(stdout, secrets);
      fail(CredentialsErrorReason.HelperFailed, `${context}: exit status ${code}${said ? `: ${said}` : ''}`);
    });
  });
}

function protocolError(name: string, action: HelperAction, what: string, expected: string): CredentialsError {
  return new CredentialsError(CredentialsErrorReason.HelperFailed, `credential helper ${HELPER_PREFIX}${name} (${action} for ${what}): expected ${expected}, found something else`);
}

/** The credentials the helper holds for `server`, or undefined when it has none. */
export async function helperGet(name: string, server: string, options: HelperOptions = {}): Promise<Credentials | undefined> {
  const { notFound, stdout } = await runHelper(name, 'get', server, server, options);
  if (notFound) return undefined;
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    // The parser's message quotes the text, which holds the secret: say only what was wrong.
    throw protocolError(name, 'get', server, 'a JSON object {ServerURL, Username, Secret}');
  }
  if (typeof answer !== 'object' || answer === null) throw protocolError(name, 'get', server, 'a JSON object {ServerURL, Username, Secret}');
  const { Username: username, Secret: secret } = answer as Record<string, unknown>;
  if (typeof username !== 'string' || typeof secret !== 'string') throw protocolError(name, 'get', server, 'string Username and Secret');
  // Docker's helpers answer an empty object when they hold nothing (some do, instead of the message).
  if (username === '' && secret === '') return undefined;
  if (username === IDENTITY_TOKEN_USERNAME) return sealCredentials({ identityToken: secret });
  return sealCredentials({ username, password: secret });
}

/** Store credentials for `server` in the helper. */
export async function helperStore(name: string, server: string, creds: Credentials, options: HelperOptions = {}): Promise<void> {
  const [username, secret] = 'identityToken' in creds ? [IDENTITY_TOKEN_USERNAME, creds.identityToken] : [creds.username, creds.password];
  await runHelper(name, 'store', JSON.stringify({ ServerURL: server, Username: username, Secret: secret }), server, options, [secret]);
}

/** Erase what the helper holds for `server`; false when it held nothing. */
export async function helperErase(name: string, server: string, options: HelperOptions = {}): Promise<boolean> {
  const { notFound } = await runHelper(name, 'erase', server, server, options);
  return !notFound;
}
