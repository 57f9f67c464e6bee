/**
 * The registry flags every command that talks to a registry shares, spelled
 * as skopeo spells them, and the one place they become the options of a
 * @ocikit/distribution client:
 *
 *   --tls-verify[=BOOL]   --src-tls-verify[=BOOL]   --dest-tls-verify[=BOOL]
 *   --creds USER[:PASS]   --src-creds …             --dest-creds …
 *   --no-creds            --src-no-creds            --dest-no-creds
 *   --authfile FILE       --src-authfile FILE       --dest-authfile FILE
 *   --cert-dir DIR        --src-cert-dir DIR        --dest-cert-dir DIR
 *
 * A side's own flag wins over the unprefixed one. Without --cert-dir, the
 * per-registry directories of containers-certs.d(5) are read as podman and
 * skopeo read them. Passwords are never printed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeCreds, credentialResolver, credsNeedPassword, parseCreds, RegistryClient, type RegistryClientOptions, type Repository } from '@ocikit/distribution';
import type { DockerReference } from '@ocikit/transport';
import { UsageError } from './exit-codes.js';
import type { CommandIO } from './io.js';
import { flags, switchFlags, switchValue } from './options.js';
import { askSecret } from './prompt.js';

/** Which end of a copy a flag is for; undefined for commands with one registry. */
export type RegistrySide = 'src' | 'dest' | undefined;

/** The unprefixed registry flags. */
type Base = 'tls-verify' | 'creds' | 'no-creds' | 'authfile' | 'cert-dir';

/** The flags of a command with one registry (inspect, list-tags, delete, referrers, login). */
export const REGISTRY_FLAGS = {
  ...switchFlags('tls-verify'),
  ...flags('string', 'creds', 'authfile', 'cert-dir'),
  ...flags('boolean', 'no-creds'),
} as const;

/** The flags of copy: the unprefixed ones for both sides, and `src-`/`dest-` ones for each. */
export const COPY_REGISTRY_FLAGS = {
  ...REGISTRY_FLAGS,
  ...switchFlags('src-tls-verify', 'dest-tls-verify'),
  ...flags('string', 'src-creds', 'dest-creds', 'src-authfile', 'dest-authfile', 'src-cert-dir', 'dest-cert-dir'),
  ...flags('boolean', 'src-no-creds', 'dest-no-creds'),
} as const;

/** The help lines for REGISTRY_FLAGS (`sides` adds the src-/dest- forms, as copy has them). */
export function registryFlagsHelp(sides = false): string {
  const lines = [
    '  --tls-verify[=BOOL]  verify the registry\'s certificate (default true); false also allows plain http',
    '  --creds USER[:PASS]  credentials for the registry (asked for when PASS is left out, on a terminal)',
    '  --no-creds           access the registry anonymously',
    '  --authfile FILE      the auth file to read (default: $REGISTRY_AUTH_FILE, then containers\' and docker\'s files)',
    '  --cert-dir DIR       trust the CA certificates (*.crt) in DIR (default: the registry\'s certs.d directories)',
  ];
  if (sides) lines.push('  --src-… / --dest-…   each of these for one side of the copy (e.g. --dest-tls-verify=false, --src-creds U:P)');
  return lines.join('\n');
}

/** The value of a flag for a side: `--src-X` over `--X`. */
function pick(values: Record<string, unknown>, side: RegistrySide, name: Base): unknown {
  const own = side === undefined ? undefined : values[`${side}-${name}`];
  return own ?? values[name];
}

/**
 * containers-certs.d(5): per registry `HOST[:PORT]`, `*.crt` files are CA
 * roots, in the user's directory first, then /etc/containers, then
 * /etc/docker. (Client certificates, `*.cert` + `*.key`, are not used.)
 */
export function certsDirectories(registry: string, env: NodeJS.ProcessEnv): string[] {
  const home = env['HOME'] ?? os.homedir();
  const config = env['XDG_CONFIG_HOME'] ?? path.join(home, '.config');
  return [path.join(config, 'containers/certs.d', registry), path.join('/etc/containers/certs.d', registry), path.join('/etc/docker/certs.d', registry)];
}

/** The `*.crt` files of a directory, sorted; an unreadable --cert-dir is a usage error. */
function caFilesIn(dir: string, command: string, explicit: boolean): string[] {
  if (!existsSync(dir)) {
    if (explicit) throw new UsageError(`${command}: --cert-dir ${JSON.stringify(dir)}: no such directory`);
    return [];
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`${command}: ${JSON.stringify(dir)} is not a directory of certificates`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Ask for a password on the terminal without echoing it; `notTerminal` is
 * the usage message when standard input is no terminal.
 */
export function askPassword(io: CommandIO, command: string, notTerminal?: (username: string) => string): (username: string) => Promise<string> {
  return (username) => {
    const message = notTerminal?.(username) ?? `--creds ${username} names no password and standard input is not a terminal; give USER:PASSWORD`;
    return askSecret(io, `Password for ${username}: `, `${command}: ${message}`);
  };
}

/**
 * The client options for `registry` (`HOST[:PORT]`) from the parsed flags,
 * for one side of a copy or for a command's only registry.
 */
export async function registryClientOptions(command: string, values: Record<string, unknown>, registry: string, side: RegistrySide, io: CommandIO): Promise<RegistryClientOptions> {
  const flag = (name: Base) => (side !== undefined && values[`${side}-${name}`] !== undefined ? `${side}-${name}` : name);
  const tlsVerify = switchValue(command, flag('tls-verify'), pick(values, side, 'tls-verify') as string | undefined) ?? true;
  const certDir = pick(values, side, 'cert-dir') as string | undefined;
  const caFiles = certDir !== undefined ? caFilesIn(path.resolve(io.cwd, certDir), command, true) : certsDirectories(registry, io.env).flatMap((d) => caFilesIn(d, command, false));
  const creds = pick(values, side, 'creds') as string | undefined;
  const anonymous = pick(values, side, 'no-creds') === true;
  if (creds !== undefined && anonymous) throw new UsageError(`${command}: --${flag('creds')} and --${flag('no-creds')} contradict each other`);
  const authFile = pick(values, side, 'authfile') as string | undefined;
  const options: RegistryClientOptions = { tlsVerify, ...(caFiles.length > 0 && { caFiles }) };
  if (anonymous) return options;
  if (creds !== undefined) {
    return { ...options, credentials: credsNeedPassword(creds) ? await completeCreds(creds, askPassword(io, command)) : parseCreds(creds) };
  }
  return { ...options, credentials: credentialResolver({ env: io.env, ...(authFile !== undefined && { authFile: path.resolve(io.cwd, authFile) }) }) };
}

/**
 * The repository a docker:// reference names, with a client made from the
 * registry flags, and the tag or digest it names (`latest` when neither).
 * The caller closes the client.
 */
export async function openRepository(command: string, values: Record<string, unknown>, ref: DockerReference, io: CommandIO): Promise<{ repository: Repository; reference: string; client: RegistryClient }> {
  const { domain, path: name, tag, digest } = ref.reference;
  const client = new RegistryClient(domain, await registryClientOptions(command, values, domain, undefined, io));
  return { repository: client.repository(name), reference: digest ?? tag ?? 'latest', client };
}
