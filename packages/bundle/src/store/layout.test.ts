import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BundleErrorCode } from '../errors.js';
import { makeImage } from '../test-support/image.js';
import { sha256 } from '../test-support/tar-writer.js';
import { openLayout, parseImageArg } from './archive.js';
import { ownerToken } from '../fs/owner.js';
import { scratchName, ScratchPurpose } from '../fs/scratch.js';
import { deadPid } from '../test-support/child.js';
import { Layout } from './layout.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('layout');

const collect = async (it: AsyncIterable<Buffer>) => {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
};

describe('Layout: open and create', () => {
  it('creates oci-layout and index.json, and opens them', async () => {
    const dir = path.join(s.dir, 'l');
    await Layout.create(dir);
    expect(JSON.parse(readFileSync(path.join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect((await (await Layout.open(dir)).readIndex()).manifests).toEqual([]);
  });

  it('refuses a directory that is not a layout, with LAYOUT_NOT_FOUND', async () => {
    await expect(Layout.open(s.dir)).rejects.toMatchObject({ code: BundleErrorCode.LayoutNotFound });
    await expect(Layout.open(path.join(s.dir, 'missing'))).rejects.toMatchObject({ code: BundleErrorCode.LayoutNotFound });
  });

  it('create with adopt: false opens an existing layout and makes one in an empty or missing directory, but refuses other files', async () => {
    await Layout.create(path.join(s.dir, 'fresh'), { adopt: false });
    await Layout.create(path.join(s.dir, 'fresh'), { adopt: false });
    expect(readdirSync(path.join(s.dir, 'fresh')).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    writeFileSync(path.join(s.dir, 'notes.txt'), 'mine');
    await expect(Layout.create(s.dir, { adopt: false })).rejects.toMatchObject({ code: BundleErrorCode.DirectoryNotEmpty });
    expect(readdirSync(s.dir).sort()).toEqual(['fresh', 'notes.txt']);
    await expect(Layout.create(path.join(s.dir, 'notes.txt'), { adopt: false })).rejects.toMatchObject({ code: BundleErrorCode.LayoutNotFound });
  });

  it('refuses an unknown imageLayoutVersion', async () => {
    writeFileSync(path.join(s.dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await expect(Layout.open(s.dir)).rejects.toMatchObject({ code: BundleErrorCode.InvalidLayout });
  });
});

describe('Layout: verified blobs', () => {
  it('writes blobs atomically at blobs/<alg>/<encoded> and reads them back verified', async () => {
    const layout = await Layout.create(s.dir);
    const { digest, size } = await layout.writeBlob(Buffer.from('hello'));
    expect(digest).toBe(sha256(Buffer.from('hello')));
    expect(existsSync(path.join(s.dir, 'blobs/sha256', digest.slice(7)))).toBe(true);
    expect(readdirSync(s.dir).filter((n) => n.startsWith('.ocikit-tmp'))).toEqual([]);
    expect((await collect(layout.openBlob({ mediaType: 'x/y', digest, size }))).toString()).toBe('hello');
  });

  it('refuses a digest mismatch, a size mismatch, a missing blob', async () => {
    const layout = await Layout.create(s.dir);
    const { digest } = await layout.writeBlob(Buffer.from('hello'));
    writeFileSync(path.join(s.dir, 'blobs/sha256', digest.slice(7)), 'jello');
    await expect(collect(layout.openBlob({ mediaType: 'x/y', digest, size: 5 }))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(collect(layout.openBlob({ mediaType: 'x/y', digest, size: 4 }))).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    await expect(collect(layout.openBlob({ mediaType: 'x/y', digest: sha256(Buffer.from('nope')), size: 4 }))).rejects.toMatchObject({
      code: BundleErrorCode.BlobNotFound,
    });
  });

  it('refuses a blob that is a symlink', async () => {
    const layout = await Layout.create(s.dir);
    writeFileSync(path.join(s.dir, 'target'), 'hello');
    const digest = sha256(Buffer.from('hello'));
    execFileSync('mkdir', ['-p', path.join(s.dir, 'blobs/sha256')]);
    execFileSync('ln', ['-s', path.join(s.dir, 'target'), path.join(s.dir, 'blobs/sha256', digest.slice(7))]);
    await expect(collect(layout.openBlob({ mediaType: 'x/y', digest, size: 5 }))).rejects.toMatchObject({ code: BundleErrorCode.InvalidLayout });
  });

  it('refuses negative, fractional and absurd sizes and digests that could leave blobs/', async () => {
    const layout = await Layout.create(s.dir);
    const digest = sha256(Buffer.from('x'));
    for (const size of [-1, 1.5, 2 ** 60, Number.NaN]) {
      await expect(collect(layout.openBlob({ mediaType: 'x/y', digest, size }))).rejects.toMatchObject({ code: BundleErrorCode.InvalidDescriptor });
    }
    expect(() => layout.blobPath('sha256:../../etc/passwd')).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidDescriptor }));
    expect(() => layout.blobPath('sha256/../x:abc')).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidDescriptor }));
  });
});

describe('Layout: refs, index.json and gc', () => {
  it('sets, lists and removes refs', async () => {
    const layout = await Layout.create(s.dir);
    const d = await layout.writeJson({ schemaVersion: 2, manifests: [] }, 'application/vnd.oci.image.index.v1+json');
    await layout.setRef('a', d);
    await layout.setRef('b', d);
    await layout.setRef('a', d);
    expect((await layout.listRefs()).map((r) => r.name).sort()).toEqual(['a', 'b']);
    expect(await layout.removeRef('a')).toBe(1);
    expect((await layout.listRefs()).map((r) => r.name)).toEqual(['b']);
  });

  it('serialises concurrent index.json writers from several processes: every ref lands', async () => {
    const layout = await Layout.create(s.dir);
    const d = await layout.writeJson({ schemaVersion: 2, manifests: [] }, 'application/vnd.oci.image.index.v1+json');
    const here = path.dirname(fileURLToPath(import.meta.url));
    const script = `
      import { Layout } from ${JSON.stringify(path.join(here, 'layout.ts'))};
      const l = await Layout.open(process.argv[2]);
      for (let i = 0; i < 10; i++) await l.setRef(process.argv[3] + i, JSON.parse(process.argv[4]));
    `;
    const tsx = path.resolve(here, '../../../../node_modules/.bin/tsx');
    const scriptFile = path.join(s.dir, 'writer.mts');
    writeFileSync(scriptFile, script);
    const runs = ['p', 'q', 'r'].map(
      (prefix) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(tsx, [scriptFile, s.dir, prefix, JSON.stringify(d)], { stdio: 'inherit' });
          child.on('close', resolve);
        }),
    );
    await layout.updateIndex((idx) => idx);
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    expect((await layout.listRefs()).length).toBe(30);
  });

  it('gc removes unreferenced blobs and keeps referrers of reachable manifests', async () => {
    const { layout, manifest } = await makeImage(s.dir, [[{ name: 'f', content: 'x' }]]);
    const orphan = await layout.writeBlob(Buffer.from('orphan'));
    const sig = await layout.writeJson(
      { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/x-sig', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 }, layers: [], subject: manifest },
      'application/vnd.oci.image.manifest.v1+json',
    );
    await layout.writeBlob(Buffer.from('{}'));
    const unrelatedSig = await layout.writeJson(
      { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 }, layers: [], subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: orphan.digest, size: orphan.size } },
      'application/vnd.oci.image.manifest.v1+json',
    );
    const young = await layout.gc();
    expect(young.removed).toEqual([]);
    expect(young.spared.map((b) => b.digest).sort()).toEqual([orphan.digest, unrelatedSig.digest].sort());
    const dry = await layout.gc({ graceMs: 0, dryRun: true });
    expect(dry.removed.map((b) => b.digest).sort()).toEqual([orphan.digest, unrelatedSig.digest].sort());
    expect(await layout.listBlobs()).toContain(orphan.digest);
    const { removed } = await layout.gc({ graceMs: 0 });
    expect(removed.map((b) => b.digest).sort()).toEqual([orphan.digest, unrelatedSig.digest].sort());
    expect(removed.find((b) => b.digest === orphan.digest)?.size).toBe(orphan.size);
    const left = await layout.listBlobs();
    expect(left).toContain(sig.digest);
    expect(left).toContain(manifest.digest);
    expect(left).toContain('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('gc with dryRun names what would go, with sizes, and removes nothing', async () => {
    const { layout } = await makeImage(s.dir, [[{ name: 'f', content: 'x' }]]);
    const orphan = await layout.writeBlob(Buffer.from('orphan blob'));
    const blobs = (await layout.listBlobs()).sort();
    const leftover = scratchName(ScratchPurpose.Temp).replace(`-${ownerToken()}-`, `-${deadPid()}-`);
    writeFileSync(path.join(s.dir, leftover), 'x');
    expect(await layout.gc({ dryRun: true, graceMs: 0 })).toEqual({ removed: [{ digest: orphan.digest, size: 11 }], spared: [], scratch: [leftover] });
    expect((await layout.listBlobs()).sort()).toEqual(blobs);
    expect(existsSync(path.join(s.dir, leftover))).toBe(true);
    expect(await layout.gc({ graceMs: 0 })).toEqual({ removed: [{ digest: orphan.digest, size: 11 }], spared: [], scratch: [leftover] });
    expect(existsSync(path.join(s.dir, leftover))).toBe(false);
    expect(await layout.listBlobs()).not.toContain(orphan.digest);
  });
});

