/**
 * `ocikit login` / `logout` against a real docker-registry with htpasswd
 * auth over TLS (a CA made for the test), checked with skopeo; and the
 * registry flags (--authfile, --cert-dir, --tls-verify=false) of inspect.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeWithPeers, startRegistry, suiteScratch, type RunningRegistry } from '@ocikit/testkit';
import type { ImageInspection } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { packImage } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const USER = 'alice';
const PASSWORD = 'correct horse battery staple';
const WRONG = 'not-the-password-42';

describeWithPeers(['docker-registry', 'htpasswd', 'openssl', 'skopeo'], 'ocikit login and logout (built bin, htpasswd registry over TLS)', () => {
  const scratch = suiteScratch('cli-login');
  let registry: RunningRegistry;
  let certDir: string;
  let v1: Descriptor;
  const home = () => path.join(scratch.dir, 'home');
  const env = () => ({ HOME: home(), XDG_RUNTIME_DIR: path.join(scratch.dir, 'run'), XDG_CONFIG_HOME: path.join(home(), '.config') });
  const cli = (args: string[], input?: string) => runCli(args, { env: env(), ...(input !== undefined && { input }) });
  const authFile = (name: string) => path.join(scratch.dir, name);
  const image = () => `docker://${registry.host}/app:v1`;
  const noSecrets = (text: string) => {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(WRONG);
  };

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, auth: { kind: 'htpasswd', users: [{ username: USER, password: PASSWORD }] } });
    certDir = path.join(scratch.dir, 'certs');
    mkdirSync(certDir);
    copyFileSync(registry.caFile!, path.join(certDir, 'ca.crt'));
    mkdirSync(path.join(scratch.dir, 'run'), { mode: 0o700 });
    const l = path.join(scratch.dir, 'L');
    v1 = await packImage(`${l}:v1`, scratch.dir);
    execFileSync('skopeo', ['copy', '-q', '--dest-cert-dir', certDir, '--dest-creds', `${USER}:${PASSWORD}`, `oci:${l}:v1`, image()]);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('a wrong password: one line, exit 1, nothing written', async () => {
    const f = authFile('wrong.json');
    const r = await cli(['login', '-u', USER, '--password-stdin', '--authfile', f, '--cert-dir', certDir, registry.host], `${WRONG}\n`);
    expect([r.code, r.stdout]).toEqual([ExitCode.Failure, '']);
    expect(r.stderr).toMatch(/^ocikit: login: [^\n]*\[UNAUTHORIZED\]\n$/);
    noSecrets(r.stderr);
    expect(existsSync(f)).toBe(false);
    const json = await cli(['login', '--json', '-u', USER, '--password-stdin', '--authfile', f, '--cert-dir', certDir, registry.host], WRONG);
    expect([json.code, (JSON.parse(json.stderr) as { error: { code: string } }).error.code]).toEqual([ExitCode.Failure, 'UNAUTHORIZED']);
    noSecrets(json.stderr);
    expect(existsSync(f)).toBe(false);
  });

  it('the right password: checked, stored 0600 where skopeo login --get-login reads it; inspect then works with --authfile', async () => {
    const f = authFile('auth.json');
    const r = await cli(['login', '--username', USER, '--password-stdin', '--authfile', f, '--cert-dir', certDir, registry.host], `${PASSWORD}\n`);
    expect([r.code, r.stdout, r.stderr]).toEqual([ExitCode.Ok, 'Login Succeeded!\n', '']);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(execFileSync('skopeo', ['login', '--get-login', '--authfile', f, registry.host]).toString()).toBe(`${USER}\n`);
    expect(await cli(['login', '--get-login', '--authfile', f, registry.host])).toEqual({ code: ExitCode.Ok, stdout: `${USER}\n`, stderr: '' });

    const inspected = await cli(['inspect', '--authfile', f, '--cert-dir', certDir, image()]);
    expect([inspected.code, inspected.stderr]).toEqual([ExitCode.Ok, '']);
    expect((JSON.parse(inspected.stdout) as ImageInspection).Digest).toBe(v1.digest);
    // Without credentials the registry says no: one line, exit 1.
    const anonymous = await cli(['inspect', '--no-creds', '--cert-dir', certDir, image()]);
    expect(anonymous.code).toBe(ExitCode.Failure);
    expect(anonymous.stderr).toMatch(/^ocikit: inspect: [^\n]*\[UNAUTHORIZED\]\n$/);
    // --creds works as well, and list-tags takes the same flags.
    const tags = await cli(['list-tags', '--creds', `${USER}:${PASSWORD}`, '--cert-dir', certDir, `docker://${registry.host}/app`]);
    expect([tags.code, JSON.parse(tags.stdout)]).toEqual([ExitCode.Ok, { Repository: `${registry.host}/app`, Tags: ['v1'] }]);
  });

  it('TLS: an unknown CA is REGISTRY_TLS; --tls-verify=false and the registry\'s certs.d directory both get through', async () => {
    const f = authFile('auth.json');
    const untrusted = await cli(['inspect', '--authfile', f, image()]);
    expect(untrusted.code).toBe(ExitCode.Failure);
    expect(untrusted.stderr).toMatch(/^ocikit: inspect: [^\n]*\[REGISTRY_TLS\]\n$/);
    expect((await cli(['inspect', '--authfile', f, '--tls-verify=false', image()])).code).toBe(ExitCode.Ok);
    const certsD = path.join(home(), '.config/containers/certs.d', registry.host);
    mkdirSync(certsD, { recursive: true });
    copyFileSync(registry.caFile!, path.join(certsD, 'ca.crt'));
    try {
      const viaCertsD = await cli(['login', '-u', USER, '--password-stdin', '--authfile', authFile('certs-d.json'), registry.host], PASSWORD);
      expect([viaCertsD.code, viaCertsD.stderr]).toEqual([ExitCode.Ok, '']);
      expect((await cli(['inspect', '--authfile', f, image()])).code).toBe(ExitCode.Ok);
    } finally {
      execFileSync('rm', ['-r', path.join(home(), '.config/containers/certs.d')]);
    }
  });

  it('-p works with a warning; usage errors exit 2; credentials appear in no output', async () => {
    const f = authFile('p.json');
    const r = await cli(['login', '-u', USER, '-p', PASSWORD, '--authfile', f, '--tls-verify=false', registry.host]);
    expect([r.code, r.stdout]).toEqual([ExitCode.Ok, 'Login Succeeded!\n']);
    expect(r.stderr).toMatch(/^WARNING: [^\n]*--password-stdin\n$/);
    noSecrets(r.stdout + r.stderr);
    for (const args of [
      ['login', '--password-stdin', '--authfile', f, registry.host],
      ['login', '-u', USER, '-p', PASSWORD, '--password-stdin', registry.host],
      ['login', '-u', USER, '--authfile', f, registry.host],
      ['login', '-u', USER, '-p', PASSWORD, 'https://example.org'],
      ['logout'],
      ['logout', '--all', registry.host],
    ]) {
      const bad = await cli(args);
      expect([args, bad.code]).toEqual([args, ExitCode.Usage]);
      noSecrets(bad.stdout + bad.stderr);
    }
  });

  it('logout removes what login stored (skopeo sees nothing after); again: not logged in, exit 1; --all empties the file', async () => {
    const f = authFile('auth.json');
    const r = await cli(['logout', '--authfile', f, registry.host]);
    expect([r.code, r.stdout, r.stderr]).toEqual([ExitCode.Ok, `Removed login credentials for ${registry.host}\n`, '']);
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual({ auths: {} });
    const skopeoSays = spawnSync('skopeo', ['login', '--get-login', '--authfile', f, registry.host], { encoding: 'utf8' });
    expect(skopeoSays.status).not.toBe(0);
    expect(skopeoSays.stderr).toMatch(/not logged in/);
    const ocikitSays = await cli(['login', '--get-login', '--authfile', f, registry.host]);
    expect(ocikitSays.code).toBe(ExitCode.Failure);
    expect(ocikitSays.stderr).toMatch(/^ocikit: login: not logged in to [^\n]*\[CREDENTIALS_ERROR\]\n$/);
    const again = await cli(['logout', '--authfile', f, registry.host]);
    expect(again.code).toBe(ExitCode.Failure);
    expect(again.stderr).toMatch(/^ocikit: logout: not logged in to [^\n]*\[CREDENTIALS_ERROR\]\n$/);
    const all = await cli(['logout', '--all', '--json', '--authfile', authFile('p.json')]);
    expect([all.code, all.stdout]).toEqual([ExitCode.Ok, '{"removed":"*"}\n']);
    expect(JSON.parse(readFileSync(authFile('p.json'), 'utf8'))).toEqual({ auths: {} });
  });
});

describeWithPeers(['docker-registry'], 'ocikit login (built bin, token-auth registry)', () => {
  const scratch = suiteScratch('cli-login-token');
  let registry: RunningRegistry;
  const env = () => ({ HOME: scratch.dir, XDG_RUNTIME_DIR: scratch.dir, XDG_CONFIG_HOME: path.join(scratch.dir, 'config') });

  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'token', users: [{ username: USER, password: PASSWORD }] } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('the credentials are checked through the token server: wrong is UNAUTHORIZED and writes nothing, right is stored and used', async () => {
    const f = path.join(scratch.dir, 'auth.json');
    const login = (password: string) => runCli(['login', '-u', USER, '--password-stdin', '--tls-verify=false', '--authfile', f, registry.host], { env: env(), input: password });
    const wrong = await login(WRONG);
    expect([wrong.code, wrong.stdout]).toEqual([ExitCode.Failure, '']);
    expect(wrong.stderr).toMatch(/^ocikit: login: [^\n]*\[UNAUTHORIZED\]\n$/);
    expect(existsSync(f)).toBe(false);
    expect(await login(PASSWORD)).toEqual({ code: ExitCode.Ok, stdout: 'Login Succeeded!\n', stderr: '' });
    // An empty repository: the token server let the stored user in, the registry knows no such name.
    const tags = await runCli(['list-tags', '--tls-verify=false', '--authfile', f, `docker://${registry.host}/app`], { env: env() });
    expect(tags.code).toBe(ExitCode.Failure);
    expect(tags.stderr).toMatch(/\[NAME_UNKNOWN\]\n$/);
    const anonymous = await runCli(['list-tags', '--tls-verify=false', '--no-creds', `docker://${registry.host}/app`], { env: env() });
    expect(anonymous.stderr).toMatch(/\[UNAUTHORIZED\]\n$/);
  });
});
