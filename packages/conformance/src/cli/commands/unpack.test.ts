import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Layout } from '@ocikit/bundle';
import { validate } from '@ocikit/runtime-spec';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-layer image whose layer is `tar czf` of `tree` (with GNU tar's own flags). */
async function image(dir: string, tarArgs: string[], config: object = {}): Promise<{ layerFile: string }> {
  const layout = await Layout.create(dir);
  const gz = execFileSync('tar', ['-cz', ...tarArgs]);
  const w = await layout.writeBlob(gz);
  const cfg = await layout.writeJson(
    { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [sha256(gunzipSync(gz))] } },
    'application/vnd.oci.image.config.v1+json',
  );
  const m = await layout.writeJson(
    { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...w }] },
    'application/vnd.oci.image.manifest.v1+json',
  );
  await layout.setRef('v1', m);
  return { layerFile: path.join(dir, 'blobs', ...w.digest.split(':')) };
}

describe('ocikit unpack (built bin)', () => {
  let tmp: string;
  let tree: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(process.platform === 'linux' ? '/dev/shm' : os.tmpdir(), 'ocikit-cli-unpack-'));
    tree = path.join(tmp, 'tree');
    mkdirSync(path.join(tree, 'etc'), { recursive: true });
    writeFileSync(path.join(tree, 'etc/hello'), 'hello\n');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('unpacks LAYOUT:REF into a bundle and says so on one line', async () => {
    const l = path.join(tmp, 'ok');
    await image(l, ['-C', tree, '.'], { Cmd: ['/bin/true'] });
    const b = path.join(tmp, 'ok-bundle');
    const r = await runCli(['unpack', '--image', `${l}:v1`, b]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r.stdout).toMatch(/^unpacked sha256:[0-9a-f]{64} \(1 layers, \d+ entries\) into .*ok-bundle\n$/);
    expect(readFileSync(path.join(b, 'rootfs/etc/hello'), 'utf8')).toBe('hello\n');
    expect(JSON.parse(readFileSync(path.join(b, 'config.json'), 'utf8')).process.args).toEqual(['/bin/true']);
  });

  it('--json prints the result', async () => {
    const l = path.join(tmp, 'json');
    await image(l, ['-C', tree, '.']);
    const r = await runCli(['unpack', '--json', '--image', `${l}:v1`, path.join(tmp, 'json-bundle')]);
    expect(r.code).toBe(ExitCode.Ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ provenance: { image: { ref: 'v1' } } });
  });

  it('exits 2 on usage errors and unreadable layouts, with one line', async () => {
    for (const args of [['unpack', 'b'], ['unpack', '--image', 'x'], ['unpack', '--image', 'x', '--max-size', 'lots', 'b'], ['unpack', '--image', path.join(tmp, 'missing'), 'b']]) {
      const r = await runCli(args);
      expect([args, r.code]).toEqual([args, ExitCode.Usage]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses hostile or broken images with exit 1, one line, no stack, nothing left behind', async () => {
    const cases: [string, () => Promise<void>][] = [
      ['absolute names', async () => void (await image(path.join(tmp, 'abs'), ['-P', path.join(tree, 'etc/hello')]))],
      [
        'corrupt blob',
        async () => {
          const { layerFile } = await image(path.join(tmp, 'corrupt'), ['-C', tree, '.']);
          const b = readFileSync(layerFile);
          b.writeUInt8(b.readUInt8(b.length - 12) ^ 0xff, b.length - 12);
          writeFileSync(layerFile, b);
        },
      ],
      [
        'truncated layer',
        async () => {
          const { layerFile } = await image(path.join(tmp, 'trunc'), ['-C', tree, '.']);
          writeFileSync(layerFile, readFileSync(layerFile).subarray(0, 40));
        },
      ],
    ];
    for (const [label, make] of cases) {
      await make();
      const dir = { 'absolute names': 'abs', 'corrupt blob': 'corrupt', 'truncated layer': 'trunc' }[label]!;
      const parent = path.join(tmp, `out-${dir}`);
      mkdirSync(parent);
      const r = await runCli(['unpack', '--image', `${path.join(tmp, dir)}:v1`, path.join(parent, 'bundle')]);
      expect([label, r.code]).toEqual([label, ExitCode.Failure]);
      expect(r.stderr).toMatch(/^ocikit: unpack: [^\n]+\n$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(parent)).toEqual([]);
    }
  });
});

