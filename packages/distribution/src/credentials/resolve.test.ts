import { describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { rejection, testScratch } from '@ocikit/testkit';
import { RegistryErrorCode } from '../errors.js';
import { basic, makeHome, writeJson, type TestHome } from './__fixtures__/home.js';
import { authFileSearchPaths } from './auth-file.js';
import { CredentialsErrorReason, isCredentialsError } from './errors.js';
import { credentialResolver, resolveCredentials } from './resolve.js';

const scratch = testScratch('credentials');
const home = (): TestHome => makeHome(scratch.dir);

describe('resolveCredentials: where credentials are looked for', () => {
  it('finds them in each file of the search, alone', async () => {
    const h = home();
    const files = [h.runtimeFile, h.configFile, h.dockerFile];
    for (const [i, file] of files.entries()) {
      writeJson(file, { auths: { 'reg.example': basic(`user${i}`, `pw${i}`) } });
      expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: `user${i}`, password: `pw${i}` });
      writeJson(file, { auths: {} });
    }
    // ~/.dockercfg: the legacy format, registries at the top level, URL keys.
    writeJson(h.dockercfg, { 'https://reg.example/v1/': { ...basic('legacy', 'pw'), email: 'x@example.org' } });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: 'legacy', password: 'pw' });
  });

  it('takes the first file that has them: runtime dir, XDG config home, ~/.docker/config.json, ~/.dockercfg', async () => {
    const h = home();
    writeJson(h.dockercfg, { 'reg.example': basic('from-dockercfg', 'pw') });
    writeJson(h.dockerFile, { auths: { 'reg.example': basic('from-docker', 'pw') } });
    writeJson(h.configFile, { auths: { 'reg.example': basic('from-config', 'pw') } });
    writeJson(h.runtimeFile, { auths: { 'reg.example': basic('from-runtime', 'pw') } });
    const user = async () => ((await resolveCredentials({ registry: 'reg.example' }, { env: h.env })) as { username: string } | undefined)?.username;
    expect(await user()).toBe('from-runtime');
    writeJson(h.runtimeFile, { auths: { 'other.example': basic('x', 'y') } });
    expect(await user()).toBe('from-config');
    writeJson(h.configFile, { auths: {} });
    expect(await user()).toBe('from-docker');
    writeJson(h.dockerFile, { auths: {} });
    expect(await user()).toBe('from-dockercfg');
    writeJson(h.dockercfg, {});
    expect(await user()).toBeUndefined();
  });

  it('follows XDG_CONFIG_HOME, DOCKER_CONFIG and the homeDir option', async () => {
    const h = home();
    const configHome = path.join(scratch.dir, 'xdg-config');
    writeJson(path.join(configHome, 'containers', 'auth.json'), { auths: { 'reg.example': basic('xdg', 'pw') } });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: { ...h.env, XDG_CONFIG_HOME: configHome } })).toEqual({ username: 'xdg', password: 'pw' });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toBeUndefined();
    const dockerConfig = path.join(scratch.dir, 'docker-config');
    writeJson(path.join(dockerConfig, 'config.json'), { auths: { 'reg.example': basic('docker-config', 'pw') } });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: { ...h.env, DOCKER_CONFIG: dockerConfig } })).toEqual({ username: 'docker-config', password: 'pw' });
    const otherHome = path.join(scratch.dir, 'other-home');
    writeJson(path.join(otherHome, '.docker', 'config.json'), { auths: { 'reg.example': basic('other-home', 'pw') } });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env, homeDir: otherHome })).toEqual({ username: 'other-home', password: 'pw' });
  });

  it('an explicit file ($REGISTRY_AUTH_FILE, or the authFile option over it) replaces the search', async () => {
    const h = home();
    writeJson(h.runtimeFile, { auths: { 'reg.example': basic('from-runtime', 'pw') } });
    const envFile = path.join(scratch.dir, 'env-auth.json');
    const optionFile = path.join(scratch.dir, 'option-auth.json');
    writeJson(envFile, { auths: { 'other.example': basic('env', 'pw') } });
    writeJson(optionFile, { auths: { 'reg.example': basic('option', 'pw') } });
    const env = { ...h.env, REGISTRY_AUTH_FILE: envFile };
    expect(await resolveCredentials({ registry: 'reg.example' }, { env })).toBeUndefined();
    expect(await resolveCredentials({ registry: 'other.example' }, { env })).toEqual({ username: 'env', password: 'pw' });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env, authFile: optionFile })).toEqual({ username: 'option', password: 'pw' });
    expect(await resolveCredentials({ registry: 'other.example' }, { env, authFile: optionFile })).toBeUndefined();
    expect(authFileSearchPaths({ env, authFile: optionFile })).toEqual([{ path: optionFile, legacy: false }]);
    // A missing explicit file is no credentials, not an error (skopeo reads it as empty).
    expect(await resolveCredentials({ registry: 'reg.example' }, { env, authFile: path.join(scratch.dir, 'absent.json') })).toBeUndefined();
  });

  it('skips the runtime file when XDG_RUNTIME_DIR names no directory', async () => {
    const h = home();
    writeJson(h.configFile, { auths: { 'reg.example': basic('from-config', 'pw') } });
    const env = { ...h.env, XDG_RUNTIME_DIR: path.join(scratch.dir, 'no-such-dir') };
    expect(await resolveCredentials({ registry: 'reg.example' }, { env })).toEqual({ username: 'from-config', password: 'pw' });
  });
});

