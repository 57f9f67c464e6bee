import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { describeWithPeers } from '../suites.js';
import { decodeJwtClaims } from './jwt.js';
import { startRegistry, TOKEN_ISSUER, TOKEN_SERVICE, type RunningRegistry } from './registry.js';
import { pushBlob } from './test-support/http.js';

const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface TokenBody {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
  refresh_token?: string;
  scope?: string;
}

async function getToken(registry: RunningRegistry, scopes: string[], headers: Record<string, string> = {}, extra = '') {
  const query = [`service=${TOKEN_SERVICE}`, ...scopes.map((s) => `scope=${encodeURIComponent(s)}`)].join('&');
  const res = await fetch(`${registry.tokenIssuer!.realm}?${query}${extra}`, { headers });
  return { status: res.status, body: (await res.json()) as TokenBody };
}

async function postToken(registry: RunningRegistry, form: Record<string, string>) {
  const res = await fetch(registry.tokenIssuer!.realm, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as TokenBody & { error?: string } };
}

const USERS = [
  { username: 'alice', password: 'alice-pass' },
  { username: 'bob', password: 'bob-pass', push: [] },
  { username: 'carol', password: 'carol-pass', pull: ['team/*'], push: ['team/*'] },
];

describeWithPeers(['docker-registry', 'openssl'], 'startRegistry with token auth', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'token', users: USERS } });
  });
  afterAll(() => registry?.stop());

  it('challenges with the issuer as realm, its service and the scope the request needs', async () => {
    const res = await fetch(`${registry.url}/v2/tests/token/blobs/uploads/`, { method: 'POST' });
    expect(res.status).toBe(401);
    // docker-registry lists the actions in no fixed order (pull,push or push,pull).
    const challenge = res.headers.get('www-authenticate') ?? '';
    const [, prefix, actions] = /^(Bearer realm="[^"]*",service="[^"]*",scope="repository:tests\/token:)([a-z,]+)"$/.exec(challenge) ?? [];
    expect([prefix, actions?.split(',').sort()]).toEqual([`Bearer realm="${registry.tokenIssuer!.realm}",service="${TOKEN_SERVICE}",scope="repository:tests/token:`, ['pull', 'push']]);
    expect(registry.tokenIssuer!.service).toBe(TOKEN_SERVICE);
    expect(registry.tokenIssuer!.issuer).toBe(TOKEN_ISSUER);
  });

  it('issues a token the registry accepts, carrying what was asked for', async () => {
    const before = registry.tokenIssuer!.issued;
    const { status, body } = await getToken(registry, ['repository:tests/token:pull,push'], basic('alice', 'alice-pass'));
    expect(status).toBe(200);
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBeGreaterThanOrEqual(60);
    expect(Number.isNaN(Date.parse(body.issued_at))).toBe(false);
    expect(registry.tokenIssuer!.issued).toBe(before + 1);
    const claims = decodeJwtClaims(body.token);
    expect(claims).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_SERVICE, sub: 'alice', access: [{ type: 'repository', name: 'tests/token', actions: ['pull', 'push'] }] });

    const data = randomBytes(3000);
    const pushed = await pushBlob(registry.url, 'tests/token', data, bearer(body.token));
    expect(pushed).toMatchObject({ postStatus: 202, putStatus: 201 });
    const back = await fetch(`${registry.url}/v2/tests/token/blobs/${pushed.digest}`, { headers: bearer(body.token) });
    expect(Buffer.from(await back.arrayBuffer()).equals(data)).toBe(true);
  });

  it('merges repeated scope parameters', async () => {
    const { body } = await getToken(registry, ['repository:a/one:pull', 'repository:a/two:pull', 'repository:a/one:push'], basic('alice', 'alice-pass'));
    expect(decodeJwtClaims(body.token).access).toEqual([
      { type: 'repository', name: 'a/one', actions: ['pull', 'push'] },
      { type: 'repository', name: 'a/two', actions: ['pull'] },
    ]);
  });

  it('gives a user without push a pull-only token, and the registry refuses its push', async () => {
    const { status, body } = await getToken(registry, ['repository:tests/token:pull,push'], basic('bob', 'bob-pass'));
    expect(status).toBe(200);
    expect(decodeJwtClaims(body.token).access).toEqual([{ type: 'repository', name: 'tests/token', actions: ['pull'] }]);
    expect(registry.tokenIssuer!.requests.at(-1)).toMatchObject({ method: 'GET', subject: 'bob', granted: 'repository:tests/token:pull', status: 200 });
    const res = await fetch(`${registry.url}/v2/tests/token/blobs/uploads/`, { method: 'POST', headers: bearer(body.token) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('limits a user to the repositories its patterns match', async () => {
    const { body } = await getToken(registry, ['repository:team/app:pull,push', 'repository:other/app:pull'], basic('carol', 'carol-pass'));
    expect(decodeJwtClaims(body.token).access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }]);
  });

  it('answers 401 to wrong credentials, naming no password', async () => {
    const res = await fetch(`${registry.tokenIssuer!.realm}?service=${TOKEN_SERVICE}&scope=repository:tests/token:pull`, { headers: basic('alice', 'nope') });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('nope');
    const record = registry.tokenIssuer!.requests.at(-1)!;
    expect(record.status).toBe(401);
    expect(record.subject).toBeUndefined();
  });

  it('gives an anonymous client a token granting nothing when anonymous pull is off', async () => {
    const { status, body } = await getToken(registry, ['repository:tests/token:pull']);
    expect(status).toBe(200);
    expect(decodeJwtClaims(body.token)).toMatchObject({ sub: '', access: [] });
    const res = await fetch(`${registry.url}/v2/tests/token/tags/list`, { headers: bearer(body.token) });
    expect(res.status).toBe(401);
  });

  it('refuses a token for another service', async () => {
    const res = await fetch(`${registry.tokenIssuer!.realm}?service=elsewhere&scope=repository:x:pull`, { headers: basic('alice', 'alice-pass') });
    expect(res.status).toBe(400);
  });

  it('does the OAuth2 password grant, with a refresh token for access_type=offline (identity tokens)', async () => {
    const first = await postToken(registry, { grant_type: 'password', username: 'alice', password: 'alice-pass', service: TOKEN_SERVICE, client_id: 'ocikit-tests', access_type: 'offline', scope: 'repository:tests/oauth:pull,push' });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toEqual(expect.any(String));
    expect(first.body.scope).toBe('repository:tests/oauth:pull,push');
    expect(registry.tokenIssuer!.requests.at(-1)).toMatchObject({ method: 'POST', grantType: 'password', subject: 'alice', refreshToken: true });

    // The refresh token alone (no password) gets new access tokens, for other scopes too.
    const second = await postToken(registry, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token!, service: TOKEN_SERVICE, client_id: 'ocikit-tests', scope: 'repository:tests/refreshed:pull,push' });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).toBeUndefined();
    expect(decodeJwtClaims(second.body.access_token)).toMatchObject({ sub: 'alice', access: [{ type: 'repository', name: 'tests/refreshed', actions: ['pull', 'push'] }] });
    const pushed = await pushBlob(registry.url, 'tests/refreshed', randomBytes(100), bearer(second.body.access_token));
    expect(pushed).toMatchObject({ postStatus: 202, putStatus: 201 });

    // oauth.md: refresh_token grant with access_type=offline hands back the same refresh token.
    const third = await postToken(registry, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token!, service: TOKEN_SERVICE, client_id: 'ocikit-tests', access_type: 'offline' });
    expect(third.body.refresh_token).toBe(first.body.refresh_token);
  });

  it('gives no refresh token to a password grant without access_type=offline', async () => {
    const res = await postToken(registry, { grant_type: 'password', username: 'bob', password: 'bob-pass', service: TOKEN_SERVICE, client_id: 'ocikit-tests', scope: 'repository:x:pull' });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
  });

  it('refuses unknown refresh tokens, wrong passwords, a missing client_id and unknown grants', async () => {
    const base = { service: TOKEN_SERVICE, client_id: 'ocikit-tests' };
    expect((await postToken(registry, { ...base, grant_type: 'refresh_token', refresh_token: 'made-up' })).body.error).toBe('invalid_grant');
    expect((await postToken(registry, { ...base, grant_type: 'password', username: 'alice', password: 'nope' })).status).toBe(401);
    expect((await postToken(registry, { service: TOKEN_SERVICE, grant_type: 'password', username: 'alice', password: 'alice-pass' })).status).toBe(400);
    expect((await postToken(registry, { ...base, grant_type: 'authorization_code' })).body.error).toBe('unsupported_grant_type');
  });

  it('returns a refresh token from GET with offline_token=true', async () => {
    const { body } = await getToken(registry, [], basic('alice', 'alice-pass'), '&offline_token=true&client_id=ocikit-tests');
    expect(body.refresh_token).toEqual(expect.any(String));
  });
});

describeWithPeers(['docker-registry', 'openssl'], 'startRegistry with token auth and anonymous pull', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'token', users: USERS, anonymousPull: true } });
  });
  afterAll(() => registry?.stop());

  it('lets an anonymous token pull but not push', async () => {
    const alice = await getToken(registry, ['repository:tests/public:pull,push'], basic('alice', 'alice-pass'));
    const data = randomBytes(2000);
    const pushed = await pushBlob(registry.url, 'tests/public', data, bearer(alice.body.token));
    expect(pushed.putStatus).toBe(201);

    const anonymous = await getToken(registry, ['repository:tests/public:pull,push']);
    expect(decodeJwtClaims(anonymous.body.token).access).toEqual([{ type: 'repository', name: 'tests/public', actions: ['pull'] }]);
    const back = await fetch(`${registry.url}/v2/tests/public/blobs/${pushed.digest}`, { headers: bearer(anonymous.body.token) });
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(data)).toBe(true);
    const push = await fetch(`${registry.url}/v2/tests/public/blobs/uploads/`, { method: 'POST', headers: bearer(anonymous.body.token) });
    expect(push.status).toBe(401);
  });
});
