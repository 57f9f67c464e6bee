import path from 'node:path';
import { createInterface } from 'node:readline';
import { CredentialsError, CredentialsErrorReason, isIdentityToken, RegistryClient, resolveCredentials, saveCredentials, sealCredentials, type AuthFileOptions } from '@ocikit/distribution';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type CommandIO } from '../io.js';
import { defineCommand, flags, switchFlags } from '../options.js';
import { askPassword, registryClientOptions } from '../registry-options.js';

const usage = `Usage: ocikit login [-u USER] [--password-stdin | -p PASSWORD] [--authfile FILE]
                    [--tls-verify[=BOOL]] [--cert-dir DIR] REGISTRY
       ocikit login --get-login [--authfile FILE] REGISTRY

Log in to REGISTRY (HOST[:PORT], or HOST[:PORT]/NAMESPACE for credentials
that hold for a namespace only) as skopeo login and podman login do: the
credentials are first tried against the registry (GET /v2/ with them), and
only when it accepts them are they stored, in the auth file that skopeo,
podman and ocikit read (containers-auth.json(5): --authfile, else
$REGISTRY_AUTH_FILE, else \${XDG_RUNTIME_DIR}/containers/auth.json), or in
the credential helper that file names for the registry. Prints "Login
Succeeded!".

  -u, --username USER   the user name (asked for on a terminal when left out)
  --password-stdin      read the password from standard input (one line)
  -p, --password PASS   the password on the command line: visible to other
                        users of this machine (ps, shell history); prefer
                        --password-stdin
  --get-login           print the user name stored for REGISTRY, check nothing
  --json                print {"registry", "username"} instead of "Login
                        Succeeded!", and errors as JSON
  --authfile FILE       the auth file to write (and read, for --get-login)
  --tls-verify[=BOOL]   verify the registry's certificate (default true); false
                        also allows plain http
  --cert-dir DIR        trust the CA certificates (*.crt) in DIR (default: the
                        registry's certs.d directories)

Without -p or --password-stdin the password is asked for on the terminal,
without echo. It is never printed.

Exit status: 0 logged in (or --get-login printed); 1 the registry refused
the credentials (UNAUTHORIZED), could not be reached (REGISTRY_TLS,
REGISTRY_NETWORK, ...), or --get-login found nothing stored
(CREDENTIALS_ERROR); 2 usage error.
`;

const options = {
  username: { type: 'string', short: 'u' },
  password: { type: 'string', short: 'p' },
  ...flags('boolean', 'password-stdin', 'get-login', 'json'),
  ...flags('string', 'authfile', 'cert-dir'),
  ...switchFlags('tls-verify'),
} as const;

/** `HOST[:PORT][/NAMESPACE…]`: a leading docker:// is dropped, as podman drops it. */
export function loginKey(command: string, text: string): { key: string; registry: string } {
  const key = text.startsWith('docker://') ? text.slice('docker://'.length) : text;
  if (key === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(key) || key.endsWith('/')) {
    throw new UsageError(`${command}: ${JSON.stringify(text)} is not a registry; expected HOST[:PORT] or HOST[:PORT]/NAMESPACE`);
  }
  return { key, registry: key.split('/', 1)[0]! };
}

/** The auth-file options of --authfile (relative to the working directory) and the environment. */
export function authFileOptions(values: { authfile?: string | undefined }, io: CommandIO): AuthFileOptions {
  return { env: io.env, ...(values.authfile !== undefined && { authFile: path.resolve(io.cwd, values.authfile) }) };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts).toString('utf8');
}

/** Ask for the user name on a terminal (echoed, as login prompts do). */
function askUsername(io: CommandIO, registry: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY) return Promise.reject(new UsageError('login: name the user with --username (standard input is not a terminal)'));
  const rl = createInterface({ input: stdin, output: io.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(`Username for ${registry}: `, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
  });
}

export const command = defineCommand('login', { summary: 'log in to a registry: check the credentials, then store them (like skopeo login)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('login: name exactly one REGISTRY (HOST[:PORT])');
  const { key, registry } = loginKey('login', positionals[0]!);
  const fileOptions = authFileOptions(values, io);
  if (values['get-login'] === true) {
    const [host, ...namespace] = key.split('/');
    const creds = await resolveCredentials({ registry: host!, ...(namespace.length > 0 && { repository: namespace.join('/') }) }, fileOptions);
    if (creds === undefined) throw new CredentialsError(CredentialsErrorReason.NotLoggedIn, `not logged in to ${key}`);
    await write(io.stdout, `${isIdentityToken(creds) ? '<token>' : creds.username}\n`);
    return ExitCode.Ok;
  }
  if (values['password-stdin'] === true && values.password !== undefined) throw new UsageError('login: --password and --password-stdin contradict each other');
  if (values['password-stdin'] === true && values.username === undefined) throw new UsageError('login: --password-stdin needs --username (standard input holds the password)');
  if (values.password !== undefined) await write(io.stderr, 'WARNING: a password given with --password is visible to other users of this machine; prefer --password-stdin\n');
  const username = values.username ?? (await askUsername(io, key));
  if (username === '') throw new UsageError('login: the user name is empty');
  let password: string;
  if (values['password-stdin'] === true) password = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  else if (values.password !== undefined) password = values.password;
  else password = await askPassword(io, 'login', () => 'no password given and standard input is not a terminal; use --password-stdin')(username);
  if (password === '') throw new UsageError('login: the password is empty');
  const credentials = sealCredentials({ username, password });

  // Checked before anything is written: a refused password leaves the auth file as it was.
  const clientOptions = await registryClientOptions('login', { ...values, 'no-creds': true }, registry, undefined, io);
  const client = new RegistryClient(registry, { ...clientOptions, credentials });
  try {
    await client.ping();
  } finally {
    client.close();
  }
  await saveCredentials(key, credentials, fileOptions);
  await write(io.stdout, values.json === true ? `${JSON.stringify({ registry: key, username })}\n` : 'Login Succeeded!\n');
  return ExitCode.Ok;
});