describe('Layout: resolve', () => {
  const manifestOf = async (layout: Layout, arch: string) => {
    const config = await layout.writeJson({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }, 'application/vnd.oci.image.config.v1+json');
    return layout.writeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [] }, 'application/vnd.oci.image.manifest.v1+json');
  };

  it('resolves a ref through nested indexes to the wanted platform', async () => {
    const layout = await Layout.create(s.dir);
    const amd = await manifestOf(layout, 'amd64');
    const arm = await manifestOf(layout, 'arm64');
    const inner = await layout.writeJson(
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      },
      'application/vnd.oci.image.index.v1+json',
    );
    const outer = await layout.writeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [inner] }, 'application/vnd.oci.image.index.v1+json');
    await layout.setRef('multi', outer);
    expect((await layout.resolve('multi', { platform: 'linux/arm64' })).descriptor.digest).toBe(arm.digest);
    expect((await layout.resolve('multi', { platform: 'linux/amd64' })).descriptor.digest).toBe(amd.digest);
    expect((await layout.resolve('multi', { platform: 'linux/amd64' })).path).toHaveLength(3);
    await expect(layout.resolve('multi', { platform: 'linux/s390x' })).rejects.toMatchObject({ code: BundleErrorCode.NoMatchingPlatform });
    await expect(layout.resolve('nope')).rejects.toMatchObject({ code: BundleErrorCode.RefNotFound });
  });

  it('refuses a manifest whose mediaType contradicts its descriptor', async () => {
    const layout = await Layout.create(s.dir);
    const m = await manifestOf(layout, 'amd64');
    await layout.setRef('x', { ...m, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    await expect(layout.resolve('x')).rejects.toMatchObject({ code: expect.stringMatching(/MEDIA_TYPE_MISMATCH|INVALID_DOCUMENT/) });
  });

  it('refuses a config whose diff_ids do not match the layers', async () => {
    await makeImage(s.dir, [[{ name: 'f' }]], { diffIds: [] });
    await expect((await Layout.open(s.dir)).resolve('latest')).rejects.toMatchObject({ code: BundleErrorCode.InvalidDocument });
  });
});

