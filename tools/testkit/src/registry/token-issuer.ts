/**
 * A small authorization server for docker-registry's token auth, on loopback:
 * - GET /token?service=S&scope=...&scope=... with optional Basic credentials
 *   (distribution docs/spec/auth/token.md, "Requesting a Token");
 *   `offline_token=true` adds a refresh token;
 * - POST /token, form-encoded, grant_type=password or refresh_token
 *   (docs/spec/auth/oauth.md, "Getting a token"); `access_type=offline`
 *   returns a refresh token, which is how identity-token credentials work.
 * The token holds requested ∩ allowed (scopes.ts) and is an ES256 JWT the
 * registry verifies through its `x5c` chain (jwt.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signJwt, type JwtSigner, type ResourceActions } from './jwt.js';
import { formatScopes, grantAccess, matchesRepository, parseScopes, type AccessPolicy } from './scopes.js';
import type { RegistryUser } from './users.js';

export interface TokenIssuerOptions {
  readonly users: readonly RegistryUser[];
  /** Whether a request without credentials gets pull access (else a token granting nothing). */
  readonly anonymousPull?: boolean;
  /** The registry's `auth.token.service`: the token's audience. */
  readonly service: string;
  /** The registry's `auth.token.issuer`: the token's `iss`. */
  readonly issuer: string;
  readonly signer: JwtSigner;
  /** Lifetime of access tokens in seconds (token.md: never below 60). Default 300. */
  readonly expiresIn?: number;
}

/** One request to the issuer, for assertions. Holds no credential. */
export interface TokenRequestRecord {
  method: string;
  /** `password`, `refresh_token`, ... for POST. */
  grantType?: string;
  /** The authenticated user, '' when anonymous; undefined when authentication failed. */
  subject?: string;
  /** The scope parameters as sent. */
  scopes: string[];
  status?: number;
  /** The granted access, in scope syntax. */
  granted?: string;
  /** Whether a refresh token was returned. */
  refreshToken?: boolean;
}

