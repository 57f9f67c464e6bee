/**
 * Credentials against a real registry (docker-registry with htpasswd, on
 * loopback): what `skopeo login` writes, ocikit reads and the client uses;
 * what ocikit writes, skopeo logs in with.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describeWithPeers, peerPath, startRegistry, testScratch, type RunningRegistry } from '@ocikit/testkit';
import { RegistryClient } from '../client/registry-client.js';
import { RegistryErrorCode } from '../errors.js';
import { testBlob } from '../test-support/content.js';
import { makeHome, type TestHome } from './__fixtures__/home.js';
import { credentialResolver, resolveCredentials } from './resolve.js';
import { saveCredentials } from './store.js';

const scratch = testScratch('cred-registry');
const USER = 'alice';
const PASSWORD = 'pass: with spaces';

function skopeo(h: TestHome, args: string[]): { status: number | null; stdout: string; stderr: string } {
  // stdin is empty: a skopeo that wants to prompt fails instead of waiting.
  const r = spawnSync(peerPath('skopeo'), args, { env: h.env, encoding: 'utf8', input: '', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

describeWithPeers(['docker-registry', 'htpasswd', 'skopeo'], 'credentials against a real registry with htpasswd', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'htpasswd', users: [{ username: USER, password: PASSWORD }] } });
  });
  afterAll(() => registry?.stop());

  it('skopeo login writes the file; resolveCredentials reads it and the client pushes with it', async () => {
    const h = makeHome(scratch.dir);
    const file = path.join(scratch.dir, 'auth.json');
    const login = skopeo(h, ['login', '--authfile', file, '-u', USER, '-p', PASSWORD, registry.host, '--tls-verify=false']);
    expect(login).toMatchObject({ status: 0 });
    expect(await resolveCredentials({ registry: registry.host }, { env: h.env, authFile: file })).toEqual({ username: USER, password: PASSWORD });
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: credentialResolver({ env: h.env, authFile: file }) });
    const b = testBlob(3000);
    try {
      await client.repository('creds/app').pushBlob(b.desc, b.open);
      await expect(client.repository('creds/app').statBlob(b.desc.digest)).resolves.toEqual({ size: b.desc.size });
    } finally {
      client.close();
    }
    // The same client with no credentials found is refused: the push above needed them.
    const anonymous = new RegistryClient(registry.host, { tlsVerify: false, credentials: credentialResolver({ env: h.env, authFile: path.join(scratch.dir, 'none.json') }) });
    try {
      await expect(anonymous.repository('creds/app').statBlob(b.desc.digest)).rejects.toMatchObject({ code: RegistryErrorCode.Unauthorized });
    } finally {
      anonymous.close();
    }
  });

  it('skopeo login accepts what saveCredentials wrote as valid existing credentials, and refuses a wrong password', async () => {
    const h = makeHome(scratch.dir);
    const good = path.join(scratch.dir, 'good.json');
    const bad = path.join(scratch.dir, 'bad.json');
    await saveCredentials(registry.host, { username: USER, password: PASSWORD }, { env: h.env, authFile: good });
    await saveCredentials(registry.host, { username: USER, password: 'wrong' }, { env: h.env, authFile: bad });
    const ok = skopeo(h, ['login', '--authfile', good, registry.host, '--tls-verify=false']);
    expect(ok).toMatchObject({ status: 0 });
    expect(ok.stdout).toMatch(/already logged in/i);
    expect(skopeo(h, ['login', '--authfile', bad, registry.host, '--tls-verify=false']).status).not.toBe(0);
  });
});