describe('ocikit unpack --oci-version (built bin)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'ocikit-cli-unpack-version-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes config.json declaring that release, clean under it', async () => {
    const tree = path.join(tmp, 'tree');
    mkdirSync(path.join(tree, 'etc'), { recursive: true });
    await image(path.join(tmp, 'l'), ['-C', tree, '.'], { Cmd: ['/bin/true'] });
    const b = path.join(tmp, 'b');
    const r = await runCli(['unpack', '--oci-version', '1.0.2', '--image', `${path.join(tmp, 'l')}:v1`, b]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    const config = JSON.parse(readFileSync(path.join(b, 'config.json'), 'utf8'));
    expect(config.ociVersion).toBe('1.0.2');
    const v = validate('runtime-config', config);
    expect(v.errors).toEqual([]);
    expect(v.warnings.filter((w) => w.code === 'SpecVersionFieldTooNew')).toEqual([]);
  });

  it('an unknown release is a usage error, and nothing is written', async () => {
    const b = path.join(tmp, 'never');
    const r = await runCli(['unpack', '--oci-version', '2.0.0', '--image', `${path.join(tmp, 'l')}:v1`, b]);
    expect([r.code, r.stdout]).toEqual([ExitCode.Usage, '']);
    expect(r.stderr).toMatch(/--oci-version must be one of 1\.0\.0, .*1\.3\.0/);
    expect(existsSync(b)).toBe(false);
  });
});

// Debian 12's crun 1.8.1 refuses any ociVersion but 1.0.x and 1.1.x ("unknown version specified").
// Needs root, crun, unshare and busybox-static.
const canRunCrun =
  process.getuid?.() === 0 && spawnSync('crun', ['--version']).status === 0 && spawnSync('unshare', ['--version']).status === 0 && existsSync('/bin/busybox');

/**
 * `crun run` of a bundle. crun 1.8.1 refuses a cgroup hybrid host ("cgroups in
 * hybrid mode not supported, drop all controllers from cgroupv2", even with
 * --cgroup-manager=disabled); in a private mount namespace without the
 * cgroup2 hierarchy (unmounted there, not on the host) it sees plain cgroup v1.
 */
function crunRun(bundle: string, id: string): { status: number | null; stdout: string; stderr: string } {
  const hybrid = existsSync('/sys/fs/cgroup/unified/cgroup.controllers');
  const script = `${hybrid ? 'umount /sys/fs/cgroup/unified && ' : ''}exec crun run --bundle "$1" "$2"`;
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', bundle, id], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

(canRunCrun ? describe : describe.skip)('ocikit unpack --oci-version 1.0.2 runs under real crun', () => {
  let tmp: string;
  let layout: string;
  const ids: string[] = [];
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'ocikit-cli-unpack-crun-'));
    const tree = path.join(tmp, 'tree');
    mkdirSync(path.join(tree, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', path.join(tree, 'bin/busybox'));
    for (const name of ['sh', 'echo', 'cat']) symlinkSync('busybox', path.join(tree, 'bin', name));
    layout = path.join(tmp, 'layout');
    await image(layout, ['-C', tree, '.'], { Cmd: ['/bin/echo', 'hello from crun'] });
  });
  afterAll(() => {
    for (const id of ids) spawnSync('crun', ['delete', '--force', id], { timeout: 10_000 });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('without --oci-version crun refuses the 1.3.0 config; with 1.0.2 it runs the image', async () => {
    const newest = path.join(tmp, 'newest');
    expect((await runCli(['unpack', '--image', `${layout}:v1`, newest])).code).toBe(ExitCode.Ok);
    ids.push(`ocikit-test-${process.pid}-newest`);
    const refused = crunRun(newest, ids.at(-1)!);
    expect([refused.status, refused.stderr.trim()]).toEqual([1, 'unknown version specified']);

    const older = path.join(tmp, 'older');
    const r = await runCli(['unpack', '--oci-version', '1.0.2', '--image', `${layout}:v1`, older]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    ids.push(`ocikit-test-${process.pid}-older`);
    const ran = crunRun(older, ids.at(-1)!);
    expect([ran.status, ran.stderr, ran.stdout]).toEqual([0, '', 'hello from crun\n']);
  });
});
