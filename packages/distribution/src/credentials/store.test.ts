import { describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { rejection, testScratch } from '@ocikit/testkit';
import { basic, makeHome, readJson, writeJson, type TestHome } from './__fixtures__/home.js';
import { primaryAuthFile } from './auth-file.js';
import { CredentialsErrorReason, isCredentialsError } from './errors.js';
import { resolveCredentials } from './resolve.js';
import { removeAllCredentials, removeCredentials, saveCredentials } from './store.js';

const scratch = testScratch('cred-store');
const home = (): TestHome => makeHome(scratch.dir);
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('saveCredentials (login)', () => {
  it('writes ${XDG_RUNTIME_DIR}/containers/auth.json: directories 0700, file 0600, nothing else left behind', async () => {
    const h = home();
    expect(await saveCredentials('reg.example:5000', { username: 'alice', password: 'pw:1' }, { env: h.env })).toEqual({ file: h.runtimeFile });
    expect(readJson(h.runtimeFile)).toEqual({ auths: { 'reg.example:5000': { auth: Buffer.from('alice:pw:1').toString('base64') } } });
    expect(mode(path.dirname(h.runtimeFile))).toBe(0o700);
    expect(mode(h.runtimeFile)).toBe(0o600);
    expect(readdirSync(path.dirname(h.runtimeFile))).toEqual(['auth.json']);
    expect(await resolveCredentials({ registry: 'reg.example:5000' }, { env: h.env })).toEqual({ username: 'alice', password: 'pw:1' });
  });

  it('writes $REGISTRY_AUTH_FILE, or the given file over it, creating its directories 0700', async () => {
    const h = home();
    const envFile = path.join(scratch.dir, 'env', 'nested', 'auth.json');
    const optionFile = path.join(scratch.dir, 'option', 'auth.json');
    const env = { ...h.env, REGISTRY_AUTH_FILE: envFile };
    await saveCredentials('reg.example', { username: 'env', password: 'pw' }, { env });
    await saveCredentials('reg.example', { username: 'option', password: 'pw' }, { env, authFile: optionFile });
    expect(readJson(envFile)).toEqual({ auths: { 'reg.example': basic('env', 'pw') } });
    expect(readJson(optionFile)).toEqual({ auths: { 'reg.example': basic('option', 'pw') } });
    expect([mode(path.join(scratch.dir, 'env')), mode(path.dirname(envFile)), mode(envFile)]).toEqual([0o700, 0o700, 0o600]);
    expect(existsSync(h.runtimeFile)).toBe(false);
    expect(primaryAuthFile({ env })).toBe(envFile);
  });

  it('keeps every other key of the file, and makes an existing 0644 file 0600', async () => {
    const h = home();
    const doc = {
      auths: { 'other.example': basic('o', 'p'), 'reg.example': basic('old', 'old'), 'reg.example/team': basic('t', 'p') },
      credHelpers: { 'helped.example': 'ocikittest' },
      HttpHeaders: { 'User-Agent': 'Docker-Client/24' },
      psFormat: 'table {{.ID}}',
      experimental: 'enabled',
    };
    writeJson(h.runtimeFile, doc, 0o644);
    chmodSync(h.runtimeFile, 0o644);
    await saveCredentials('reg.example', { username: 'new', password: 'new' }, { env: h.env });
    const after = readJson(h.runtimeFile);
    expect(after).toEqual({ ...doc, auths: { ...doc.auths, 'reg.example': basic('new', 'new') } });
    // Key order is kept too, so a diff of the file shows only the change.
    expect(Object.keys(after)).toEqual(Object.keys(doc));
    expect(Object.keys(after['auths'] as object)).toEqual(Object.keys(doc.auths));
    expect(mode(h.runtimeFile)).toBe(0o600);
  });

  it('saves a namespaced key and an identity token, read back as such', async () => {
    const h = home();
    await saveCredentials('reg.example/team', { username: 'team', password: 'pw' }, { env: h.env });
    await saveCredentials('tok.example', { identityToken: 'refresh' }, { env: h.env });
    expect(await resolveCredentials({ registry: 'reg.example', repository: 'team/app' }, { env: h.env })).toEqual({ username: 'team', password: 'pw' });
    expect(await resolveCredentials({ registry: 'reg.example', repository: 'other/app' }, { env: h.env })).toBeUndefined();
    expect(await resolveCredentials({ registry: 'tok.example' }, { env: h.env })).toEqual({ identityToken: 'refresh' });
  });

  it('refuses an XDG_RUNTIME_DIR that does not exist, keys with a scheme or tag, users that would not read back, and a malformed file it would overwrite', async () => {
    const h = home();
    const missing = await rejection(saveCredentials('reg.example', { username: 'u', password: 'p' }, { env: { ...h.env, XDG_RUNTIME_DIR: path.join(scratch.dir, 'nope') } }));
    expect(isCredentialsError(missing, CredentialsErrorReason.FileAccess)).toBe(true);
    expect(missing.message).toContain('XDG_RUNTIME_DIR');
    for (const key of ['https://reg.example', 'reg.example/app:latest', 'reg.example/app@sha256:00']) {
      expect(isCredentialsError(await rejection(saveCredentials(key, { username: 'u', password: 'p' }, { env: h.env })), CredentialsErrorReason.InvalidKey)).toBe(true);
    }
    for (const username of ['', 'a:b']) {
      expect(isCredentialsError(await rejection(saveCredentials('reg.example', { username, password: 'p' }, { env: h.env })), CredentialsErrorReason.InvalidCreds)).toBe(true);
    }
    expect(existsSync(h.runtimeFile)).toBe(false);
    writeJson(h.runtimeFile, '{"auths": ');
    const bad = await rejection(saveCredentials('reg.example', { username: 'u', password: 'p' }, { env: h.env }));
    expect(isCredentialsError(bad, CredentialsErrorReason.MalformedFile)).toBe(true);
    expect(readFileSync(h.runtimeFile, 'utf8')).toBe('{"auths": ');
  });

  it('a file it cannot write is an error naming it', async () => {
    const h = home();
    // A regular file where a directory must be: refused even for root.
    writeJson(path.join(scratch.dir, 'plain'), {});
    const file = path.join(scratch.dir, 'plain', 'containers', 'auth.json');
    const err = await rejection(saveCredentials('reg.example', { username: 'u', password: 'secret-pw' }, { env: h.env, authFile: file }));
    expect(isCredentialsError(err, CredentialsErrorReason.FileAccess)).toBe(true);
    expect(err.message).toContain(file);
    expect(err.message).not.toContain('secret-pw');
  });
});

describe('removeCredentials / removeAllCredentials (logout, logout --all)', () => {
  it('removes the entry and keeps the rest; removing it again says "not logged in"', async () => {
    const h = home();
    writeJson(h.runtimeFile, { auths: { 'reg.example': basic('u', 'p'), 'other.example': basic('o', 'p') }, credHelpers: {}, keep: true });
    await removeCredentials('reg.example', { env: h.env });
    expect(readJson(h.runtimeFile)).toEqual({ auths: { 'other.example': basic('o', 'p') }, credHelpers: {}, keep: true });
    expect(mode(h.runtimeFile)).toBe(0o600);
    const err = await rejection(removeCredentials('reg.example', { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.NotLoggedIn)).toBe(true);
    expect(err.message).toBe(`not logged in to reg.example (${h.runtimeFile})`);
    // No file at all: not logged in either, and no file is created.
    const h2 = makeHome(path.join(scratch.dir, 'two'));
    expect(isCredentialsError(await rejection(removeCredentials('reg.example', { env: h2.env })), CredentialsErrorReason.NotLoggedIn)).toBe(true);
    expect(existsSync(h2.runtimeFile)).toBe(false);
  });

  it('logout docker.io removes Docker’s legacy key in the file it edits; a namespaced logout removes only that key', async () => {
    const h = home();
    writeJson(h.dockerFile, { auths: { 'https://index.docker.io/v1/': basic('hub', 'p'), 'reg.example': basic('r', 'p'), 'reg.example/team': basic('t', 'p') } });
    await removeCredentials('docker.io', { env: h.env, authFile: h.dockerFile });
    await removeCredentials('reg.example/team', { env: h.env, authFile: h.dockerFile });
    expect(readJson(h.dockerFile)).toEqual({ auths: { 'reg.example': basic('r', 'p') } });
  });

  it('logout only edits the primary file: credentials in later files are still found afterwards', async () => {
    const h = home();
    writeJson(h.dockerFile, { auths: { 'reg.example': basic('docker', 'p') } });
    await saveCredentials('reg.example', { username: 'primary', password: 'p' }, { env: h.env });
    await removeCredentials('reg.example', { env: h.env });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: 'docker', password: 'p' });
    expect(isCredentialsError(await rejection(removeCredentials('reg.example', { env: h.env })), CredentialsErrorReason.NotLoggedIn)).toBe(true);
  });

  it('logout --all empties auths and keeps the other keys; with no file it does nothing', async () => {
    const h = home();
    await removeAllCredentials({ env: h.env });
    expect(existsSync(h.runtimeFile)).toBe(false);
    writeJson(h.runtimeFile, { auths: { a: basic('a', 'b'), 'b.example/ns': basic('c', 'd') }, other: { x: 1 } });
    await removeAllCredentials({ env: h.env });
    expect(readJson(h.runtimeFile)).toEqual({ auths: {}, other: { x: 1 } });
  });
});