describe('resolveCredentials: keys', () => {
  it('matches namespaced keys most specific first, then the registry', async () => {
    const h = home();
    writeJson(h.runtimeFile, {
      auths: {
        'reg.example': basic('registry', 'pw'),
        'reg.example/team': basic('team', 'pw'),
        'reg.example/team/sub/app': basic('app', 'pw'),
      },
    });
    const user = async (repository?: string) => ((await resolveCredentials({ registry: 'reg.example', repository }, { env: h.env })) as { username: string }).username;
    expect(await user('team/sub/app')).toBe('app');
    expect(await user('team/sub/other')).toBe('team');
    expect(await user('team/sub')).toBe('team');
    expect(await user('team')).toBe('team');
    expect(await user('teamx/app')).toBe('registry');
    expect(await user()).toBe('registry');
    // The client's resolver knows only the registry.
    expect(await credentialResolver({ env: h.env })('reg.example')).toEqual({ username: 'registry', password: 'pw' });
  });

  it('a namespaced key in a file beats a registry key in a later file; ~/.dockercfg keys are URLs, whose path is ignored', async () => {
    const h = home();
    writeJson(h.runtimeFile, { auths: { 'reg.example/team': basic('team', 'pw') } });
    writeJson(h.configFile, { auths: { 'reg.example': basic('registry', 'pw') } });
    expect(await resolveCredentials({ registry: 'reg.example', repository: 'team/app' }, { env: h.env })).toEqual({ username: 'team', password: 'pw' });
    expect(await resolveCredentials({ registry: 'reg.example', repository: 'other/app' }, { env: h.env })).toEqual({ username: 'registry', password: 'pw' });
    const h2 = makeHome(path.join(scratch.dir, 'two'));
    writeJson(h2.dockercfg, { 'reg.example/team': basic('team', 'pw') });
    expect(await resolveCredentials({ registry: 'reg.example', repository: 'other/app' }, { env: h2.env })).toEqual({ username: 'team', password: 'pw' });
    expect(await resolveCredentials({ registry: 'other.example', repository: 'team/app' }, { env: h2.env })).toBeUndefined();
  });

  it('reads docker.io under Docker’s legacy key and other names, and keys written as URLs', async () => {
    const h = home();
    writeJson(h.dockerFile, { auths: { 'https://index.docker.io/v1/': basic('hubuser', 'hubpw'), 'http://local.example:5000/v2/': basic('local', 'pw') } });
    for (const registry of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      expect(await resolveCredentials({ registry, repository: 'library/busybox' }, { env: h.env })).toEqual({ username: 'hubuser', password: 'hubpw' });
    }
    expect(await resolveCredentials({ registry: 'local.example:5000' }, { env: h.env })).toEqual({ username: 'local', password: 'pw' });
    expect(await resolveCredentials({ registry: 'local.example' }, { env: h.env })).toBeUndefined();
  });

  it('reads an identity token, split passwords at the first colon only, and skips entries without credentials', async () => {
    const h = home();
    writeJson(h.runtimeFile, {
      auths: {
        'token.example': { auth: '', identitytoken: 'refresh-123' },
        'colon.example': basic('user', 'pass:with:colons'),
        'marker.example': {},
        'nocolon.example': { auth: Buffer.from('justauser').toString('base64') },
      },
    });
    writeJson(h.configFile, { auths: { 'marker.example': basic('later', 'pw'), 'nocolon.example': basic('later2', 'pw') } });
    expect(await resolveCredentials({ registry: 'token.example' }, { env: h.env })).toEqual({ identityToken: 'refresh-123' });
    expect(await resolveCredentials({ registry: 'colon.example' }, { env: h.env })).toEqual({ username: 'user', password: 'pass:with:colons' });
    // An entry with nothing usable ends that file's answer; the search goes on (as containers/image does).
    expect(await resolveCredentials({ registry: 'marker.example' }, { env: h.env })).toEqual({ username: 'later', password: 'pw' });
    expect(await resolveCredentials({ registry: 'nocolon.example' }, { env: h.env })).toEqual({ username: 'later2', password: 'pw' });
  });

  it('refuses keys with a scheme, a tag or a digest', async () => {
    const h = home();
    for (const reference of [{ registry: 'https://reg.example' }, { registry: 'reg.example', repository: 'app:latest' }, { registry: 'reg.example', repository: 'app@sha256:abc' }]) {
      const err = await rejection(resolveCredentials(reference, { env: h.env }));
      expect(isCredentialsError(err, CredentialsErrorReason.InvalidKey)).toBe(true);
    }
  });
});

