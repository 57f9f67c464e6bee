/**
 * Credentials handed out by this module carry their secret as an ordinary
 * field (a client reads it, a spread copies it), but print as redacted:
 * JSON.stringify, String() and util.inspect (console.log) never show it.
 */
import type { BasicCredentials, Credentials, IdentityTokenCredentials } from './credentials.js';

export const REDACTED = '<redacted>';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function describe(c: Credentials): Record<string, string> {
  return 'identityToken' in c ? { identityToken: REDACTED } : { username: c.username, password: REDACTED };
}

/** A frozen copy of `c` whose JSON, string and inspected forms hide the secret. */
export function sealCredentials(c: BasicCredentials): BasicCredentials;
export function sealCredentials(c: IdentityTokenCredentials): IdentityTokenCredentials;
export function sealCredentials(c: Credentials): Credentials;
export function sealCredentials(c: Credentials): Credentials {
  const copy: Record<string | symbol, unknown> = 'identityToken' in c ? { identityToken: c.identityToken } : { username: c.username, password: c.password };
  const hidden = { enumerable: false, writable: false, configurable: false } as const;
  Object.defineProperty(copy, 'toJSON', { ...hidden, value: () => describe(c) });
  Object.defineProperty(copy, 'toString', { ...hidden, value: () => ('identityToken' in c ? 'Credentials(identity token)' : `Credentials(username=${c.username})`) });
  Object.defineProperty(copy, INSPECT, { ...hidden, value: () => describe(c) });
  return Object.freeze(copy) as unknown as Credentials;
}
