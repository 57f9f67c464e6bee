/**
 * `--creds USER[:PASSWORD]` (skopeo): split at the first ':', so a password
 * may hold ':' and a user may not. An empty user is refused. Without a ':'
 * there is no password and the CLI asks for one (skopeo prompts on the
 * terminal); an empty password after the ':' is a password.
 */
import type { BasicCredentials } from './credentials.js';
import { CredentialsError, CredentialsErrorReason } from './errors.js';
import { sealCredentials } from './sealed.js';

/** `--creds` text split: the password is undefined when the text had no ':'. */
export interface CredsOption {
  readonly username: string;
  readonly password: string | undefined;
}

/** Split `--creds` text; refuses an empty user. Never echoes the text (it may be all password). */
export function splitCreds(text: string): CredsOption {
  const colon = text.indexOf(':');
  const username = colon === -1 ? text : text.slice(0, colon);
  if (username === '') throw new CredentialsError(CredentialsErrorReason.InvalidCreds, '--creds: expected USER[:PASSWORD] with a non-empty USER, found an empty user name');
  return { username, password: colon === -1 ? undefined : text.slice(colon + 1) };
}

/** True when `--creds` text has no password, so the CLI must ask for one. */
export function credsNeedPassword(text: string): boolean {
  return splitCreds(text).password === undefined;
}

/** `--creds USER:PASSWORD` as credentials; a text without a password is refused (see {@link completeCreds}). */
export function parseCreds(text: string): BasicCredentials {
  const { username, password } = splitCreds(text);
  if (password === undefined) throw new CredentialsError(CredentialsErrorReason.InvalidCreds, `--creds: expected USER:PASSWORD, found no password for user ${JSON.stringify(username)} (ask for it with completeCreds)`);
  return sealCredentials({ username, password });
}

/**
 * `--creds USER[:PASSWORD]` as credentials, asking `askPassword(username)`
 * for the password when the text has none (the CLI prompts without echo).
 */
export async function completeCreds(text: string, askPassword: (username: string) => Promise<string>): Promise<BasicCredentials> {
  const { username, password } = splitCreds(text);
  return sealCredentials({ username, password: password ?? (await askPassword(username)) });
}