describe('resolveCredentials: malformed files', () => {
  const SECRET = 'hunter2-do-not-print';
  const cases: Array<[string, string]> = [
    ['not JSON', `{"auths": {"reg.example": {"auth": "${SECRET}"`],
    ['a top level that is not an object', `["${SECRET}"]`],
    ['auths that is not an object', `{"auths": ["${SECRET}"]}`],
    ['an entry that is not an object', `{"auths": {"reg.example": "${SECRET}"}}`],
    ['an auth that is not a string', `{"auths": {"reg.example": {"auth": 12}}}`],
    ['an auth that is not base64', `{"auths": {"reg.example": {"auth": "${SECRET}!"}}}`],
    ['credHelpers that are not names', `{"credHelpers": {"reg.example": ["${SECRET}"]}}`],
  ];
  it.each(cases)('%s: one error naming the file, without the secret', async (_what, text) => {
    const h = home();
    writeJson(h.configFile, text);
    const err = await rejection(resolveCredentials({ registry: 'reg.example' }, { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.MalformedFile)).toBe(true);
    expect((err as { code?: string }).code).toBe(RegistryErrorCode.Credentials);
    expect(err.message).toContain(h.configFile);
    expect(err.message).not.toContain('\n');
    for (const shown of [err.message, JSON.stringify(err), inspect(err), String(err)]) expect(shown).not.toContain(SECRET);
  });

  it('a file that is not a regular file is refused, naming it', async () => {
    const h = home();
    mkdirSync(h.configFile, { recursive: true });
    const err = await rejection(resolveCredentials({ registry: 'reg.example' }, { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.FileAccess)).toBe(true);
    expect(err.message).toContain(h.configFile);
  });

  it('the search stops at the first answer: a defect in a later file shows only when the search reaches it', async () => {
    const h = home();
    writeFileSync(h.dockercfg, 'garbage');
    writeJson(h.configFile, { auths: { 'reg.example': basic('user', 'pw') } });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: 'user', password: 'pw' });
    const err = await rejection(resolveCredentials({ registry: 'other.example' }, { env: h.env }));
    expect(err.message).toContain(h.dockercfg);
  });
});

describe('credentials never print', () => {
  it('JSON, String and inspect hide the password and the identity token; spreading keeps them', async () => {
    const h = home();
    writeJson(h.runtimeFile, { auths: { 'reg.example': basic('user', 'sekrit-pw'), 'tok.example': { identitytoken: 'sekrit-token' } } });
    const basicCreds = await resolveCredentials({ registry: 'reg.example' }, { env: h.env });
    const tokenCreds = await resolveCredentials({ registry: 'tok.example' }, { env: h.env });
    for (const [creds, secret] of [[basicCreds, 'sekrit-pw'], [tokenCreds, 'sekrit-token']] as const) {
      for (const shown of [JSON.stringify(creds), JSON.stringify({ creds }), (creds as unknown as { toString(): string }).toString(), inspect(creds), inspect({ nested: creds })]) {
        expect(shown).not.toContain(secret);
      }
    }
    expect(JSON.parse(JSON.stringify(basicCreds))).toEqual({ username: 'user', password: '<redacted>' });
    expect({ ...basicCreds }).toEqual({ username: 'user', password: 'sekrit-pw' });
    expect((basicCreds as { password: string }).password).toBe('sekrit-pw');
    expect((tokenCreds as { identityToken: string }).identityToken).toBe('sekrit-token');
  });
});