describe('parseImageArg and oci-archive', () => {
  it('splits LAYOUT[:REF] with latest as the default', () => {
    const none = () => false;
    expect(parseImageArg('dir', none)).toEqual({ layout: 'dir', ref: 'latest' });
    expect(parseImageArg('dir:v1', none)).toEqual({ layout: 'dir', ref: 'v1' });
    expect(parseImageArg('dir:docker.io/library/x:1', none)).toEqual({ layout: 'dir', ref: 'docker.io/library/x:1' });
    expect(parseImageArg('a:b', (p) => p === 'a:b')).toEqual({ layout: 'a:b', ref: 'latest' });
  });

  it('opens an oci-archive (a tar of a layout) and cleans up after', async () => {
    const dir = path.join(s.dir, 'l');
    await makeImage(dir, [[{ name: 'f', content: 'x' }]], { ref: 'v1' });
    const archive = path.join(s.dir, 'image.tar');
    execFileSync('tar', ['-C', dir, '-cf', archive, '.']);
    const work = path.join(s.dir, 'work');
    execFileSync('mkdir', [work]);
    const opened = await openLayout(archive, work);
    expect((await opened.layout.resolve('v1')).manifest.layers).toHaveLength(1);
    opened.close();
    expect(readdirSync(work)).toEqual([]);
  });

  it('refuses an oci-archive holding a symlink', async () => {
    const dir = path.join(s.dir, 'l');
    await makeImage(dir, [[{ name: 'f' }]]);
    execFileSync('ln', ['-s', '/etc/passwd', path.join(dir, 'evil')]);
    const archive = path.join(s.dir, 'image.tar');
    execFileSync('tar', ['-C', dir, '-cf', archive, '.']);
    await expect(openLayout(archive, s.dir)).rejects.toMatchObject({ code: BundleErrorCode.InvalidLayout });
    expect(readdirSync(s.dir).sort()).toEqual(['image.tar', 'l']);
  });
});
