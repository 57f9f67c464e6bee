import { describe, expect, it } from '@jest/globals';
import { existsSync, lstatSync, readFileSync, readdirSync, mkdirSync, writeFileSync, unlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@ocikit/runtime-spec';
import { BundleErrorCode } from '../errors.js';
import { MAX_SYMLINKS } from '../fs/confine.js';
import { MAX_PATH_BYTES } from '@ocikit/runtime-spec/confine';
import { makeImage } from '../test-support/image.js';
import { sha256, tarArchive, type TestEntry } from '../test-support/tar-writer.js';
import { unpack, PROVENANCE_FILE, TREE_FILE, type Provenance } from './unpack.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('unpack');

const etc: TestEntry[] = [
  { name: 'etc/', type: '5' },
  { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\n' },
  { name: 'etc/group', content: 'root:x:0:\napp:x:1001:\nwheel:x:10:app,root\naudio:x:29:app\nstaff:x:50:\n' },
];

const layoutDir = () => path.join(s.dir, 'layout');
const bundleDir = () => path.join(s.dir, 'bundle');
const readConfig = () => JSON.parse(readFileSync(path.join(bundleDir(), 'config.json'), 'utf8'));

describe('unpack', () => {
  it('builds rootfs, config.json and the provenance record', async () => {
    const { manifest } = await makeImage(layoutDir(), [[...etc, { name: 'bin/', type: '5' }, { name: 'bin/tool', content: 'v1', mode: 0o755 }], [{ name: 'bin/tool', content: 'v2', mode: 0o755 }, { name: 'etc/.wh.group' }]], {
      ref: 'v1',
      config: { Cmd: ['/bin/tool'], Env: ['A=1'] },
    });
    const r = await unpack(layoutDir(), bundleDir(), { ref: 'v1' });
    expect(readFileSync(path.join(bundleDir(), 'rootfs/bin/tool'), 'utf8')).toBe('v2');
    expect(existsSync(path.join(bundleDir(), 'rootfs/etc/group'))).toBe(false);
    const prov = JSON.parse(readFileSync(path.join(bundleDir(), PROVENANCE_FILE), 'utf8')) as Provenance;
    expect(prov.manifest.digest).toBe(manifest.digest);
    expect(r.provenance.layers).toHaveLength(2);
    const tree = readFileSync(path.join(bundleDir(), TREE_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(tree.find((e) => e.path === 'bin/tool')).toMatchObject({ type: 'file', mode: 0o755, size: 2, digest: sha256(Buffer.from('v2')) });
    expect(validate('runtime-config', readConfig()).valid).toBe(true);
    // Nothing but the bundle beside it.
    expect(readdirSync(s.dir).sort()).toEqual(['bundle', 'layout']);
  });

  it('converts the image config per conversion.md', async () => {
    await makeImage(layoutDir(), [etc], {
      config: {
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: ['echo hi'],
        Env: ['PATH=/custom', 'X=1'],
        WorkingDir: '/work',
        User: 'app',
        ExposedPorts: { '80/tcp': {}, '53/udp': {} },
        Volumes: { '/data': {} },
        StopSignal: 'SIGQUIT',
        Labels: { 'org.opencontainers.image.os': 'from-label', custom: 'yes' },
      },
      configExtra: { 'os.version': '10.0.1', 'os.features': ['a', 'b'], variant: 'v2', author: 'me', created: '2020-01-01T00:00:00Z' },
    });
    await unpack(layoutDir(), bundleDir(), { volumes: true });
    const c = readConfig();
    expect(c.process.args).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(c.process.env).toEqual(['PATH=/custom', 'X=1', 'HOME=/home/app']);
    expect(c.process.cwd).toBe('/work');
    expect(c.process.user).toEqual({ uid: 1000, gid: 1001, additionalGids: [10, 29] });
    expect(c.annotations).toMatchObject({
      'org.opencontainers.image.os': 'from-label',
      'org.opencontainers.image.architecture': 'amd64',
      'org.opencontainers.image.variant': 'v2',
      'org.opencontainers.image.os.version': '10.0.1',
      'org.opencontainers.image.os.features': 'a,b',
      'org.opencontainers.image.author': 'me',
      'org.opencontainers.image.created': '2020-01-01T00:00:00Z',
      'org.opencontainers.image.stopSignal': 'SIGQUIT',
      'org.opencontainers.image.exposedPorts': '80/tcp,53/udp',
      custom: 'yes',
    });
    expect(c.mounts).toContainEqual({ destination: '/data', type: 'bind', source: 'volumes/0', options: ['rbind', 'rw'] });
    expect(lstatSync(path.join(bundleDir(), 'volumes/0')).isDirectory()).toBe(true);
    expect(c.root).toEqual({ path: 'rootfs', readonly: false });
  });

  it('resolves numeric and group forms of Config.User', async () => {
    const cases: [string, object][] = [
      ['1000', { uid: 1000, gid: 1001 }],
      ['4242', { uid: 4242, gid: 0 }],
      ['app:staff', { uid: 1000, gid: 50 }],
      ['7:8', { uid: 7, gid: 8 }],
      ['root', { uid: 0, gid: 0, additionalGids: [10] }],
    ];
    for (const [user, expected] of cases) {
      const l = path.join(s.dir, `l-${user}`);
      const b = path.join(s.dir, `b-${user}`);
      await makeImage(l, [etc], { config: { User: user } });
      await unpack(l, b);
      expect([user, JSON.parse(readFileSync(path.join(b, 'config.json'), 'utf8')).process.user]).toEqual([user, expected]);
    }
  });

  it('refuses an unknown user, and never reads the host /etc/passwd through a symlink', async () => {
    // The image's /etc/passwd points at the host's, which knows "root"; confined, it resolves to itself.
    await makeImage(layoutDir(), [[{ name: 'etc/', type: '5' }, { name: 'etc/passwd', type: '2', linkname: '/../../../../etc/passwd' }]], { config: { User: 'root' } });
    await expect(unpack(layoutDir(), bundleDir())).rejects.toMatchObject({ code: expect.stringMatching(/UNKNOWN_USER|SYMLINK_LOOP|INVALID_PATH/) });
    expect(readdirSync(s.dir)).toEqual(['layout']);
  });

  it('leaves nothing behind on failure (diff_id mismatch) and never touches an existing bundle', async () => {
    await makeImage(layoutDir(), [[{ name: 'f', content: 'x' }]], { diffIds: ['sha256:' + '0'.repeat(64)] });
    await expect(unpack(layoutDir(), bundleDir())).rejects.toMatchObject({ code: BundleErrorCode.DiffIdMismatch });
    expect(readdirSync(s.dir)).toEqual(['layout']);

    mkdirSync(bundleDir());
    writeFileSync(path.join(bundleDir(), 'precious'), 'keep');
    const good = path.join(s.dir, 'good');
    await makeImage(good, [[{ name: 'f', content: 'x' }]]);
    await expect(unpack(good, bundleDir())).rejects.toMatchObject({ code: BundleErrorCode.BundleExists });
    expect(readdirSync(bundleDir())).toEqual(['precious']);
  });

  it('unpacks into an existing empty directory', async () => {
    await makeImage(layoutDir(), [[{ name: 'f', content: 'x' }]]);
    mkdirSync(bundleDir());
    await unpack(layoutDir(), bundleDir());
    expect(readFileSync(path.join(bundleDir(), 'rootfs/f'), 'utf8')).toBe('x');
  });

  it('refuses hostile layers with typed errors and leaves nothing', async () => {
    const hostile: [string, TestEntry[], string][] = [
      ['traversal', [{ name: '../../escape', content: 'x' }], BundleErrorCode.PathEscape],
      ['hardlink out', [{ name: 'h', type: '1', linkname: '../../../etc/passwd' }], BundleErrorCode.PathEscape],
      ['whiteout climbing', [{ name: '.wh...' }], BundleErrorCode.PathEscape],
      ['bare whiteout', [{ name: 'dir/', type: '5' }, { name: 'dir/.wh.' }], BundleErrorCode.PathEscape],
    ];
    for (const [label, entries, code] of hostile) {
      const l = path.join(s.dir, 'l');
      const b = path.join(s.dir, 'b');
      await makeImage(l, [entries]);
      expect([label, await unpack(l, b).then(() => 'ok', (e: { code: string }) => e.code)]).toEqual([label, code]);
      expect(readdirSync(s.dir)).toEqual(['l']);
      rmSync(s.dir, { recursive: true, force: true });
      mkdirSync(s.dir);
    }
  });

  it('unpacks absolute and ./ names inside the rootfs, as GNU tar, umoci and containerd do', async () => {
    await makeImage(layoutDir(), [
      [
        { name: '/', type: '5', mode: 0o755 },
        { name: '/etc/', type: '5' },
        { name: '/etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
        { name: './/etc/group', content: 'root:x:0:\n' },
        { name: 'etc/hl', type: '1', linkname: '/etc/passwd' },
      ],
      [{ name: '/etc/.wh.group' }],
    ]);
    await unpack(layoutDir(), bundleDir());
    const rootfs = path.join(bundleDir(), 'rootfs');
    expect(readdirSync(path.join(rootfs, 'etc')).sort()).toEqual(['hl', 'passwd']);
    expect(lstatSync(path.join(rootfs, 'etc/hl')).ino).toBe(lstatSync(path.join(rootfs, 'etc/passwd')).ino);
  });

  it('names the layer digest and the entry in every refusal, on one line, and as properties', async () => {
    const ok: TestEntry[] = [{ name: 'ok', content: 'ok' }];
    const cases: { label: string; layer: TestEntry[] | Buffer; code: string; entry?: string; maxSize?: number; diffId?: string; corrupt?: (file: string) => void }[] = [
      { label: '".." escape', layer: [{ name: 'etc/../../x', content: 'x' }], code: BundleErrorCode.PathEscape, entry: 'etc/../../x' },
      { label: 'hardlink out', layer: [{ name: 'h', type: '1', linkname: '../../etc/passwd' }], code: BundleErrorCode.PathEscape, entry: 'h' },
      { label: 'hostile symlinks', layer: [{ name: 'a', type: '2', linkname: 'b' }, { name: 'b', type: '2', linkname: 'a' }, { name: 'a/x', content: 'x' }], code: BundleErrorCode.SymlinkLoop, entry: 'a/x' },
      { label: 'whiteout misuse', layer: [{ name: 'd/', type: '5' }, { name: 'd/.wh.' }], code: BundleErrorCode.PathEscape, entry: 'd/.wh.' },
      { label: 'root replaced by a file', layer: [{ name: '/', content: 'x' }], code: BundleErrorCode.InvalidPath, entry: '/' },
      { label: 'bad header', layer: tarArchive([{ name: 'f', content: 'x' }, { name: 'g', badChecksum: true }]), code: BundleErrorCode.InvalidTar },
      { label: 'cut inside an entry', layer: tarArchive([{ name: 'big', content: 'x'.repeat(2000) }], { end: false }).subarray(0, 1200), code: BundleErrorCode.InvalidTar, entry: 'big' },
      { label: 'size limit', layer: [{ name: 'big', content: Buffer.alloc(40_000) }], code: BundleErrorCode.TooLarge, entry: 'big', maxSize: 10_000 },
      { label: 'diff_id mismatch', layer: ok, code: BundleErrorCode.DiffIdMismatch, diffId: `sha256:${'0'.repeat(64)}` },
      { label: 'blob cut short', layer: ok, code: 'SIZE_MISMATCH', corrupt: (f) => writeFileSync(f, readFileSync(f).subarray(0, 20)) },
      { label: 'blob replaced', layer: ok, code: 'DIGEST_MISMATCH', corrupt: (f) => { const b = readFileSync(f); b.writeUInt8(b.readUInt8(b.length - 1) ^ 1, b.length - 1); writeFileSync(f, b); } },
    ];
    for (const c of cases) {
      const l = path.join(s.dir, 'l');
      const { layers } = await makeImage(l, [ok, c.layer], { ...(c.diffId !== undefined && { diffIds: [sha256(tarArchive(ok)), c.diffId] }) });
      const digest = layers[1]!.digest;
      c.corrupt?.(path.join(l, 'blobs/sha256', digest.slice(7)));
      const err = (await unpack(l, path.join(s.dir, 'b'), { ...(c.maxSize !== undefined && { maxSize: c.maxSize }) }).then(
        () => undefined,
        (e: unknown) => e,
      )) as { code: string; message: string; layer?: string; entry?: string } | undefined;
      const where = `layer ${digest}${c.entry === undefined ? '' : ` entry ${JSON.stringify(c.entry)}`}: `;
      expect([c.label, err?.code, err?.layer, err?.entry, err?.message.startsWith(where), err?.message.includes('\n')]).toEqual([c.label, c.code, digest, c.entry, true, false]);
      expect(readdirSync(s.dir)).toEqual(['l']);
      rmSync(s.dir, { recursive: true, force: true });
      mkdirSync(s.dir);
    }
  });

  it('refuses a symlink chain one longer than MAX_SYMLINKS, naming layer and entry, and leaves nothing', async () => {
    const chain: TestEntry[] = [
      ...Array.from({ length: MAX_SYMLINKS + 1 }, (_, i): TestEntry => ({ name: `c${i}`, type: '2', linkname: `c${i + 1}` })),
      { name: `c${MAX_SYMLINKS + 1}/`, type: '5' },
      { name: 'c0/x', content: 'x' },
    ];
    const { layers } = await makeImage(layoutDir(), [chain]);
    await expect(unpack(layoutDir(), bundleDir())).rejects.toMatchObject({ code: BundleErrorCode.SymlinkLoop, layer: layers[0]!.digest, entry: 'c0/x' });
    expect(existsSync(bundleDir())).toBe(false);
  });

  it('refuses a layer thousands of directories deep at MAX_PATH_BYTES, and removes its staging tree (too deep for rmSync on Node 20)', async () => {
    // One directory per entry, each a level deeper, on past PATH_MAX: the
    // rootfs is over 2000 levels deep when the entry that is too long comes.
    const deep: TestEntry[] = Array.from({ length: MAX_PATH_BYTES / 2 + 50 }, (_, i) => ({ name: 'd/'.repeat(i + 1), type: '5', gnuLongName: true }));
    const { layers } = await makeImage(layoutDir(), [deep]);
    const refused = unpack(layoutDir(), bundleDir());
    await expect(refused).rejects.toMatchObject({ name: 'BundleError', code: BundleErrorCode.InvalidPath, layer: layers[0]!.digest });
    // Refused where the host path (the staging directory's, then the rootfs's) reaches PATH_MAX.
    await expect(refused).rejects.toThrow(/^layer sha256:[0-9a-f]{64} entry "(d\/){2000,}": path "d\/d\/.*" resolves to a host path of \d+ bytes or more \(\d{4} levels deep\), more than MAX_PATH_BYTES \(4096 bytes\)$/);
    expect(readdirSync(s.dir)).toEqual(['layout']);
  });

  it('refuses a layer whose symlinks lead deeper than PATH_MAX, naming the limit, and leaves nothing', async () => {
    const levels = 1500;
    const deep = Array.from({ length: levels }, () => 'd').join('/');
    const layer: TestEntry[] = [
      { name: `${deep}/`, type: '5', gnuLongName: true },
      { name: 'l', type: '2', linkname: '', pax: { linkpath: `/${deep}` } },
      { name: `l/${'e/'.repeat(1000)}`, type: '5', gnuLongName: true },
    ];
    await makeImage(layoutDir(), [layer]);
    const refused = unpack(layoutDir(), bundleDir());
    await expect(refused).rejects.toMatchObject({ code: BundleErrorCode.InvalidPath });
    await expect(refused).rejects.toThrow(/resolves to a host path of \d+ bytes or more \(\d+ levels deep\), more than MAX_PATH_BYTES \(4096 bytes\)$/);
    expect(readdirSync(s.dir)).toEqual(['layout']);
  });

  it('applies --max-size over all layers', async () => {
    await makeImage(layoutDir(), [[{ name: 'a', content: Buffer.alloc(40_000) }], [{ name: 'b', content: Buffer.alloc(40_000) }]]);
    await expect(unpack(layoutDir(), bundleDir(), { maxSize: 60_000 })).rejects.toMatchObject({ code: BundleErrorCode.TooLarge });
    await unpack(layoutDir(), bundleDir(), { maxSize: 100_000 });
  });

  it('refuses a missing layer blob and an unknown layer media type', async () => {
    const { layers } = await makeImage(layoutDir(), [[{ name: 'a' }]]);
    unlinkSync(path.join(layoutDir(), 'blobs/sha256', layers[0]!.digest.slice(7)));
    await expect(unpack(layoutDir(), bundleDir())).rejects.toMatchObject({ code: BundleErrorCode.BlobNotFound });
    const other = path.join(s.dir, 'other');
    await makeImage(other, [[{ name: 'a' }]], { layerMediaType: 'application/vnd.oci.image.layer.v1.tar+bzip2' });
    await expect(unpack(other, bundleDir())).rejects.toMatchObject({ code: BundleErrorCode.UnsupportedMediaType });
    expect(existsSync(bundleDir())).toBe(false);
  });

  it('rootless: a config with a user namespace mapping the caller, and no chown', async () => {
    await makeImage(layoutDir(), [[{ name: 'f', content: 'x', uid: 4321, gid: 4321 }]]);
    await unpack(layoutDir(), bundleDir(), { rootless: true });
    const c = readConfig();
    expect(c.linux.namespaces).toContainEqual({ type: 'user' });
    expect(c.linux.uidMappings).toEqual([{ containerID: 0, hostID: process.geteuid!(), size: 1 }]);
    expect(lstatSync(path.join(bundleDir(), 'rootfs/f')).uid).toBe(process.geteuid!());
    expect(validate('runtime-config', c).valid).toBe(true);
  });

  it('ociVersion: config.json declares that release and validates clean under it', async () => {
    await makeImage(layoutDir(), [[...etc]], { config: { Cmd: ['/bin/sh'], Volumes: { '/data': {} } } });
    await unpack(layoutDir(), bundleDir(), { ociVersion: '1.0.2', volumes: true });
    const c = readConfig();
    expect(c.ociVersion).toBe('1.0.2');
    const r = validate('runtime-config', c);
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => w.code === 'SpecVersionFieldTooNew')).toEqual([]);
  });

  it('ociVersion: an unknown release is UNSUPPORTED_VERSION, and nothing is written', async () => {
    await makeImage(layoutDir(), [[{ name: 'a' }]]);
    for (const v of ['1.4.0', '1.0.2-dev', 'latest']) {
      await expect(unpack(layoutDir(), bundleDir(), { ociVersion: v })).rejects.toMatchObject({ name: 'BundleError', code: BundleErrorCode.UnsupportedVersion });
    }
    expect(readdirSync(s.dir)).toEqual(['layout']);
  });

  it('--platform refuses an image for another platform', async () => {
    await makeImage(layoutDir(), [[{ name: 'a' }]], { architecture: 'arm64' });
    await expect(unpack(layoutDir(), bundleDir(), { platform: 'linux/amd64' })).rejects.toMatchObject({ code: BundleErrorCode.NoMatchingPlatform });
  });
});
