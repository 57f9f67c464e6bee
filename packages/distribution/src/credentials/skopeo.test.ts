/**
 * Interoperability with the real skopeo (containers/image): what ocikit
 * writes, skopeo reads and removes, and the other way round. No registry is
 * needed for `login --get-login` and `logout`.
 */
import { expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describeWithPeers, peerPath, testScratch } from '@ocikit/testkit';
import { basic, makeHome, readJson, writeJson, type TestHome } from './__fixtures__/home.js';
import { resolveCredentials } from './resolve.js';
import { saveCredentials } from './store.js';

const scratch = testScratch('cred-skopeo');

function skopeo(h: TestHome, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(peerPath('skopeo'), args, { env: h.env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describeWithPeers(['skopeo'], 'credentials with the real skopeo', () => {
  it('skopeo login --get-login --authfile F reads what saveCredentials wrote; skopeo logout removes it and ocikit sees none', async () => {
    const h = makeHome(scratch.dir);
    const file = path.join(scratch.dir, 'auth', 'auth.json');
    await saveCredentials('reg.example:5000', { username: 'alice', password: 'pw:with:colons' }, { env: h.env, authFile: file });
    await saveCredentials('other.example', { username: 'bob', password: 'pw' }, { env: h.env, authFile: file });
    expect(skopeo(h, ['login', '--get-login', '--authfile', file, 'reg.example:5000'])).toMatchObject({ status: 0, stdout: 'alice' });
    expect(skopeo(h, ['logout', '--authfile', file, 'reg.example:5000']).status).toBe(0);
    expect(await resolveCredentials({ registry: 'reg.example:5000' }, { env: h.env, authFile: file })).toBeUndefined();
    expect(await resolveCredentials({ registry: 'other.example' }, { env: h.env, authFile: file })).toEqual({ username: 'bob', password: 'pw' });
    expect(skopeo(h, ['login', '--get-login', '--authfile', file, 'reg.example:5000']).status).not.toBe(0);
    expect(skopeo(h, ['logout', '--all', '--authfile', file]).status).toBe(0);
    expect(await resolveCredentials({ registry: 'other.example' }, { env: h.env, authFile: file })).toBeUndefined();
  });

  it('both use the same primary file: ${XDG_RUNTIME_DIR}/containers/auth.json', async () => {
    const h = makeHome(scratch.dir);
    await saveCredentials('reg.example', { username: 'carol', password: 'pw' }, { env: h.env });
    expect(skopeo(h, ['login', '--get-login', 'reg.example'])).toMatchObject({ status: 0, stdout: 'carol' });
    expect(skopeo(h, ['logout', 'reg.example']).status).toBe(0);
    expect(readJson(h.runtimeFile)).toEqual({ auths: {} });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toBeUndefined();
  });

  it('both search the same files in the same order', async () => {
    const h = makeHome(scratch.dir);
    writeJson(h.dockercfg, { 'https://reg.example/v1/': basic('from-dockercfg', 'pw') });
    writeJson(h.dockerFile, { auths: { 'https://index.docker.io/v1/': basic('hub', 'pw') } });
    writeJson(h.configFile, { auths: { 'ns.example/team': basic('team', 'pw'), 'ns.example': basic('registry', 'pw') } });
    const ocikitUser = async (registry: string, repository?: string) => ((await resolveCredentials({ registry, repository }, { env: h.env })) as { username: string } | undefined)?.username;
    for (const [key, registry, repository] of [
      ['reg.example', 'reg.example', undefined],
      ['docker.io', 'docker.io', undefined],
      ['ns.example', 'ns.example', undefined],
      ['ns.example/team/app', 'ns.example', 'team/app'],
      ['ns.example/other/app', 'ns.example', 'other/app'],
    ] as const) {
      expect([key, skopeo(h, ['login', '--get-login', key]).stdout]).toEqual([key, await ocikitUser(registry, repository)]);
    }
    writeJson(h.runtimeFile, { auths: { 'reg.example': basic('from-runtime', 'pw') } });
    expect(skopeo(h, ['login', '--get-login', 'reg.example']).stdout).toBe('from-runtime');
    expect(await ocikitUser('reg.example')).toBe('from-runtime');
  });

  it('skopeo reads credentials that saveCredentials stored through a credential helper', async () => {
    const h = makeHome(scratch.dir);
    const file = path.join(scratch.dir, 'auth.json');
    writeJson(file, { auths: {}, credHelpers: { 'helped.example': 'ocikittest' } });
    expect(await saveCredentials('helped.example', { username: 'dave', password: 'pw' }, { env: h.env, authFile: file })).toEqual({ file, helper: 'ocikittest' });
    expect(skopeo(h, ['login', '--get-login', '--authfile', file, 'helped.example'])).toMatchObject({ status: 0, stdout: 'dave' });
    expect(skopeo(h, ['logout', '--authfile', file, 'helped.example']).status).toBe(0);
    expect(await resolveCredentials({ registry: 'helped.example' }, { env: h.env, authFile: file })).toBeUndefined();
  });
});
