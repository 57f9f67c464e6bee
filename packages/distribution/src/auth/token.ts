/**
 * Fetching a bearer token (distribution docs/spec/auth/token.md and
 * oauth.md). GET the realm with `service` and one `scope` per scope, with
 * Basic auth when the user has a password; with an identity (refresh) token,
 * POST the OAuth2 form `grant_type=refresh_token`. The token response is
 * small and bounded; its `token` (or `access_token`) lives `expires_in`
 * seconds, 60 when absent (token.md "Token Response Fields").
 */
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { isIdentityToken, type Credentials } from '../credentials/credentials.js';
import { responseError } from '../http/failures.js';
import { header, readBody, type HttpTransport } from '../http/transport.js';
import { redactUrl } from '../http/url.js';

/** Token responses are a few KB; a megabyte is generous and bounded. */
const TOKEN_RESPONSE_LIMIT = 1024 * 1024;
const MAX_REDIRECTS = 3;
/** token.md: a token is valid for 60 s when the server says nothing. */
const DEFAULT_EXPIRES_IN_S = 60;

export interface TokenRequest {
  realm: URL;
  service: string | undefined;
  scopes: readonly string[];
  credentials: Credentials | undefined;
  /** Sent as client_id in the OAuth2 form (oauth.md requires one). */
  clientId: string;
}

export interface Token {
  token: string;
  /** Epoch ms after which the token is not reused. */
  expiresAt: number;
}

export async function fetchToken(transport: HttpTransport, req: TokenRequest, now = Date.now): Promise<Token> {
  const creds = req.credentials;
  let url = new URL(req.realm);
  let method = 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: Uint8Array | undefined;
  if (creds && isIdentityToken(creds)) {
    // oauth.md "Refresh token format": trade the identity token for an access token.
    method = 'POST';
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: req.clientId });
    if (req.service !== undefined) form.set('service', req.service);
    if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '));
    body = Buffer.from(form.toString());
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (req.service !== undefined) url.searchParams.set('service', req.service);
    for (const scope of req.scopes) url.searchParams.append('scope', scope);
    if (creds) headers['authorization'] = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  }

  for (let hop = 0; ; hop++) {
    const res = await transport.send({ method, url, headers, ...(body ? { body } : {}) });
    const location = header(res, 'location');
    if (res.status >= 300 && res.status < 400 && location && hop < MAX_REDIRECTS && method === 'GET') {
      res.body.destroy();
      const next = new URL(location, url);
      // Credentials go only to the realm the challenge named, never to where it redirects.
      if (next.origin !== req.realm.origin) delete headers['authorization'];
      url = next;
      continue;
    }
    if (res.status === 401 || res.status === 403) {
      res.body.destroy();
      throw new RegistryError(
        RegistryErrorCode.Unauthorized,
        `token service ${redactUrl(req.realm)} refused ${creds ? 'the credentials' : 'anonymous access'} for ${req.scopes.join(' ') || 'the registry'}`,
        { status: res.status, url: redactUrl(req.realm) },
      );
    }
    if (res.status !== 200) {
      const text = await readBody(res, 64 * 1024).catch(() => undefined);
      throw responseError(method, url, res.status, text);
    }
    const raw = await readBody(res, TOKEN_RESPONSE_LIMIT, 'token response');
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(raw.toString('utf8')) as typeof doc;
    } catch {
      throw new RegistryError(RegistryErrorCode.Protocol, `${method} ${redactUrl(url)}: the token response is not JSON`, { url: redactUrl(url) });
    }
    const token = typeof doc.token === 'string' && doc.token ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (!token) throw new RegistryError(RegistryErrorCode.Protocol, `${method} ${redactUrl(url)}: the token response has no token`, { url: redactUrl(url) });
    const expiresIn = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_EXPIRES_IN_S;
    // Stop using a token a little before it expires: the request that carries it takes time too.
    const margin = Math.min(10, expiresIn / 10);
    return { token, expiresAt: now() + (expiresIn - margin) * 1000 };
  }
}
