import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { rejection, testScratch } from '@ocikit/testkit';
import { basic, helperLog, makeHome, readJson, writeJson, type TestHome } from './__fixtures__/home.js';
import { CredentialsErrorReason, isCredentialsError } from './errors.js';
import { helperGet, helperStore } from './helper.js';
import { resolveCredentials } from './resolve.js';
import { removeAllCredentials, removeCredentials, saveCredentials } from './store.js';

const scratch = testScratch('cred-helper');
const home = (): TestHome => makeHome(scratch.dir);

describe('credential helpers (docker-credential-ocikittest, a real program on PATH)', () => {
  it('credHelpers: the helper answers for its registry, and the file’s auths are not read for it', async () => {
    const h = home();
    await helperStore('ocikittest', 'reg.example', { username: 'helper-user', password: 'helper-pw' }, { env: h.env });
    writeJson(h.runtimeFile, { auths: { 'reg.example': basic('file-user', 'file-pw'), 'other.example': basic('other', 'pw') }, credHelpers: { 'reg.example': 'ocikittest' } });
    expect(await resolveCredentials({ registry: 'reg.example', repository: 'team/app' }, { env: h.env })).toEqual({ username: 'helper-user', password: 'helper-pw' });
    expect(await resolveCredentials({ registry: 'other.example' }, { env: h.env })).toEqual({ username: 'other', password: 'pw' });
    expect(helperLog(h)).toEqual(['store reg.example', 'get reg.example']);
  });

  it('"credentials not found in native keychain" is none: the search goes on to the next file', async () => {
    const h = home();
    writeJson(h.runtimeFile, { auths: { 'reg.example': basic('shadowed', 'pw') }, credHelpers: { 'reg.example': 'ocikittest' } });
    writeJson(h.dockerFile, { auths: { 'reg.example': basic('docker-user', 'pw') } });
    expect(await helperGet('ocikittest', 'reg.example', { env: h.env })).toBeUndefined();
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: 'docker-user', password: 'pw' });
    // An empty answer ({Username:"",Secret:""}) is none too.
    expect(await helperGet('ocikittest', 'empty.example', { env: h.env })).toBeUndefined();
  });

  it('Username "<token>" means the Secret is an identity token', async () => {
    const h = home();
    writeJson(h.runtimeFile, { credHelpers: { 'reg.example': 'ocikittest' } });
    await saveCredentials('reg.example', { identityToken: 'refresh-tok' }, { env: h.env });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ identityToken: 'refresh-tok' });
    const stored = readdirSync(h.store).filter((f) => f !== 'log');
    expect(JSON.parse(readFileSync(path.join(h.store, stored[0] ?? ''), 'utf8'))).toEqual({ ServerURL: 'reg.example', Username: '<token>', Secret: 'refresh-tok' });
  });

  it('credsStore is the default helper; credHelpers wins over it; auths answer what the store lacks', async () => {
    const h = home();
    writeJson(h.dockerFile, { auths: { 'reg.example': {}, 'file.example': basic('file-user', 'pw') }, credsStore: 'ocikittest', credHelpers: { 'helped.example': 'ocikittest' } });
    await saveCredentials('reg.example', { username: 'store-user', password: 'store-pw' }, { env: h.env, authFile: h.dockerFile });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: 'store-user', password: 'store-pw' });
    expect(await resolveCredentials({ registry: 'file.example' }, { env: h.env })).toEqual({ username: 'file-user', password: 'pw' });
    expect(helperLog(h)).toEqual(['store reg.example', 'get reg.example', 'get file.example']);
  });

  it('asks the store for docker.io under Docker’s own key too', async () => {
    const h = home();
    writeJson(h.dockerFile, { auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'ocikittest' });
    await helperStore('ocikittest', 'https://index.docker.io/v1/', { username: 'hub', password: 'hubpw' }, { env: h.env });
    expect(await resolveCredentials({ registry: 'docker.io', repository: 'library/alpine' }, { env: h.env })).toEqual({ username: 'hub', password: 'hubpw' });
  });

  it('a credsStore that is not installed costs only the store; a missing credHelpers helper is an error naming it and the registry', async () => {
    const h = home();
    writeJson(h.dockerFile, { auths: { 'reg.example': basic('file-user', 'pw') }, credsStore: 'not-installed-anywhere' });
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: 'file-user', password: 'pw' });
    writeJson(h.dockerFile, { auths: { 'reg.example': basic('file-user', 'pw') }, credHelpers: { 'reg.example': 'not-installed-anywhere' } });
    const err = await rejection(resolveCredentials({ registry: 'reg.example' }, { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.HelperMissing)).toBe(true);
    expect(err.message).toContain('docker-credential-not-installed-anywhere');
    expect(err.message).toContain('reg.example');
  });

  it('a failing helper is an error naming the helper and the registry, never the secret it was given', async () => {
    const h = home();
    writeJson(h.runtimeFile, { credHelpers: { 'fail.example': 'ocikittest' } });
    const err = await rejection(saveCredentials('fail.example', { username: 'u', password: 'the-secret-pw' }, { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.HelperFailed)).toBe(true);
    expect(err.message).toMatch(/docker-credential-ocikittest \(store for fail\.example\): exit status 1: boom/);
    for (const shown of [err.message, JSON.stringify(err), inspect(err), String(err), err.stack ?? '']) expect(shown).not.toContain('the-secret-pw');
    const getErr = await rejection(resolveCredentials({ registry: 'fail.example' }, { env: h.env }));
    expect(getErr.message).toContain('get for fail.example');
  });

  it('an answer that is not JSON is a protocol error that does not repeat the answer', async () => {
    const h = home();
    const err = await rejection(helperGet('ocikittest', 'garbage.example', { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.HelperFailed)).toBe(true);
    expect(err.message).toContain('docker-credential-ocikittest');
    expect(err.message).not.toContain('secret-in-garbage');
  });

  it('a helper that does not answer is killed at the timeout', async () => {
    const h = home();
    const err = await rejection(helperGet('ocikittest', 'slow.example', { env: h.env, timeoutMs: 300 }));
    expect(isCredentialsError(err, CredentialsErrorReason.HelperFailed)).toBe(true);
    expect(err.message).toContain('no answer within 300 ms');
  });

  it('a helper name with a path is refused, never run', async () => {
    const h = home();
    writeJson(h.runtimeFile, { credHelpers: { 'reg.example': '../../bin/sh' } });
    const err = await rejection(resolveCredentials({ registry: 'reg.example' }, { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.InvalidKey)).toBe(true);
  });

  it('login and logout go through the file’s helper and leave the file as it was', async () => {
    const h = home();
    const doc = { auths: { 'other.example': basic('o', 'p') }, credHelpers: { 'reg.example': 'ocikittest' }, HttpHeaders: { 'User-Agent': 'x' } };
    writeJson(h.runtimeFile, doc);
    const before = readFileSync(h.runtimeFile, 'utf8');
    expect(await saveCredentials('reg.example', { username: 'u', password: 'p' }, { env: h.env })).toEqual({ file: h.runtimeFile, helper: 'ocikittest' });
    expect(readFileSync(h.runtimeFile, 'utf8')).toBe(before);
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toEqual({ username: 'u', password: 'p' });
    await removeCredentials('reg.example', { env: h.env });
    expect(readFileSync(h.runtimeFile, 'utf8')).toBe(before);
    expect(await resolveCredentials({ registry: 'reg.example' }, { env: h.env })).toBeUndefined();
    const err = await rejection(removeCredentials('reg.example', { env: h.env }));
    expect(isCredentialsError(err, CredentialsErrorReason.NotLoggedIn)).toBe(true);
    expect(err.message).toContain('not logged in to reg.example');
    // Helpers hold registries; a namespace of a registry a helper owns is refused.
    const nsErr = await rejection(saveCredentials('reg.example/team', { username: 'u', password: 'p' }, { env: h.env }));
    expect(isCredentialsError(nsErr, CredentialsErrorReason.InvalidKey)).toBe(true);
  });

  it('logout --all erases what the helpers hold and keeps the helper configuration', async () => {
    const h = home();
    writeJson(h.runtimeFile, { auths: { 'file.example': basic('f', 'p'), 'stored.example': {} }, credHelpers: { 'reg.example': 'ocikittest', 'never.example': 'ocikittest' }, credsStore: 'ocikittest', extra: [1, 2] });
    await saveCredentials('reg.example', { username: 'u', password: 'p' }, { env: h.env });
    await saveCredentials('stored.example', { username: 's', password: 'p' }, { env: h.env });
    await removeAllCredentials({ env: h.env });
    expect(readJson(h.runtimeFile)).toEqual({ auths: {}, credHelpers: { 'reg.example': 'ocikittest', 'never.example': 'ocikittest' }, credsStore: 'ocikittest', extra: [1, 2] });
    for (const registry of ['reg.example', 'stored.example', 'file.example']) expect(await resolveCredentials({ registry }, { env: h.env })).toBeUndefined();
    expect(helperLog(h).filter((l) => l.startsWith('erase'))).toEqual(['erase reg.example', 'erase never.example', 'erase file.example', 'erase stored.example']);
  });

  it('logout passes over a credsStore that is not installed and still removes the file’s entry', async () => {
    const h = home();
    writeJson(h.dockerFile, { auths: { 'reg.example': basic('u', 'p'), 'other.example': basic('o', 'p') }, credsStore: 'not-installed-anywhere' });
    await removeCredentials('reg.example', { env: h.env, authFile: h.dockerFile });
    expect(readJson(h.dockerFile)).toEqual({ auths: { 'other.example': basic('o', 'p') }, credsStore: 'not-installed-anywhere' });
    await removeAllCredentials({ env: h.env, authFile: h.dockerFile });
    expect(readJson(h.dockerFile)).toEqual({ auths: {}, credsStore: 'not-installed-anywhere' });
    // A credHelpers helper that is missing is still an error: the file says it holds that registry.
    writeJson(h.dockerFile, { auths: {}, credHelpers: { 'reg.example': 'not-installed-anywhere' } });
    expect(isCredentialsError(await rejection(removeCredentials('reg.example', { env: h.env, authFile: h.dockerFile })), CredentialsErrorReason.HelperMissing)).toBe(true);
  });
});
