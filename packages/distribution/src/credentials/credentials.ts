/**
 * What a registry is offered to prove who the user is, and where it comes
 * from. The client core asks a `CredentialResolver` per registry host; the
 * auth-file and credential-helper readers implement one.
 */

/** A user name and password (or a registry token used as a password). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** An OAuth2 refresh token ("identitytoken" in auth files), traded at the token endpoint. */
export interface IdentityTokenCredentials {
  readonly identityToken: string;
}

export type Credentials = BasicCredentials | IdentityTokenCredentials;

/**
 * The credentials for a registry host (`HOST[:PORT]`, as in a reference), or
 * undefined for anonymous access. Called at most once per host per client.
 */
export type CredentialResolver = (registry: string) => Promise<Credentials | undefined>;

export function isIdentityToken(c: Credentials): c is IdentityTokenCredentials {
  return 'identityToken' in c;
}
