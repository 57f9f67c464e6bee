/**
 * Who the client says it is, per registry. Requests start anonymous; the
 * first 401 teaches the scheme (token.md "How to authenticate"): Basic sends
 * the user's password to the registry itself, Bearer trades credentials for
 * a token at the realm the challenge names. Tokens are cached per scope set
 * until they expire; a later 401 re-challenges. Credentials leave only for
 * the registry and the challenge's realm: the caller attaches the header
 * only to requests for the registry's own origin.
 */
import { isIdentityToken, type CredentialResolver, type Credentials } from '../credentials/credentials.js';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { mergeScopes } from './scope.js';
import { TokenCache } from './token-cache.js';
import { fetchToken } from './token.js';

export interface AuthorizerOptions {
  registry: string;
  credentials: Credentials | CredentialResolver | undefined;
  transport: HttpTransport;
  clientId: string;
  /** Whether a token realm may be plain http (only when TLS verification is off). */
  allowHttpRealm: boolean;
}

export class Authorizer {
  readonly #options: AuthorizerOptions;
  readonly #tokens = new TokenCache();
  /** Token requests in flight, so parallel transfers needing the same scopes share one. */
  readonly #pending = new Map<string, Promise<string>>();
  #challenge: Challenge | undefined;
  #credentials: Promise<Credentials | undefined> | undefined;

  constructor(options: AuthorizerOptions) {
    this.#options = options;
  }

  /** The user's credentials for this registry, looked up once. */
  credentials(): Promise<Credentials | undefined> {
    const source = this.#options.credentials;
    this.#credentials ??= typeof source === 'function' ? source(this.#options.registry) : Promise.resolve(source);
    return this.#credentials;
  }

  /** The Authorization header for a request that needs `scopes`, once the registry's scheme is known; undefined before. */
  async header(scopes: readonly string[]): Promise<string | undefined> {
    const challenge = this.#challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') return this.#basic(await this.credentials());
    return this.#bearer(challenge, scopes, false);
  }

  /**
   * After a 401: learn its challenge and give the header to try once more
   * with, or undefined when there is nothing new to offer (no credentials
   * for Basic, an unknown scheme).
   */
  async respond(wwwAuthenticate: string | undefined, scopes: readonly string[]): Promise<string | undefined> {
    const challenges = parseChallenges(wwwAuthenticate);
    const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!challenge) return undefined;
    this.#challenge = challenge;
    if (challenge.scheme === 'basic') return this.#basic(await this.credentials());
    // The challenge's own scope says what the registry wants (e.g. error="insufficient_scope").
    const wanted = challenge.params['scope'] ? [...scopes, challenge.params['scope']] : scopes;
    return this.#bearer(challenge, wanted, true);
  }

  #basic(creds: Credentials | undefined): string | undefined {
    if (!creds || isIdentityToken(creds)) return undefined;
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  }

  async #bearer(challenge: Challenge, scopes: readonly string[], fresh: boolean): Promise<string> {
    const realmText = challenge.params['realm'];
    if (!realmText) {
      throw new RegistryError(RegistryErrorCode.Protocol, `registry ${this.#options.registry} sent a Bearer challenge without a realm`);
    }
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new RegistryError(RegistryErrorCode.Protocol, `registry ${this.#options.registry} sent a Bearer challenge whose realm is not a URL`);
    }
    // Plain http leaves the machine only without TLS verification; a loopback realm never leaves it.
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && (this.#options.allowHttpRealm || isLoopback(realm.hostname)))) {
      throw new RegistryError(
        RegistryErrorCode.Protocol,
        `registry ${this.#options.registry} names the token realm ${realm.origin}, which is not https; credentials are not sent there unless TLS verification is off (--tls-verify=false)`,
      );
    }
    const service = challenge.params['service'];
    const merged = mergeScopes(scopes);
    const key = `${realm.href} ${service ?? ''} ${merged.join(' ')}`;
    if (fresh) this.#tokens.delete(key);
    const cached = this.#tokens.get(key);
    if (cached) return `Bearer ${cached}`;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = (async () => {
        try {
          const token = await fetchToken(this.#options.transport, {
            realm,
            service,
            scopes: merged,
            credentials: await this.credentials(),
            clientId: this.#options.clientId,
          });
          this.#tokens.set(key, token);
          return token.token;
        } finally {
          this.#pending.delete(key);
        }
      })();
      this.#pending.set(key, pending);
    }
    return `Bearer ${await pending}`;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