export interface RunningTokenIssuer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The token endpoint, the challenge's `realm`. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** Access tokens issued so far. */
  readonly issued: number;
  /** Every request so far, oldest first. */
  readonly requests: readonly TokenRequestRecord[];
  stop(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`token request refused with ${status}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Refusal(413, { error: 'invalid_request', error_description: 'form too large' }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.once('error', reject);
  });
}

/** What a subject may do. Push brings delete: docker-registry v2.8 asks for `delete` on DELETE. */
function policyFor(user: RegistryUser | undefined, anonymousPull: boolean): AccessPolicy {
  return (type, name) => {
    const actions = new Set<string>();
    if (type === 'repository') {
      if (user === undefined) {
        if (anonymousPull) actions.add('pull');
      } else {
        if (matchesRepository(user.pull ?? ['*'], name)) actions.add('pull');
        if (matchesRepository(user.push ?? ['*'], name)) actions.add('push').add('delete');
      }
    } else if (type === 'registry' && name === 'catalog' && user !== undefined) {
      actions.add('*');
    }
    return actions;
  };
}

/** Starts the issuer on a free loopback port. */
export async function startTokenIssuer(options: TokenIssuerOptions): Promise<RunningTokenIssuer> {
  const expiresIn = Math.max(60, options.expiresIn ?? 300);
  const refreshTokens = new Map<string, string>(); // refresh token -> username
  const requests: TokenRequestRecord[] = [];
  let issued = 0;

  const findUser = (username: string, password: string): RegistryUser | undefined =>
    options.users.find((u) => u.username === username && u.password === password);

  const accessToken = (subject: string, access: ResourceActions[]) => {
    const now = Math.floor(Date.now() / 1000);
    issued += 1;
    return signJwt(
      { iss: options.issuer, sub: subject, aud: options.service, exp: now + expiresIn, nbf: now, iat: now, jti: randomBytes(16).toString('hex'), access },
      options.signer,
    );
  };

  const checkService = (service: string | null) => {
    // A client that names another audience has read the wrong challenge.
    if (service !== null && service !== options.service) {
      throw new Refusal(400, { error: 'invalid_request', error_description: `unknown service ${JSON.stringify(service)}` });
    }
  };

  const newRefreshToken = (username: string) => {
    const token = randomBytes(24).toString('base64url');
    refreshTokens.set(token, username);
    return token;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, record: TokenRequestRecord) {
    const url = new URL(req.url ?? '/', 'http://issuer.invalid');
    if (url.pathname !== '/token') throw new Refusal(404, { error: 'not_found' });
    let user: RegistryUser | undefined;
    let scopeValues: string[];
    let giveRefresh = false;
    let keepRefresh: string | undefined;

    if (req.method === 'GET') {
      scopeValues = url.searchParams.getAll('scope');
      record.scopes = scopeValues;
      checkService(url.searchParams.get('service'));
      const authorization = req.headers.authorization;
      if (authorization !== undefined) {
        const match = /^Basic\s+(\S+)$/i.exec(authorization);
        const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
        const colon = decoded.indexOf(':');
        user = colon > 0 ? findUser(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
        // token.md: failed authentication is a 401, not an anonymous token.
        if (user === undefined) {
          throw new Refusal(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication failed' }] }, { 'www-authenticate': `Basic realm="${options.service}"` });
        }
      }
      giveRefresh = url.searchParams.get('offline_token') === 'true' && user !== undefined;
    } else if (req.method === 'POST') {
      const form = await readForm(req);
      const grantType = form.get('grant_type') ?? '';
      record.grantType = grantType;
      scopeValues = form.getAll('scope');
      record.scopes = scopeValues;
      checkService(form.get('service'));
      if (!form.get('service')) throw new Refusal(400, { error: 'invalid_request', error_description: 'service is required' });
      if (!form.get('client_id')) throw new Refusal(400, { error: 'invalid_request', error_description: 'client_id is required' });
      if (grantType === 'password') {
        user = findUser(form.get('username') ?? '', form.get('password') ?? '');
        if (user === undefined) throw new Refusal(401, { error: 'invalid_grant', error_description: 'authentication failed' });
        giveRefresh = form.get('access_type') === 'offline';
      } else if (grantType === 'refresh_token') {
        const presented = form.get('refresh_token') ?? '';
        const username = refreshTokens.get(presented);
        user = options.users.find((u) => u.username === username);
        if (user === undefined) throw new Refusal(401, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        // oauth.md: with grant_type=refresh_token, access_type=offline returns the same refresh token.
        if (form.get('access_type') === 'offline') keepRefresh = presented;
      } else {
        throw new Refusal(400, { error: 'unsupported_grant_type' });
      }
    } else {
      throw new Refusal(405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });
    }

    record.subject = user?.username ?? '';
    const access = grantAccess(parseScopes(scopeValues), policyFor(user, options.anonymousPull === true));
    const token = accessToken(user?.username ?? '', access);
    const refresh = keepRefresh ?? (giveRefresh && user !== undefined ? newRefreshToken(user.username) : undefined);
    record.granted = formatScopes(access);
    record.refreshToken = refresh !== undefined;
    send(res, 200, {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: new Date().toISOString(),
      ...(req.method === 'POST' ? { scope: record.granted } : {}),
      ...(refresh !== undefined ? { refresh_token: refresh } : {}),
    });
    record.status = 200;
  }

  const server = createServer((req, res) => {
    const record: TokenRequestRecord = { method: req.method ?? '', scopes: [] };
    requests.push(record);
    handle(req, res, record).catch((error: unknown) => {
      const refusal = error instanceof Refusal ? error : new Refusal(500, { error: 'server_error', error_description: String(error) });
      record.status = refusal.status;
      if (!res.headersSent) send(res, refusal.status, refusal.body, refusal.headers);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    realm: `${url}/token`,
    service: options.service,
    issuer: options.issuer,
    get issued() {
      return issued;
    },
    requests,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
