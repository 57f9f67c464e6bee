/**
 * Finding the credentials for a registry (and repository): the auth files in
 * order, and in each file its credential helper for the registry, its
 * default store, then its `auths` entries.
 */
import type { BasicCredentials, CredentialResolver, Credentials } from './credentials.js';
import { authFileSearchPaths, authKeysForKey, normalizeAuthFileKey, normalizeRegistry, readAuthFile, validateKey, type AuthEntry, type AuthFileOptions } from './auth-file.js';
import { CredentialsError, CredentialsErrorReason, isCredentialsError } from './errors.js';
import { helperGet, type HelperOptions } from './helper.js';
import { sealCredentials } from './sealed.js';

/** What to find credentials for: a registry host (`HOST[:PORT]`), optionally a repository in it. */
export interface CredentialsReference {
  registry: string;
  /** `namespace/name`: lets a namespaced key (`registry/namespace`) win over the registry's. */
  repository?: string | undefined;
}

/** The key Docker uses for docker.io in its own files and helpers. */
export const DOCKER_IO_LEGACY_KEY = 'https://index.docker.io/v1/';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The credentials of one `auths` entry, or undefined for an entry without
 * any (Docker writes `{}` beside a credential helper). `auth` is
 * base64("USER:PASSWORD"), split at the first ':'; an `identitytoken`
 * (an OAuth2 refresh token) is preferred when present.
 */
export function decodeAuthEntry(file: string, key: string, entry: AuthEntry): Credentials | undefined {
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') return sealCredentials({ identityToken: entry.identitytoken });
  if (typeof entry.auth !== 'string' || entry.auth === '') return undefined;
  if (!BASE64.test(entry.auth)) throw new CredentialsError(CredentialsErrorReason.MalformedFile, `${JSON.stringify(file)}: expected auths[${JSON.stringify(key)}].auth to be base64 of USER:PASSWORD, found text that is not base64`);
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Without a colon the entry is skipped, as Docker and containers/image do.
  if (colon === -1) return undefined;
  // containers/image trims NULs that some writers leave after the password.
  return sealCredentials({ username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '') });
}

function helperOptions(o: AuthFileOptions): HelperOptions {
  return { env: o.env, timeoutMs: o.helperTimeoutMs };
}

/**
 * The credentials for `reference`, or undefined when none are configured
 * (anonymous access). See README "Credentials" for the order.
 *
 * @throws CredentialsError when a file is malformed or unreadable, or a configured helper fails
 */
export async function resolveCredentials(reference: CredentialsReference, options: AuthFileOptions = {}): Promise<Credentials | undefined> {
  const { registry } = reference;
  const key = reference.repository ? `${registry}/${reference.repository}` : registry;
  validateKey(key);
  if (registry.includes('/')) throw new CredentialsError(CredentialsErrorReason.InvalidKey, `${JSON.stringify(registry)}: expected a registry host (HOST[:PORT]), found a path`);
  for (const { path: file, legacy } of authFileSearchPaths(options)) {
    const found = await credentialsInFile(file, legacy, key, registry, options);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function credentialsInFile(file: string, legacy: boolean, key: string, registry: string, options: AuthFileOptions): Promise<Credentials | undefined> {
  const content = readAuthFile(file, legacy);
  if (!content.exists) return undefined;
  // A helper named for the registry owns it: the file's auths are not read for it
  // (containers-auth.json(5); helpers hold registries, never namespaces).
  const helper = content.credHelpers[registry];
  if (helper !== undefined) return helperGet(helper, registry, helperOptions(options));
  // Docker's `credsStore`: the default helper for every other registry. A
  // config.json copied from another machine often names one that is not
  // installed here (e.g. "desktop"); that costs only the store, not the file.
  if (content.credsStore !== undefined) {
    const fromStore = await storeGet(content.credsStore, registry, options);
    if (fromStore !== undefined) return fromStore;
  }
  // Exact keys first, most specific first; namespaced keys are not a
  // ~/.dockercfg feature.
  for (const candidate of legacy ? [registry] : authKeysForKey(key)) {
    const entry = content.auths[candidate];
    if (entry !== undefined) return decodeAuthEntry(file, candidate, entry);
  }
  // Then keys written as URLs or under docker.io's other names.
  const wanted = normalizeRegistry(registry);
  for (const [candidate, entry] of Object.entries(content.auths)) {
    if (normalizeAuthFileKey(candidate, legacy) === wanted) return decodeAuthEntry(file, candidate, entry);
  }
  return undefined;
}

async function storeGet(store: string, registry: string, options: AuthFileOptions): Promise<Credentials | undefined> {
  try {
    const found = await helperGet(store, registry, helperOptions(options));
    // Docker itself keeps docker.io in its helpers under the old index URL.
    if (found === undefined && normalizeRegistry(registry) === 'index.docker.io') return await helperGet(store, DOCKER_IO_LEGACY_KEY, helperOptions(options));
    return found;
  } catch (err) {
    if (isCredentialsError(err, CredentialsErrorReason.HelperMissing)) return undefined;
    throw err;
  }
}

/**
 * A CredentialResolver for the registry client: resolveCredentials for the
 * registry host, with these options.
 */
export function credentialResolver(options: AuthFileOptions = {}): CredentialResolver {
  return (registry: string) => resolveCredentials({ registry }, options);
}

/** A resolver that always answers `creds` for `registry` (for `--creds`), and defers to `fallback` (default: none) otherwise. */
export function staticCredentialResolver(registry: string, creds: BasicCredentials | Credentials, fallback?: CredentialResolver): CredentialResolver {
  const sealed = sealCredentials(creds);
  return (host: string) => (host === registry ? Promise.resolve(sealed) : fallback ? fallback(host) : Promise.resolve(undefined));
}
