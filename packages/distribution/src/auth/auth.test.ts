/** Auth against a real docker-registry: htpasswd (Basic) and token (Bearer) with the testkit's issuer. */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithPeers, rejection, type RunningRegistry, startRegistry } from '@ocikit/testkit';
import { RegistryClient } from '../client/registry-client.js';
import { RegistryErrorCode } from '../errors.js';
import { collect, EMPTY_CONFIG, manifestOf, testBlob } from '../test-support/content.js';

const PASSWORD = 'correct horse battery staple';
const WRONG = 'Tr0ub4dor&3-wrong';

describeWithPeers(['docker-registry', 'htpasswd'], 'Basic auth (htpasswd)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'htpasswd', users: [{ username: 'alice', password: PASSWORD }] } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes and pulls with the password, after an anonymous first try', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: (host) => Promise.resolve(host === registry.host ? { username: 'alice', password: PASSWORD } : undefined) });
    await client.ping();
    const blob = testBlob(20_000);
    const repo = client.repository('basic/a');
    await expect(repo.pushBlob(blob.desc, blob.open, { chunkSize: 8192 })).resolves.toBe('uploaded');
    expect(await collect(repo.fetchBlob(blob.desc))).toEqual(blob.bytes);
    client.close();
  });

  it('fails a wrong password with one clear Unauthorized error that holds no password', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { username: 'alice', password: WRONG } });
    const err = await rejection(client.repository('basic/a').resolve('latest'));
    client.close();
    expect(err).toMatchObject({ code: RegistryErrorCode.Unauthorized, status: 401 });
    expect(err.message).toBe(`registry ${registry.host} refused the credentials for repository basic/a`);
    expect(JSON.stringify({ err, message: err.message, stack: err.stack })).not.toContain(WRONG);
    expect(JSON.stringify(err)).not.toContain(Buffer.from(`alice:${WRONG}`).toString('base64'));
  });

  it('says that credentials are missing when there are none', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false });
    const err = await rejection(client.ping());
    client.close();
    expect(err).toMatchObject({ code: RegistryErrorCode.Unauthorized });
    expect(err.message).toContain('no credentials were found');
  });
});

describeWithPeers(['docker-registry', 'openssl'], 'Bearer tokens (token auth)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({
      auth: {
        kind: 'token',
        anonymousPull: false,
        users: [
          { username: 'alice', password: PASSWORD },
          { username: 'reader', password: PASSWORD, push: [], pull: ['*'] },
        ],
      },
    });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('trades the password for tokens per scope set, caches them, and asks pull on the source of a mount', async () => {
    const issuer = registry.tokenIssuer!;
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { username: 'alice', password: PASSWORD } });
    const repo = client.repository('token/a');
    const blob = testBlob(30_000);
    const start = issuer.requests.length;
    await expect(repo.pushBlob(blob.desc, blob.open)).resolves.toBe('uploaded');
    await repo.pushBlob(EMPTY_CONFIG.desc, EMPTY_CONFIG.open);
    const m = manifestOf([blob.desc]);
    await repo.putManifest('v1', m.bytes, m.mediaType);
    const pushTokens = issuer.requests.slice(start);
    // One token for repository:token/a:pull,push, reused by every later request with that need.
    expect(pushTokens.map((r) => [r.method, r.subject, r.scopes])).toEqual([['GET', 'alice', ['repository:token/a:pull,push']]]);

    expect(await collect(repo.fetchBlob(blob.desc))).toEqual(blob.bytes);
    await expect(repo.resolve('v1')).resolves.toMatchObject({ size: m.bytes.length });
    expect(issuer.requests.slice(start + 1).map((r) => r.scopes)).toEqual([['repository:token/a:pull']]);

    const mountStart = issuer.requests.length;
    await expect(client.repository('token/b').pushBlob(blob.desc, blob.open, { mountFrom: ['token/a'] })).resolves.toBe('mounted');
    expect(issuer.requests.slice(mountStart).map((r) => r.scopes)).toContainEqual(['repository:token/a:pull', 'repository:token/b:pull,push']);
    client.close();
  });

  it('refuses a wrong password at the token service with one Unauthorized error that holds no password', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { username: 'alice', password: WRONG } });
    const err = await rejection(client.repository('token/a').resolve('v1'));
    client.close();
    expect(err).toMatchObject({ code: RegistryErrorCode.Unauthorized });
    expect(err.message).toBe(`registry ${registry.host} refused the credentials for repository token/a`);
    expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain(WRONG);
  });

  it('is denied push where the token grants only pull', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { username: 'reader', password: PASSWORD } });
    const blob = testBlob(100);
    const err = await rejection(client.repository('token/c').pushBlob(blob.desc, blob.open));
    client.close();
    expect(err).toMatchObject({ code: RegistryErrorCode.Denied });
    expect(err.message).toMatch(new RegExp(`^registry ${registry.host} did not grant repository:token/c:(pull,push|push,pull) to these credentials$`));
  });

  it('shares one token among parallel requests with the same needs', async () => {
    const issuer = registry.tokenIssuer!;
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { username: 'alice', password: PASSWORD } });
    await client.ping();
    const start = issuer.requests.length;
    const repo = client.repository('token/a');
    await Promise.all(Array.from({ length: 4 }, () => repo.resolve('v1')));
    expect(issuer.requests.slice(start).map((r) => r.scopes)).toEqual([['repository:token/a:pull']]);
    client.close();
  });

  it('asks the token service anonymously without credentials, and says none were found when refused', async () => {
    const issuer = registry.tokenIssuer!;
    const client = new RegistryClient(registry.host, { tlsVerify: false });
    const start = issuer.requests.length;
    const err = await rejection(client.repository('token/a').resolve('v1'));
    client.close();
    expect(err).toMatchObject({ code: RegistryErrorCode.Unauthorized });
    expect(err.message).toBe(`registry ${registry.host} requires authentication for repository token/a, and no credentials were found (log in first)`);
    expect(issuer.requests.slice(start).map((r) => [r.method, r.subject])).toEqual([['GET', '']]);
  });

  it('uses an identity token through the OAuth2 refresh_token grant', async () => {
    const issuer = registry.tokenIssuer!;
    // How a login obtains an identity token: a password grant asking for offline access (oauth.md).
    const form = new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD, service: issuer.service, client_id: 'ocikit-test', access_type: 'offline' });
    const got = (await (await fetch(issuer.realm, { method: 'POST', body: form })).json()) as { refresh_token: string };
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { identityToken: got.refresh_token } });
    const start = issuer.requests.length;
    await expect(client.repository('token/a').resolve('v1')).resolves.toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    expect(issuer.requests.slice(start).map((r) => [r.method, r.grantType, r.subject])).toEqual([['POST', 'refresh_token', 'alice']]);
    client.close();
  });
});
