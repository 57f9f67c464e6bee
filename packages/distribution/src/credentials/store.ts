/**
 * What `login` and `logout` change: the primary auth file (or the file
 * named by --authfile / $REGISTRY_AUTH_FILE), or the credential helper that
 * file names for the registry. Every other key of the file is kept as it
 * was; the file is replaced atomically, mode 0600, in directories created
 * 0700 (containers/image pkg/docker/config modifyJSON).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Credentials } from './credentials.js';
import { normalizeAuthFileKey, normalizeRegistry, primaryAuthFile, readAuthFile, validateKey, type AuthEntry, type AuthFile, type AuthFileOptions } from './auth-file.js';
import { writeFileAtomic } from './atomic-write.js';
import { CredentialsError, CredentialsErrorReason, isCredentialsError } from './errors.js';
import { helperErase, helperStore, type HelperOptions } from './helper.js';

/** Where `saveCredentials` put the credentials. */
export interface SavedCredentials {
  /** The auth file that was written, or that names the helper. */
  readonly file: string;
  /** The helper (`NAME` of docker-credential-NAME) that holds them, when one does. */
  readonly helper?: string;
}

const helperOptions = (o: AuthFileOptions): HelperOptions => ({ env: o.env, timeoutMs: o.helperTimeoutMs });

/** The helper a file names for `key`: its credHelpers entry, else its credsStore (registries only). */
function helperFor(content: AuthFile, key: string, namespaced: boolean): string | undefined {
  const helper = content.credHelpers[key] ?? (namespaced ? undefined : content.credsStore);
  return helper;
}

function namespacedHelperError(key: string, file: string, helper: string): CredentialsError {
  return new CredentialsError(CredentialsErrorReason.InvalidKey, `${JSON.stringify(key)}: credential helper docker-credential-${helper} (named in ${file}) stores registries, not namespaces`);
}

async function writeAuthFile(content: AuthFile): Promise<void> {
  const raw = content.raw;
  raw['auths'] = content.auths;
  try {
    await mkdir(path.dirname(content.path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(content.path, `${JSON.stringify(raw, null, '\t')}\n`, 0o600);
  } catch (err) {
    throw new CredentialsError(CredentialsErrorReason.FileAccess, `${JSON.stringify(content.path)}: cannot write the auth file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

function fileToEdit(options: AuthFileOptions): AuthFile {
  return readAuthFile(primaryAuthFile(options, true));
}

/**
 * Store credentials for `registry` (`HOST[:PORT]`, or a namespace or
 * repository in it) as `skopeo login` / `podman login` do.
 */
export async function saveCredentials(registry: string, creds: Credentials, options: AuthFileOptions = {}): Promise<SavedCredentials> {
  const namespaced = validateKey(registry);
  if (!('identityToken' in creds)) {
    // `auth` is USER:PASSWORD split at the first ':': such a user would not read back.
    if (creds.username === '' || creds.username.includes(':')) throw new CredentialsError(CredentialsErrorReason.InvalidCreds, `login to ${registry}: expected a non-empty user name without ':'`);
  }
  const content = fileToEdit(options);
  const helper = helperFor(content, registry, namespaced);
  const namespaceHelper = namespaced ? content.credHelpers[registry.split('/', 1)[0] ?? ''] : undefined;
  if (namespaceHelper !== undefined) throw namespacedHelperError(registry, content.path, namespaceHelper);
  if (helper !== undefined) {
    await helperStore(helper, registry, creds, helperOptions(options));
    return { file: content.path, helper };
  }
  const entry: AuthEntry = 'identityToken' in creds ? { identitytoken: creds.identityToken } : { auth: Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64') };
  content.auths[registry] = entry;
  await writeAuthFile(content);
  return { file: content.path };
}

/**
 * Erase from the file's `credsStore`. A store that is not installed holds
 * nothing here (resolveCredentials passes over it the same way), so it
 * cannot stand in the way of removing the file's own entries.
 */
async function storeErase(store: string, key: string, options: AuthFileOptions): Promise<boolean> {
  try {
    return await helperErase(store, key, helperOptions(options));
  } catch (err) {
    if (isCredentialsError(err, CredentialsErrorReason.HelperMissing)) return false;
    throw err;
  }
}

/** The auths keys that stand for `key`: itself, and for a registry its URL forms. */
function keysFor(content: AuthFile, key: string, namespaced: boolean): string[] {
  const host = normalizeRegistry(key);
  return Object.keys(content.auths).filter((k) => k === key || (!namespaced && /^https?:\/\//.test(k) && normalizeAuthFileKey(k, false) === host));
}

/**
 * Remove the credentials for `registry` (`logout REGISTRY`): its entry in
 * the file, and what the file's helper for it holds.
 *
 * @throws CredentialsError `not-logged-in` when nothing was stored for it
 */
export async function removeCredentials(registry: string, options: AuthFileOptions = {}): Promise<void> {
  const namespaced = validateKey(registry);
  const content = fileToEdit(options);
  let loggedIn = false;
  const helper = helperFor(content, registry, namespaced);
  if (helper !== undefined) {
    loggedIn = content.credHelpers[registry] !== undefined ? await helperErase(helper, registry, helperOptions(options)) : await storeErase(helper, registry, options);
  }
  const keys = keysFor(content, registry, namespaced);
  for (const k of keys) delete content.auths[k];
  if (keys.length > 0) {
    loggedIn = true;
    await writeAuthFile(content);
  }
  if (!loggedIn) throw new CredentialsError(CredentialsErrorReason.NotLoggedIn, `not logged in to ${registry} (${content.path}${helper !== undefined ? `, credential helper docker-credential-${helper}` : ''})`);
}

/**
 * Remove every credential the file holds (`logout --all`): its `auths`,
 * and what its helpers hold for the registries it names. The helpers'
 * configuration (credHelpers, credsStore) and every other key stay.
 */
export async function removeAllCredentials(options: AuthFileOptions = {}): Promise<void> {
  const content = fileToEdit(options);
  if (!content.exists) return;
  for (const [registry, helper] of Object.entries(content.credHelpers)) await helperErase(helper, registry, helperOptions(options));
  if (content.credsStore !== undefined) {
    // Docker leaves an `auths` entry (often `{}`) for each registry it gave the store.
    for (const key of Object.keys(content.auths)) {
      if (key.includes('/') && !/^https?:\/\//.test(key)) continue;
      if (content.credHelpers[key] === undefined) await storeErase(content.credsStore, key, options);
    }
  }
  for (const k of Object.keys(content.auths)) delete content.auths[k];
  await writeAuthFile(content);
}
