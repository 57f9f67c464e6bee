import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Layout } from '@ocikit/bundle';
import { validate } from '@ocikit/runtime-spec';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';
import { describeWithPeers, peerPath, suiteScratch } from '@ocikit/testkit';
import { scratchDir } from '../../test-support/scratch.js';


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
    tmp = scratchDir('cli-unpack');
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

  it('unpacks a GNU tar -P layer (absolute names and hardlink targets) inside the rootfs; validate --deep warns', async () => {
    const l = path.join(tmp, 'abs');
    // GNU tar -P keeps the leading "/" on names and on hardlink targets.
    linkSync(path.join(tree, 'etc/hello'), path.join(tree, 'etc/hello-link'));
    try {
      await image(l, ['-P', path.join(tree, 'etc/hello'), path.join(tree, 'etc/hello-link')]);
    } finally {
      rmSync(path.join(tree, 'etc/hello-link'));
    }
    const b = path.join(tmp, 'abs-bundle');
    const r = await runCli(['unpack', '--image', `${l}:v1`, b]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    const inside = path.join(b, 'rootfs', tree.slice(1), 'etc');
    expect(readFileSync(path.join(inside, 'hello'), 'utf8')).toBe('hello\n');
    expect(lstatSync(path.join(inside, 'hello-link')).ino).toBe(lstatSync(path.join(inside, 'hello')).ino);

    const v = await runCli(['validate', '--deep', '--json', l]);
    const [result] = JSON.parse(v.stdout).results;
    expect([v.code, result.valid]).toEqual([ExitCode.Ok, true]);
    expect(result.warnings.map((w: { code: string; level: string }) => `${w.level} ${w.code}`).sort()).toEqual(['SHOULD LAYER_ABSOLUTE_LINK', 'SHOULD LAYER_ABSOLUTE_PATH', 'SHOULD LAYER_ABSOLUTE_PATH']);
    expect(result.warnings[0]).toMatchObject({ path: expect.stringMatching(/^blobs\/sha256\/[0-9a-f]{64}$/), ref: expect.stringContaining('layer.md') });
  });

  it('refuses hostile or broken images with exit 1, one line naming the layer (and entry), no stack, nothing left behind', async () => {
    const cases: [string, () => Promise<void>][] = [
      ['dotdot', async () => void (await image(path.join(tmp, 'dotdot'), ['-P', '--transform', 's,^etc/hello,etc/../../x,', '-C', tree, 'etc/hello']))],
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
      const dir = { dotdot: 'dotdot', 'corrupt blob': 'corrupt', 'truncated layer': 'trunc' }[label]!;
      const parent = path.join(tmp, `out-${dir}`);
      mkdirSync(parent);
      const r = await runCli(['unpack', '--image', `${path.join(tmp, dir)}:v1`, path.join(parent, 'bundle')]);
      expect([label, r.code]).toEqual([label, ExitCode.Failure]);
      expect(r.stderr).toMatch(/^ocikit: unpack: layer sha256:[0-9a-f]{64}(?: entry "[^"\n]*")?: [^\n]+\n$/);
      if (label === 'dotdot') expect(r.stderr).toContain(' entry "etc/../../x": ');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(parent)).toEqual([]);
    }
  });
});

