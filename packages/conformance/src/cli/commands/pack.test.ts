import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';
import { havePeers } from '@ocikit/testkit';
import { scratchDir, writeHelloBundle } from '../../test-support/scratch.js';


describe('ocikit pack (built bin)', () => {
  let tmp: string;
  let b: string;
  beforeAll(() => {
    tmp = scratchDir('cli-pack');
    b = writeHelloBundle(path.join(tmp, 'bundle'), { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { args: ['/bin/hello'], cwd: '/', env: ['X=1'], user: { uid: 0, gid: 0 } } });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('packs a bundle into LAYOUT:REF, reproducibly, and unpack -> pack -> unpack keeps the bundle digest', async () => {
    const l1 = path.join(tmp, 'l1');
    const r1 = await runCli(['pack', '--image', `${l1}:v1`, b]);
    expect([r1.code, r1.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r1.stdout).toMatch(/^packed sha256:[0-9a-f]{64} as .*l1:v1 with one full layer \(3 entries\) sha256:[0-9a-f]{64}\n$/);
    const r2 = await runCli(['pack', '--json', '--image', `${path.join(tmp, 'l2')}:v1`, b]);
    const j1 = r1.stdout.split(' ')[1];
    expect(JSON.parse(r2.stdout).manifest.digest).toBe(j1);
    const index = JSON.parse(readFileSync(path.join(l1, 'index.json'), 'utf8'));
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('v1');

    const u = path.join(tmp, 'unpacked');
    expect((await runCli(['unpack', '--image', `${l1}:v1`, u])).code).toBe(ExitCode.Ok);
    const again = await runCli(['pack', '--image', `${l1}:v2`, u]);
    expect(again.stdout).toMatch(/with no new layer \(nothing changed\)\n$/);
    const u2 = path.join(tmp, 'unpacked2');
    expect((await runCli(['unpack', '--image', `${l1}:v2`, u2])).code).toBe(ExitCode.Ok);
    expect((await runCli(['bundle', 'digest', u2])).stdout).toBe((await runCli(['bundle', 'digest', u])).stdout);
  });

  it('writes gzip layers (several members, made on worker threads) that gzip -d reads to the diff_id, the same tar whichever libdeflate build deflates', async () => {
    const big = path.join(tmp, 'big');
    mkdirSync(path.join(big, 'rootfs'), { recursive: true });
    writeFileSync(path.join(big, 'config.json'), JSON.stringify({ ociVersion: '1.2.0', root: { path: 'rootfs' } }));
    // 12 MiB of text that compresses: three or more 4 MiB members.
    writeFileSync(path.join(big, 'rootfs/words'), Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => `line ${i} ${(i * 2654435761) % 1000003}\n`).join('').repeat(1)));
    const packWith = async (deflater: string, name: string) => {
      const r = await runCli(['pack', '--json', '--deflater', deflater, '--image', `${path.join(tmp, name)}:t`, big]);
      expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
      const res = JSON.parse(r.stdout) as { layer: { digest: string; size: number }; diffId: string };
      return { ...res, blob: path.join(tmp, name, 'blobs', ...res.layer.digest.split(':')) };
    };
    const deflaters = ['auto', 'wasm', ...(havePeers('libdeflate') ? ['native'] : [])];
    const results = [];
    for (const d of deflaters) results.push(await packWith(d, `gz-${d}`));
    for (const res of results) {
      const tar = execFileSync('gzip', ['-dc', res.blob], { maxBuffer: 1 << 30 });
      expect(`sha256:${createHash('sha256').update(tar).digest('hex')}`).toBe(res.diffId);
      expect(tar.length).toBeGreaterThan(8 << 20);
      expect(res.diffId).toBe(results[0]!.diffId);
      // Every member starts with the gzip magic; more than one member.
      const gz = readFileSync(res.blob);
      let members = 0;
      for (let i = gz.indexOf(Buffer.from([0x1f, 0x8b, 8])); i >= 0; i = gz.indexOf(Buffer.from([0x1f, 0x8b, 8]), i + 1)) members++;
      expect(members).toBeGreaterThan(1);
    }
    // The WebAssembly build is pinned: the same compressed bytes again.
    expect((await packWith('wasm', 'gz-wasm-again')).layer.digest).toBe(results[1]!.layer.digest);
  });

  it('honours SOURCE_DATE_EPOCH, --compress and --format archive', async () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const a = await runCli(['pack', '--json', '--compress', 'zstd', '--image', `${path.join(tmp, 'z1')}:t`, b], { env });
    const c = await runCli(['pack', '--json', '--compress', 'zstd', '--image', `${path.join(tmp, 'z2')}:t`, b], { env });
    expect(a.code).toBe(ExitCode.Ok);
    const ja = JSON.parse(a.stdout);
    expect(ja.layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(JSON.parse(c.stdout).manifest.digest).toBe(ja.manifest.digest);
    const archive = path.join(tmp, 'image.tar');
    const r = await runCli(['pack', '--format', 'archive', '--compress', 'none', '--image', `${archive}:t`, b], { env });
    expect(r.code).toBe(ExitCode.Ok);
    const u = path.join(tmp, 'from-archive');
    expect((await runCli(['unpack', '--image', `${archive}:t`, u])).code).toBe(ExitCode.Ok);
    expect(readFileSync(path.join(u, 'rootfs/etc/hello'), 'utf8')).toBe('hello\n');
    expect(JSON.parse(readFileSync(path.join(u, 'config.json'), 'utf8')).annotations['org.opencontainers.image.created']).toBe('2023-11-14T22:13:20Z');
  });

  it('packs into an oci-archive without --format when the target ends in .tar or is an existing file; --format layout against a file is a usage error', async () => {
    const archive = path.join(tmp, 'auto.tar');
    const first = await runCli(['pack', '--image', `${archive}:one`, b]);
    expect([first.code, first.stderr]).toEqual([ExitCode.Ok, '']);
    expect(statSync(archive).isFile()).toBe(true);
    // An existing file, whatever its name, is an archive to add to.
    const renamed = path.join(tmp, 'image.oci');
    renameSync(archive, renamed);
    const second = await runCli(['pack', '--image', `${renamed}:two`, b]);
    expect([second.code, second.stderr]).toEqual([ExitCode.Ok, '']);
    expect(statSync(renamed).isFile()).toBe(true);
    for (const ref of ['one', 'two']) {
      const u = path.join(tmp, `auto-${ref}`);
      expect((await runCli(['unpack', '--image', `${renamed}:${ref}`, u])).code).toBe(ExitCode.Ok);
      expect(readFileSync(path.join(u, 'rootfs/etc/hello'), 'utf8')).toBe('hello\n');
    }
    const refused = await runCli(['pack', '--format', 'layout', '--image', `${renamed}:three`, b]);
    expect(refused.code).toBe(ExitCode.Usage);
    expect(refused.stderr).toMatch(/^ocikit: pack: .*image\.oci" is a file, and --format layout writes a directory.*--format archive\)\n$/);
  });

  it('exits 2 on usage errors and 1 on an unusable bundle, one line each', async () => {
    const l = path.join(tmp, 'lx');
    for (const args of [['pack', b], ['pack', '--image', l], ['pack', '--image', l, '--compress', 'lz4', b], ['pack', '--image', l, '--format', 'zip', b], ['pack', '--image', l, '--deflater', 'zlib', b]]) {
      const r = await runCli(args);
      expect([args, r.code]).toEqual([args, ExitCode.Usage]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const bad = await runCli(['pack', '--image', l, b], { env: { SOURCE_DATE_EPOCH: 'yesterday' } });
    expect(bad.code).toBe(ExitCode.Usage);
    const r = await runCli(['pack', '--image', l, path.join(tmp, 'nothing')]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/^ocikit: pack: bundle .* has no readable config.json \[INVALID_BUNDLE\]\n$/);
  });
});
