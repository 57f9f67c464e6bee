/**
 * Auth files: where they are and what is in them (containers-auth.json(5),
 * containers/image pkg/docker/config, Docker's config.json).
 *
 * Search order when no file is named (containers-auth.json(5), DESCRIPTION):
 *   1. the primary (read/write) file: ${XDG_RUNTIME_DIR}/containers/auth.json
 *      (without XDG_RUNTIME_DIR: /run/containers/UID/auth.json, as
 *      containers/image does on Linux; elsewhere ~/.config/containers/auth.json)
 *   2. ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json
 *   3. ~/.docker/config.json ($DOCKER_CONFIG/config.json when set)
 *   4. ~/.dockercfg (legacy format: the `auths` map at the top level)
 * An explicit file (`--authfile`, or $REGISTRY_AUTH_FILE, which skopeo and
 * podman take as the default of --authfile) replaces the whole search.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileError, readJsonText, readRegularFile, type Limit } from '@ocikit/validation';
import { CredentialsError, CredentialsErrorReason } from './errors.js';

/** Where credentials are looked for and written. */
export interface AuthFileOptions {
  /** Use this file only (as `--authfile`): no search. */
  authFile?: string | undefined;
  /** Environment to read REGISTRY_AUTH_FILE, XDG_*, DOCKER_CONFIG, HOME and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Home directory (default $HOME, else the OS's). */
  homeDir?: string | undefined;
  /** Milliseconds a credential helper may take (default 30000). */
  helperTimeoutMs?: number | undefined;
}

/** One file of the search. */
export interface AuthFilePath {
  readonly path: string;
  /** ~/.dockercfg: registries at the top level, keys are URLs. */
  readonly legacy: boolean;
}

/** An auth file entry (`auths.KEY`). */
export interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [other: string]: unknown;
}

/** A parsed auth file; `raw` is the whole document, kept so a rewrite loses none of its keys. */
export interface AuthFile {
  readonly path: string;
  readonly exists: boolean;
  readonly raw: Record<string, unknown>;
  readonly auths: Record<string, AuthEntry>;
  readonly credHelpers: Record<string, string>;
  readonly credsStore: string | undefined;
}

/** An auth file is a few kilobytes; a larger one is refused, not read whole. */
export const AUTH_FILE_LIMIT: Limit = { name: 'MAX_AUTH_FILE_BYTES', value: 4 << 20, unit: 'bytes' };

const env = (o: AuthFileOptions): NodeJS.ProcessEnv => o.env ?? process.env;
const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

export function homeDirOf(o: AuthFileOptions): string {
  return o.homeDir ?? nonEmpty(env(o)['HOME']) ?? os.homedir();
}

/** The file named by the caller or by $REGISTRY_AUTH_FILE, if any. */
export function explicitAuthFile(o: AuthFileOptions): string | undefined {
  return nonEmpty(o.authFile) ?? nonEmpty(env(o)['REGISTRY_AUTH_FILE']);
}

/**
 * The primary (read/write) auth file: the one `login` writes and `logout`
 * edits. With `forWrite`, an XDG_RUNTIME_DIR that names no directory is an
 * error (containers/image refuses it too: a typo would hide the file).
 */
export function primaryAuthFile(o: AuthFileOptions = {}, forWrite = false): string {
  const explicit = explicitAuthFile(o);
  if (explicit !== undefined) return explicit;
  if (process.platform !== 'linux') return path.join(homeDirOf(o), '.config', 'containers', 'auth.json');
  const runtimeDir = nonEmpty(env(o)['XDG_RUNTIME_DIR']);
  if (runtimeDir !== undefined) {
    if (forWrite && !existsSync(runtimeDir)) {
      throw new CredentialsError(CredentialsErrorReason.FileAccess, `${JSON.stringify(runtimeDir)} (set by $XDG_RUNTIME_DIR) does not exist: create it, unset XDG_RUNTIME_DIR, or name an auth file`);
    }
    return path.join(runtimeDir, 'containers', 'auth.json');
  }
  return `/run/containers/${process.getuid?.() ?? 0}/auth.json`;
}

