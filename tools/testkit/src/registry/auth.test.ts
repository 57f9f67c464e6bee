import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeWithPeers } from '../suites.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { pushBlob, rawRequest } from './test-support/http.js';

const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

describeWithPeers(['docker-registry', 'htpasswd'], 'startRegistry with htpasswd auth', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'htpasswd', users: [{ username: 'alice', password: 's3cret pass' }] } });
  });
  afterAll(() => registry?.stop());

  it('answers 401 with a Basic challenge without credentials', async () => {
    const res = await fetch(`${registry.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
  });

  it('answers 401 to a wrong password', async () => {
    const res = await fetch(`${registry.url}/v2/`, { headers: basic('alice', 'wrong') });
    expect(res.status).toBe(401);
  });

  it('serves the user with the right password, pushes included', async () => {
    const res = await fetch(`${registry.url}/v2/`, { headers: basic('alice', 's3cret pass') });
    expect(res.status).toBe(200);
    const data = randomBytes(5000);
    const pushed = await pushBlob(registry.url, 'tests/basic', data, basic('alice', 's3cret pass'));
    expect(pushed).toMatchObject({ postStatus: 202, putStatus: 201 });
    const back = await fetch(`${registry.url}/v2/tests/basic/blobs/${pushed.digest}`, { headers: basic('alice', 's3cret pass') });
    expect(Buffer.from(await back.arrayBuffer()).equals(data)).toBe(true);
  });
});

describeWithPeers(['docker-registry', 'openssl'], 'startRegistry with TLS', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
  });
  afterAll(() => registry?.stop());

  it('serves https with a certificate from its own CA', async () => {
    expect(registry.url).toBe(`https://${registry.host}`);
    const ca = await readFile(registry.caFile!, 'utf8');
    expect(ca).toBe(registry.caPem);
    const res = await rawRequest(`${registry.url}/v2/`, { ca });
    expect(res.status).toBe(200);
  });

  it('names localhost in the certificate too, and no other host', async () => {
    const asLocalhost = await rawRequest(`${registry.url}/v2/`, { ca: registry.caPem!, servername: 'localhost' });
    expect(asLocalhost.status).toBe(200);
    const asOther = await rawRequest(`${registry.url}/v2/`, { ca: registry.caPem!, servername: 'registry.example' });
    expect(asOther.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('is refused by a client that does not trust the CA', async () => {
    const res = await rawRequest(`${registry.url}/v2/`);
    expect(res.status).toBeUndefined();
    expect(res.error).toMatch(/SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|CERT/);
  });
});