// umoci 0.4.7's insert writes an entry named "/" for `insert DIR /`, and
// layers without the tar end-of-archive marker (umoci#436).
describeWithPeers(['umoci', 'tar'], 'ocikit unpack of layers written by umoci insert (built bin)', () => {
  const tmp = suiteScratch('cli-umoci');

  it('unpacks to the tree umoci unpacks, and validate --deep finds it valid with warnings', async () => {
    const L = path.join(tmp.dir, 'L');
    const src = path.join(tmp.dir, 'src');
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'sub/a'), 'a\n');
    writeFileSync(path.join(tmp.dir, 'hello'), 'hello\n');
    const umociRun = (...args: string[]) => execFileSync('umoci', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    umociRun('init', '--layout', L);
    umociRun('new', '--image', `${L}:t`);
    umociRun('insert', '--image', `${L}:t`, path.join(tmp.dir, 'hello'), '/etc/hello');
    umociRun('insert', '--image', `${L}:t`, src, '/');
    umociRun('insert', '--image', `${L}:t`, '--whiteout', '/etc/hello');

    const index = JSON.parse(readFileSync(path.join(L, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(L, 'blobs', ...index.manifests[0].digest.split(':')), 'utf8'));
    const listed = (manifest.layers as { digest: string }[]).map((d) => spawnSync('tar', ['-tzf', path.join(L, 'blobs', ...d.digest.split(':'))], { encoding: 'utf8' }));
    // What umoci wrote: the second layer's first entry is "/", and GNU tar
    // lists every entry but fails on the missing end-of-archive marker.
    expect(listed[1]!.stdout.split('\n')[0]).toBe('/');
    expect(listed.map((t) => [t.status, /Unexpected EOF/.test(t.stderr)])).toContainEqual([2, true]);

    const b = path.join(tmp.dir, 'bundle');
    const r = await runCli(['unpack', '--image', `${L}:t`, b]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    umociRun('unpack', '--image', `${L}:t`, path.join(tmp.dir, 'theirs'));
    const list = (root: string): string[] => {
      const out: string[] = [];
      const walk = (rel: string) => {
        for (const n of readdirSync(path.join(root, rel)).sort()) {
          const r = rel ? `${rel}/${n}` : n;
          const st = lstatSync(path.join(root, r));
          out.push(`${r} ${st.isDirectory() ? 'd' : readFileSync(path.join(root, r), 'utf8')} ${(st.mode & 0o7777).toString(8)}`);
          if (st.isDirectory()) walk(r);
        }
      };
      walk('');
      return out;
    };
    expect(list(path.join(b, 'rootfs'))).toEqual(list(path.join(tmp.dir, 'theirs/rootfs')));
    expect(list(path.join(b, 'rootfs'))).toContain('sub/a a\n 644');

    const v = await runCli(['validate', '--deep', '--json', L]);
    const [result] = JSON.parse(v.stdout).results;
    expect([v.code, result.valid, result.errors]).toEqual([ExitCode.Ok, true, []]);
    const codes = new Set<string>(result.warnings.map((w: { code: string }) => w.code));
    expect([...codes].filter((c) => c.startsWith('LAYER_')).sort()).toEqual(['LAYER_ABSOLUTE_PATH', 'LAYER_TAR_UNTERMINATED']);
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
const CRUN_PEERS = ['root', 'crun', 'unshare', 'busybox'] as const;

/**
 * `crun run` of a bundle. crun 1.8.1 refuses a cgroup hybrid host ("cgroups in
 * hybrid mode not supported, drop all controllers from cgroupv2", even with
 * --cgroup-manager=disabled); in a private mount namespace without the
 * cgroup2 hierarchy (unmounted there, not on the host) it sees plain cgroup v1.
 */
function crunRun(bundle: string, id: string): { status: number | null; stdout: string; stderr: string } {
  const hybrid = existsSync('/sys/fs/cgroup/unified/cgroup.controllers');
  const script = `${hybrid ? 'umount /sys/fs/cgroup/unified && ' : ''}exec crun run --bundle "$1" "$2"`;
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', bundle, id], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeWithPeers(CRUN_PEERS, 'ocikit unpack --oci-version 1.0.2 runs under real crun', () => {
  let tmp: string;
  let layout: string;
  const ids: string[] = [];
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'ocikit-cli-unpack-crun-'));
    const tree = path.join(tmp, 'tree');
    mkdirSync(path.join(tree, 'bin'), { recursive: true });
    copyFileSync(peerPath('busybox'), path.join(tree, 'bin/busybox'));
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