/** The files searched for credentials, in order (see the module comment). */
export function authFileSearchPaths(o: AuthFileOptions = {}): AuthFilePath[] {
  const explicit = explicitAuthFile(o);
  if (explicit !== undefined) return [{ path: explicit, legacy: false }];
  const home = homeDirOf(o);
  const e = env(o);
  const paths: AuthFilePath[] = [];
  const runtimeDir = nonEmpty(e['XDG_RUNTIME_DIR']);
  // A missing XDG_RUNTIME_DIR only costs the primary file when reading (containers/image warns and goes on).
  if (runtimeDir === undefined || existsSync(runtimeDir) || process.platform !== 'linux') paths.push({ path: primaryAuthFile(o), legacy: false });
  const configHome = nonEmpty(e['XDG_CONFIG_HOME']) ?? path.join(home, '.config');
  paths.push({ path: path.join(configHome, 'containers', 'auth.json'), legacy: false });
  const dockerConfig = nonEmpty(e['DOCKER_CONFIG']);
  paths.push({ path: dockerConfig !== undefined ? path.join(dockerConfig, 'config.json') : path.join(home, '.docker', 'config.json'), legacy: false });
  paths.push({ path: path.join(home, '.dockercfg'), legacy: true });
  // On macOS/Windows the primary file is ~/.config/containers/auth.json, which is also step 2.
  return paths.filter((p, i) => paths.findIndex((q) => q.path === p.path) === i);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function malformed(file: string, what: string): CredentialsError {
  return new CredentialsError(CredentialsErrorReason.MalformedFile, `${JSON.stringify(file)}: ${what}`);
}

/**
 * Read and check an auth file. A missing file reads as empty (`exists`
 * false). Errors name the file and the key, never a value: the values are
 * secrets.
 */
export function readAuthFile(file: string, legacy = false): AuthFile {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file, AUTH_FILE_LIMIT);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: file, exists: false, raw: {}, auths: {}, credHelpers: {}, credsStore: undefined };
    if (err instanceof FileError) throw new CredentialsError(CredentialsErrorReason.FileAccess, `auth file ${err.message}`);
    throw new CredentialsError(CredentialsErrorReason.FileAccess, `${JSON.stringify(file)}: cannot read the auth file (${code ?? (err as Error).message})`, { cause: err });
  }
  const json = readJsonText(bytes, { duplicateKeys: 'warning' });
  // The reader's syntax message quotes the text, which holds secrets: name only the finding's code.
  if (!json.parsed) throw malformed(file, `expected an auth file (JSON), found text that is not JSON (${json.errors[0]?.code ?? 'JSON_SYNTAX'})`);
  if (!isObject(json.value)) throw malformed(file, 'expected a JSON object at the top level');
  const raw = json.value;
  const authsValue = legacy ? raw : (raw['auths'] ?? {});
  if (!isObject(authsValue)) throw malformed(file, 'expected "auths" to be an object');
  for (const [key, entry] of Object.entries(authsValue)) {
    if (!isObject(entry)) throw malformed(file, `expected auths[${JSON.stringify(key)}] to be an object`);
    for (const field of ['auth', 'identitytoken'] as const) {
      if (entry[field] !== undefined && entry[field] !== null && typeof entry[field] !== 'string') throw malformed(file, `expected auths[${JSON.stringify(key)}].${field} to be a string`);
    }
  }
  const helpersValue = legacy ? {} : (raw['credHelpers'] ?? {});
  if (!isObject(helpersValue)) throw malformed(file, 'expected "credHelpers" to be an object');
  for (const [key, helper] of Object.entries(helpersValue)) {
    if (typeof helper !== 'string') throw malformed(file, `expected credHelpers[${JSON.stringify(key)}] to be a helper name (a string)`);
  }
  const store = legacy ? undefined : raw['credsStore'];
  if (store !== undefined && typeof store !== 'string') throw malformed(file, 'expected "credsStore" to be a helper name (a string)');
  return {
    path: file,
    exists: true,
    raw,
    auths: authsValue as Record<string, AuthEntry>,
    credHelpers: helpersValue as Record<string, string>,
    credsStore: nonEmpty(store),
  };
}

/** docker.io under its other names (containers/image normalizeRegistry). */
export function normalizeRegistry(registry: string): string {
  return registry === 'docker.io' || registry === 'registry-1.docker.io' ? 'index.docker.io' : registry;
}

/**
 * The registry a key written as a URL stands for: `https://index.docker.io/v1/`
 * is docker.io; `http://host/...` is host. Docker wrote such keys for
 * years, and ~/.dockercfg has nothing else.
 */
export function normalizeAuthFileKey(key: string, legacy: boolean): string {
  let stripped = key.replace(/^https?:\/\//, '');
  if (legacy || stripped !== key) stripped = stripped.split('/', 1)[0] ?? stripped;
  return normalizeRegistry(stripped);
}

/**
 * The keys that may hold credentials for `key`, most specific first
 * (containers-auth.json(5), FORMAT): host/a/b/c, host/a/b, host/a, host.
 */
export function authKeysForKey(key: string): string[] {
  const keys = [key];
  for (let i = key.lastIndexOf('/'); i > 0; i = key.lastIndexOf('/', i - 1)) keys.push(key.slice(0, i));
  return keys;
}

/**
 * Check a key given to login/logout or a lookup: a registry host, or a
 * repository or namespace within one; no scheme, tag or digest
 * (containers/image validateKey). True when it is namespaced.
 */
export function validateKey(key: string): boolean {
  if (key === '') throw new CredentialsError(CredentialsErrorReason.InvalidKey, 'expected a registry (HOST[:PORT][/NAMESPACE...]), found an empty string');
  if (/^https?:\/\//.test(key)) throw new CredentialsError(CredentialsErrorReason.InvalidKey, `${JSON.stringify(key)}: expected a registry without http[s]://`);
  if (key.includes('@')) throw new CredentialsError(CredentialsErrorReason.InvalidKey, `${JSON.stringify(key)}: expected a registry or repository, found a digest ('@')`);
  const slash = key.indexOf('/');
  if (slash !== -1 && key.slice(slash + 1).includes(':')) throw new CredentialsError(CredentialsErrorReason.InvalidKey, `${JSON.stringify(key)}: expected a registry or repository, found a tag (':' after HOST[:PORT])`);
  return slash !== -1;
}
