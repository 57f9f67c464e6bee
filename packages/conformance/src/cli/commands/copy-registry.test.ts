/**
 * `ocikit copy` with docker:// against real docker-registry instances (plain,
 * htpasswd, TLS, token auth) and a fault proxy, checked with skopeo and
 * umoci. One registry per suite.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Descriptor } from '@ocikit/image-spec';
import { describeWithPeers, peerPath, startFaultProxy, type RunningProxy } from '@ocikit/testkit';
import { packImage } from '../../test-support/layouts.js';
import { expectOneLine, registrySuite } from '../../test-support/registry-suite.js';
import { ExitCode } from '../exit-codes.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/** The digests a layout names `name` (none when it has no index.json). */
function named(layout: string, name: string): string[] {
  const file = path.join(layout, 'index.json');
  if (!existsSync(file)) return [];
  const index = JSON.parse(readFileSync(file, 'utf8')) as { manifests: (Descriptor & { annotations?: Record<string, string> })[] };
  return index.manifests.filter((d) => d.annotations?.[REF_NAME] === name).map((d) => d.digest);
}

function skopeo(args: string[], cwd?: string): Buffer {
  return execFileSync(peerPath('skopeo'), args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd !== undefined && { cwd }) });
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describeWithPeers(['docker-registry', 'skopeo', 'umoci'], 'ocikit copy with docker:// (built bin, plain registry)', () => {
  const s = registrySuite('cli-copy-registry', { image: { content: 'pushed by ocikit\n' } });
  let proxy: RunningProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy(s.registry);
  });
  afterAll(() => proxy?.stop());

  it('pulls what skopeo pushed, with the digest the registry names, into a layout that validates', async () => {
    const other = path.join(s.tmp, 'skopeo-src');
    await packImage(`${other}:v1`, s.tmp, { content: 'pushed by skopeo\n' });
    skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${other}:v1`, `docker://${s.registry.host}/skopeo/img:v1`]);
    const raw = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${s.registry.host}/skopeo/img:v1`]);
    const dst = path.join(s.tmp, 'pulled');
    const r = await s.cli(['copy', '--json', '--src-tls-verify=false', `docker://${s.registry.host}/skopeo/img:v1`, `oci:${dst}:got`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ descriptor: { digest: sha256(raw) }, manifests: 1, blobs: { copied: 2, skipped: 0, mounted: 0 } });
    expect(named(dst, 'got')).toEqual([sha256(raw)]);
    const validated = await s.cli(['validate', '--deep', dst]);
    expect([validated.code, validated.stderr]).toEqual([ExitCode.Ok, '']);
  });

  it('pushes what skopeo then reads and copies back', async () => {
    const r = await s.cli(['copy', '--dest-tls-verify=false', `oci:${s.src}:v1`, `docker://${s.registry.host}/ocikit/img:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r.stdout).toMatch(new RegExp(`^copied ${s.image.digest} to docker://${s.registry.host}/ocikit/img:v1: 1 manifest, 2 blobs copied \\([^)]+\\), 0 skipped\\n$`));
    const inspected = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${s.registry.host}/ocikit/img:v1`]).toString('utf8')) as { Digest: string };
    expect(inspected.Digest).toBe(s.image.digest);
    const back = path.join(s.tmp, 'skopeo-back');
    skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${s.registry.host}/ocikit/img:v1`, `oci:${back}:v1`]);
    expect(JSON.parse(skopeo(['inspect', '--raw', `oci:${back}:v1`]).toString('utf8'))).toEqual(JSON.parse(readFileSync(path.join(s.src, 'blobs/sha256', s.image.digest.slice(7)), 'utf8')));
    // Pushed again: every blob is skipped.
    const again = await s.cli(['copy', '--json', '--tls-verify=false', `oci:${s.src}:v1`, `docker://${s.registry.host}/ocikit/img:v1`]);
    expect(JSON.parse(again.stdout)).toMatchObject({ blobs: { copied: 0, skipped: 2, mounted: 0 } });
    // Between repositories of the registry: mounted.
    const mounted = await s.cli(['copy', '--json', '--tls-verify=false', `docker://${s.registry.host}/ocikit/img:v1`, `docker://${s.registry.host}/ocikit/other:v1`]);
    expect([mounted.code, mounted.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(mounted.stdout)).toMatchObject({ descriptor: { digest: s.image.digest }, blobs: { copied: 0, skipped: 0, mounted: 2 } });
  });

  it('carries a umoci layout through the registry and back, and umoci unpacks the result', async () => {
    const sh = (args: string[]) => execFileSync(peerPath('umoci'), args, { cwd: s.tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(path.join(s.tmp, 'umoci-file'), 'made by umoci\n');
    sh(['init', '--layout', 'umoci']);
    sh(['new', '--image', 'umoci:v1']);
    sh(['insert', '--rootless', '--image', 'umoci:v1', 'umoci-file', '/etc/hello']);
    const pushed = await s.cli(['copy', '--json', '--tls-verify=false', `oci:${path.join(s.tmp, 'umoci')}:v1`, `docker://${s.registry.host}/umoci/img:v1`]);
    expect([pushed.code, pushed.stderr]).toEqual([ExitCode.Ok, '']);
    const pulled = await s.cli(['copy', '--json', '--tls-verify=false', `docker://${s.registry.host}/umoci/img:v1`, `oci:${path.join(s.tmp, 'umoci-back')}:v1`]);
    expect([pulled.code, pulled.stderr]).toEqual([ExitCode.Ok, '']);
    expect((JSON.parse(pulled.stdout) as { descriptor: Descriptor }).descriptor.digest).toBe((JSON.parse(pushed.stdout) as { descriptor: Descriptor }).descriptor.digest);
    sh(['unpack', '--rootless', '--image', 'umoci-back:v1', 'umoci-bundle']);
    expect(readFileSync(path.join(s.tmp, 'umoci-bundle/rootfs/etc/hello'), 'utf8')).toBe('made by umoci\n');
  });

  it('says in one line that a repository is not there (exit 1), and names nothing in the layout', async () => {
    const dst = path.join(s.tmp, 'missing');
    const r = await s.cli(['copy', '--tls-verify=false', `docker://${s.registry.host}/no/such:v1`, `oci:${dst}:v1`]);
    expectOneLine(r, ExitCode.Failure);
    expect(r.stderr).toMatch(/^ocikit: copy: .*no\/such.* \[(MANIFEST_UNKNOWN|NAME_UNKNOWN)\]\n$/);
    expect(r.stderr).toContain(s.registry.host);
    expect(named(dst, 'v1')).toEqual([]);
    const json = await s.cli(['copy', '--json', '--tls-verify=false', `docker://${s.registry.host}/no/such:v1`, `oci:${dst}:v1`]);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { status: ExitCode.Failure } });
  });

  it('resumes a blob download dropped mid-way with a Range request, and the result validates', async () => {
    const big = path.join(s.tmp, 'big');
    // Incompressible content, so the layer is large enough to be cut in the middle.
    const big64 = Buffer.alloc(256 * 1024);
    for (let i = 0; i < big64.length; i += 32) createHash('sha256').update(String(i)).digest().copy(big64, i);
    const bigImage = await packImage(`${big}:v1`, s.tmp, { content: big64.toString('base64') });
    expect((await s.cli(['copy', '--tls-verify=false', `oci:${big}:v1`, `docker://${s.registry.host}/faults/big:v1`])).code).toBe(ExitCode.Ok);
    const layer = (JSON.parse(readFileSync(path.join(big, 'blobs/sha256', bigImage.digest.slice(7)), 'utf8')) as { layers: Descriptor[] }).layers[0]!;
    proxy.setFaults([{ method: 'GET', path: new RegExp(`/blobs/${layer.digest}$`), action: { dropAfterBytes: Math.floor(layer.size / 2) } }]);
    const start = proxy.requests.length;
    const dst = path.join(s.tmp, 'resumed');
    const r = await s.cli(['copy', '--tls-verify=false', `docker://${proxy.host}/faults/big:v1`, `oci:${dst}:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    const gets = proxy.requests.slice(start).filter((q) => q.method === 'GET' && q.path.endsWith(layer.digest));
    expect(gets[0]!.fault).toBe('drop');
    expect(gets.some((q) => q.range !== undefined && /^bytes=[1-9][0-9]*-$/.test(q.range))).toBe(true);
    expect(named(dst, 'v1')).toEqual([bigImage.digest]);
    expect((await s.cli(['validate', '--deep', dst])).code).toBe(ExitCode.Ok);
  });

  it('outlasts 500s from the registry', async () => {
    proxy.setFaults([
      { method: 'HEAD', path: /\/manifests\/v1$/, times: 2, action: { status: 500 } },
      { method: 'PUT', path: /\/manifests\//, times: 1, action: { status: 503 } },
    ]);
    const start = proxy.requests.length;
    const r = await s.cli(['copy', '--json', '--tls-verify=false', `docker://${proxy.host}/ocikit/img:v1`, `docker://${proxy.host}/faults/retried:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(proxy.requests.slice(start).filter((q) => q.fault === 'status')).toHaveLength(3);
    const inspected = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${s.registry.host}/faults/retried:v1`]).toString('utf8')) as { Digest: string };
    expect(inspected.Digest).toBe(s.image.digest);
  });

  it('shows per-blob progress of a pull on a terminal only', async () => {
    const { runCliOnTty } = await import('../../test-support/run-cli.js');
    const tty = await runCliOnTty(['copy', '--tls-verify=false', `docker://${s.registry.host}/ocikit/img:v1`, `oci:${path.join(s.tmp, 'tty')}:v1`], { env: s.env });
    expect(tty.code).toBe(ExitCode.Ok);
    expect(tty.screen.split('\r\u001b[K').some((l) => /^\d+ blobs through; (done|skipped) sha256:[0-9a-f]{12}/.test(l))).toBe(true);
    const piped = await s.cli(['copy', '--tls-verify=false', `docker://${s.registry.host}/ocikit/img:v1`, `oci:${path.join(s.tmp, 'piped')}:v1`]);
    expect([piped.code, piped.stderr]).toEqual([ExitCode.Ok, '']);
  });
});

describeWithPeers(['docker-registry', 'skopeo'], 'ocikit copy with docker:// (built bin, htpasswd registry)', () => {
  const PASSWORD = 'correct-horse-battery';
  const WRONG = 'wrong-staple-9137';
  const s = registrySuite('cli-copy-htpasswd', { registry: { auth: { kind: 'htpasswd', users: [{ username: 'alice', password: PASSWORD }] } } });

  it('pushes with --dest-creds', async () => {
    const r = await s.cli(['copy', '--json', '--dest-tls-verify=false', '--dest-creds', `alice:${PASSWORD}`, `oci:${s.src}:v1`, `docker://${s.registry.host}/auth/img:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ descriptor: { digest: s.image.digest } });
    expect(r.stdout).not.toContain(PASSWORD);
  });

  it('says a wrong password in one line, exit 1, never the password', async () => {
    for (const json of [false, true]) {
      const r = await s.cli(['copy', ...(json ? ['--json'] : []), '--dest-tls-verify=false', '--dest-creds', `alice:${WRONG}`, `oci:${s.src}:v1`, `docker://${s.registry.host}/auth/img:v2`]);
      expectOneLine(r, ExitCode.Failure);
      expect(r.stderr + r.stdout).not.toContain(WRONG);
      if (json) expect(JSON.parse(r.stderr)).toMatchObject({ error: { status: ExitCode.Failure, code: 'UNAUTHORIZED' } });
      else expect(r.stderr).toMatch(new RegExp(`^ocikit: copy: registry ${s.registry.host.replace(/\./g, '\\.')} refused the credentials for repository auth/img \\[UNAUTHORIZED\\]\\n$`));
    }
    // Nothing anonymous gets through either.
    const anon = await s.cli(['copy', '--tls-verify=false', `docker://${s.registry.host}/auth/img:v1`, `oci:${path.join(s.tmp, 'anon')}:v1`]);
    expectOneLine(anon, ExitCode.Failure);
    expect(anon.stderr).toContain('[UNAUTHORIZED]');
    expect(named(path.join(s.tmp, 'anon'), 'v1')).toEqual([]);
  });

  it('pulls with the credentials skopeo login wrote to --authfile', async () => {
    const authfile = path.join(s.tmp, 'auth.json');
    execFileSync(peerPath('skopeo'), ['login', '--tls-verify=false', '--authfile', authfile, '--username', 'alice', '--password-stdin', s.registry.host], { input: PASSWORD, stdio: ['pipe', 'pipe', 'pipe'] });
    const dst = path.join(s.tmp, 'via-authfile');
    const r = await s.cli(['copy', '--json', '--src-tls-verify=false', '--src-authfile', authfile, `docker://${s.registry.host}/auth/img:v1`, `oci:${dst}:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(named(dst, 'v1')).toEqual([s.image.digest]);
    const plain = await s.cli(['copy', '--tls-verify=false', '--authfile', authfile, `oci:${s.src}:v1`, `docker://${s.registry.host}/auth/img:v3`]);
    expect([plain.code, plain.stderr]).toEqual([ExitCode.Ok, '']);
  });
});

describeWithPeers(['docker-registry', 'openssl'], 'ocikit copy with docker:// (built bin, TLS registry)', () => {
  const s = registrySuite('cli-copy-tls', { registry: { tls: true } });

  it('refuses an untrusted certificate in one line with the remedy (exit 1)', async () => {
    const r = await s.cli(['copy', `oci:${s.src}:v1`, `docker://${s.registry.host}/tls/img:v1`]);
    expectOneLine(r, ExitCode.Failure);
    expect(r.stderr).toContain(s.registry.host);
    expect(r.stderr).toContain('--tls-verify=false');
    expect(r.stderr).toContain('[REGISTRY_TLS]');
  });

  it('trusts the CA in --dest-cert-dir, and anything with --dest-tls-verify=false', async () => {
    const certs = path.join(s.tmp, 'certs');
    mkdirSync(certs);
    writeFileSync(path.join(certs, 'ca.crt'), s.registry.caPem!);
    const r = await s.cli(['copy', '--json', '--dest-cert-dir', certs, `oci:${s.src}:v1`, `docker://${s.registry.host}/tls/img:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ descriptor: { digest: s.image.digest } });
    const insecure = await s.cli(['copy', '--json', '--dest-tls-verify=false', `oci:${s.src}:v1`, `docker://${s.registry.host}/tls/img:v2`]);
    expect([insecure.code, insecure.stderr]).toEqual([ExitCode.Ok, '']);
    const back = await s.cli(['copy', '--json', '--src-cert-dir', certs, `docker://${s.registry.host}/tls/img:v2`, `oci:${path.join(s.tmp, 'back')}:v1`]);
    expect([back.code, back.stderr]).toEqual([ExitCode.Ok, '']);
    expect(named(path.join(s.tmp, 'back'), 'v1')).toEqual([s.image.digest]);
  });
});

describeWithPeers(['docker-registry', 'openssl'], 'ocikit copy with docker:// (built bin, token registry)', () => {
  const s = registrySuite('cli-copy-token', {
    registry: {
      auth: {
        kind: 'token',
        users: [
          { username: 'writer', password: 'writer-pass' },
          { username: 'reader', password: 'reader-pass', push: [], pull: ['shared/*'] },
        ],
      },
    },
  });

  beforeAll(async () => {
    const r = await s.cli(['copy', '--tls-verify=false', '--creds', 'writer:writer-pass', `oci:${s.src}:v1`, `docker://${s.registry.host}/shared/img:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
  });

  it('lets a pull-only user pull, and refuses its push in one line (exit 1)', async () => {
    const dst = path.join(s.tmp, 'reader');
    const pulled = await s.cli(['copy', '--tls-verify=false', '--creds', 'reader:reader-pass', `docker://${s.registry.host}/shared/img:v1`, `oci:${dst}:v1`]);
    expect([pulled.code, pulled.stderr]).toEqual([ExitCode.Ok, '']);
    expect(named(dst, 'v1')).toEqual([s.image.digest]);
    const pushed = await s.cli(['copy', '--tls-verify=false', '--creds', 'reader:reader-pass', `oci:${s.src}:v1`, `docker://${s.registry.host}/shared/img:v2`]);
    expectOneLine(pushed, ExitCode.Failure);
    expect(pushed.stderr).toMatch(/^ocikit: copy: .*shared\/img.* \[(DENIED|UNAUTHORIZED)\]\n$/);
    expect(pushed.stderr).not.toContain('reader-pass');
    // The refused push named nothing: the writer finds no v2.
    const v2 = await s.cli(['copy', '--tls-verify=false', '--creds', 'writer:writer-pass', `docker://${s.registry.host}/shared/img:v2`, `oci:${path.join(s.tmp, 'v2')}:v2`]);
    expectOneLine(v2, ExitCode.Failure);
    expect(v2.stderr).toContain('[MANIFEST_UNKNOWN]');
  });

  it('leaves the destination layout without a new ref when a pull is refused', async () => {
    const dst = path.join(s.tmp, 'refused');
    expect((await s.cli(['copy', `oci:${s.src}:v1`, `oci:${dst}:kept`])).code).toBe(ExitCode.Ok);
    const before = readFileSync(path.join(dst, 'index.json'));
    const r = await s.cli(['copy', '--tls-verify=false', '--creds', 'reader:reader-pass', `docker://${s.registry.host}/private/img:v1`, `oci:${dst}:new`]);
    expectOneLine(r, ExitCode.Failure);
    expect(r.stderr).toContain('private/img');
    expect(readFileSync(path.join(dst, 'index.json'))).toEqual(before);
    expect(named(dst, 'new')).toEqual([]);
  });
});
