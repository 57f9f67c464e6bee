import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { setAttributeSync } from '@napi-rs/xattr';
import { bundleRecord } from '../digest/record.js';
import { verifyBundle } from '../digest/verify.js';
import { Layout } from '../store/layout.js';
import { validateLayout } from '../store/validate-layout.js';
import { openLayout } from '../store/archive.js';
import { TarReader, type TarEntry } from '../tar/reader.js';
import { makeImage } from '../test-support/image.js';
import { unpack } from '../unpack/unpack.js';
import { pack } from './pack.js';
import { rootfsRecord } from '../test-support/record.js';
import { itWithPeers, suiteScratch } from '@ocikit/testkit';

function layerNames(blob: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  const r = new TarReader({ entry: (e) => void out.push(e), data: () => {}, end: () => {} });
  r.write(gunzipSync(blob));
  r.finish();
  return out;
}

async function configOf(layoutDir: string, ref: string) {
  const l = await Layout.open(layoutDir);
  return l.resolve(ref);
}

const t0 = 1_600_000_000;

describe('pack', () => {
  const s = suiteScratch('pack');
  let base: string;
  beforeAll(async () => {
    base = path.join(s.dir, 'base');
    await makeImage(
      base,
      [
        [
          { name: 'etc/', type: '5', mode: 0o755, mtime: t0 },
          { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n', mtime: t0 },
          { name: 'etc/group', content: 'root:x:0:\napp:x:1000:\n', mtime: t0 },
          { name: 'etc/old/', type: '5', mode: 0o755, mtime: t0 },
          { name: 'etc/old/a', content: 'a', mtime: t0 },
          { name: 'etc/old/b', content: 'b', mtime: t0 },
          { name: 'bin/', type: '5', mode: 0o755, mtime: t0 },
          { name: 'bin/tool', content: 'tool v1', mode: 0o755, mtime: t0 },
          { name: 'bin/tool-link', type: '1', linkname: 'bin/tool', mtime: t0 },
          { name: 'bin/sh', type: '2', linkname: 'busybox', mode: 0o777, mtime: t0 },
          { name: 'keep', content: 'unchanged', mtime: t0 },
        ],
      ],
      { ref: 'v1', config: { Entrypoint: ['/bin/tool'], Cmd: ['--help'], Env: ['A=1'], WorkingDir: '/', Labels: { team: 'x' }, User: 'app' } },
    );
  });

  it('packs only the changes since unpack, with whiteouts, and unpacks to the edited tree', async () => {
    const b = path.join(s.dir, 'b1');
    await unpack(base, b, { ref: 'v1' });
    const r = path.join(b, 'rootfs');
    writeFileSync(path.join(r, 'bin/tool'), 'tool v2 longer'); // modified (and its hardlink)
    rmSync(path.join(r, 'etc/old'), { recursive: true }); // one whiteout for the directory
    rmSync(path.join(r, 'bin/sh'));
    symlinkSync('dash', path.join(r, 'bin/sh')); // retargeted
    mkdirSync(path.join(r, 'srv'));
    writeFileSync(path.join(r, 'srv/new'), 'new');
    chmodSync(path.join(r, 'etc/group'), 0o600);
    const out = path.join(s.dir, 'out1');
    const res = await pack(b, out, { ref: 'v2', threads: 0 });
    expect(res.incremental).toBe(true);
    expect(res.layer).toBeDefined();
    const layout = await Layout.open(out);
    const names = layerNames(await layout.readBlob(res.layer!, 1 << 30)).map((e) => `${e.type}:${e.name}`);
    expect(names).toContain('file:etc/.wh.old');
    expect(names).not.toContain('file:etc/old/.wh.a');
    expect(names).toContain('file:bin/tool');
    expect(names).toContain('hardlink:bin/tool-link');
    expect(names).toContain('symlink:bin/sh');
    expect(names).toContain('file:srv/new');
    expect(names).toContain('file:etc/group');
    expect(names).not.toContain('file:keep');
    expect(names).not.toContain('file:etc/passwd');
    // Whiteouts come before their siblings.
    expect(names.indexOf('file:etc/.wh.old')).toBeLessThan(names.indexOf('file:etc/group'));

    const img = await configOf(out, 'v2');
    expect(img.manifest.layers).toHaveLength(2);
    expect(img.config.rootfs.diff_ids[1]).toBe(res.diffId);
    expect((img.config as { history?: { created_by?: string }[] }).history?.at(-1)?.created_by).toBe('ocikit pack');

    const again = path.join(s.dir, 'b1-again');
    await unpack(out, again, { ref: 'v2' });
    expect(await rootfsRecord(again, { threads: 0 })).toBe(await rootfsRecord(b, { threads: 0 }));
  });

  it('handles a file replaced by a directory and a directory replaced by a file', async () => {
    const b = path.join(s.dir, 'b-replace');
    await unpack(base, b, { ref: 'v1' });
    const r = path.join(b, 'rootfs');
    rmSync(path.join(r, 'keep'));
    mkdirSync(path.join(r, 'keep'));
    writeFileSync(path.join(r, 'keep/inside'), 'in');
    rmSync(path.join(r, 'etc/old'), { recursive: true });
    writeFileSync(path.join(r, 'etc/old'), 'now a file');
    const out = path.join(s.dir, 'out-replace');
    const res = await pack(b, out, { threads: 0 });
    const names = layerNames(await (await Layout.open(out)).readBlob(res.layer!, 1 << 30)).map((e) => `${e.type}:${e.name}`);
    expect(names).toEqual(expect.arrayContaining(['directory:keep/', 'file:keep/inside', 'file:etc/old']));
    expect(names.filter((n) => n.includes('.wh.'))).toEqual([]);
    const again = path.join(s.dir, 'b-replace-again');
    await unpack(out, again);
    expect(await rootfsRecord(again, { threads: 0 })).toBe(await rootfsRecord(b, { threads: 0 }));
  });

  it('without changes adds no layer, and unpack -> pack -> unpack keeps the bundle digest', async () => {
    const b = path.join(s.dir, 'b2');
    const unpacked = await unpack(base, b, { ref: 'v1' });
    const out = path.join(s.dir, 'out2');
    const res = await pack(b, out, { ref: 'same', threads: 0 });
    expect(res.layer).toBeUndefined();
    expect(res.manifest.digest).toBe(unpacked.provenance.manifest.digest);
    expect([res.added, res.modified, res.removed]).toEqual([0, 0, 0]);
    const again = path.join(s.dir, 'b2-again');
    await unpack(out, again, { ref: 'same' });
    expect((await bundleRecord(again)).digest).toBe((await bundleRecord(b)).digest);
  });

  it('verify with a digest alone names the first change since unpack', async () => {
    const b = path.join(s.dir, 'b-verify');
    await unpack(base, b, { ref: 'v1' });
    const digest = (await bundleRecord(b, { threads: 0 })).digest;
    writeFileSync(path.join(b, 'rootfs/etc/group'), 'root:x:0:\n');
    const v = await verifyBundle(b, digest, { threads: 0 });
    expect(v.ok).toBe(false);
    expect(v.against).toBe('unpack-record');
    expect(v.difference).toMatchObject({ entry: '/etc/group', kind: 'changed' });
    expect(v.difference!.fields.join(' ')).toMatch(/^size: 22 -> 10 digest: sha256:/);

    // An xattr-only change and a broken hardlink are named too (the unpack record keeps both).
    const b2 = path.join(s.dir, 'b-verify-x');
    await unpack(base, b2, { ref: 'v1' });
    const d2 = (await bundleRecord(b2, { threads: 0 })).digest;
    expect((await verifyBundle(b2, d2, { threads: 0 })).ok).toBe(true);
    setAttributeSync(path.join(b2, 'rootfs/keep'), 'user.ocikit.note', Buffer.from('a b'));
    const vx = await verifyBundle(b2, d2, { threads: 0 });
    expect(vx.difference).toEqual({ entry: '/keep', kind: 'changed', fields: ['xattr.user.ocikit.note: (none) -> a%20b'] });
    const b3 = path.join(s.dir, 'b-verify-h');
    await unpack(base, b3, { ref: 'v1' });
    const linked3 = path.join(b3, 'rootfs/bin/tool-link');
    const d3 = (await bundleRecord(b3, { threads: 0 })).digest;
    writeFileSync(`${linked3}.tmp`, readFileSync(linked3));
    chmodSync(`${linked3}.tmp`, 0o755);
    execFileSync('mv', [`${linked3}.tmp`, linked3]);
    const vh = await verifyBundle(b3, d3, { threads: 0 });
    expect(vh.difference).toEqual({ entry: '/bin/tool-link', kind: 'changed', fields: ['link: /bin/tool -> (none)'] });
  });

  it('finds a content edit that kept size and mtime', async () => {
    const b = path.join(s.dir, 'b3');
    await unpack(base, b, { ref: 'v1' });
    const f = path.join(b, 'rootfs/keep');
    writeFileSync(f, 'UNCHANGED');
    utimesSync(f, t0, t0);
    const res = await pack(b, path.join(s.dir, 'out3'), { threads: 0 });
    expect([res.added, res.modified, res.removed]).toEqual([0, 1, 0]);
  });

  it('finds an xattr-only change and a broken hardlink (neither changes an mtime)', async () => {
    const b = path.join(s.dir, 'b3x');
    await unpack(base, b, { ref: 'v1' });
    const record = readFileSync(path.join(b, 'ocikit.tree'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { path: string; link?: string });
    // The base layer's hardlink is recorded as a group.
    expect(record.filter((e) => e.link !== undefined).map((e) => [e.path, e.link])).toEqual([
      ['bin/tool', 'bin/tool'],
      ['bin/tool-link', 'bin/tool'],
    ]);
    const keep = path.join(b, 'rootfs/keep');
    setAttributeSync(keep, 'user.ocikit.note', Buffer.from([0, 1, 2]));
    utimesSync(keep, t0, t0);
    const out = path.join(s.dir, 'out3x');
    let res = await pack(b, out, { threads: 0, ref: 'x' });
    expect([res.added, res.modified, res.removed]).toEqual([0, 1, 0]);
    let layer = layerNames(readFileSync(path.join(out, 'blobs', ...res.layer!.digest.split(':'))));
    expect(layer.map((e) => e.name)).toEqual(['keep']);
    expect(layer[0]!.xattrs?.get('user.ocikit.note')).toEqual(Buffer.from([0, 1, 2]));

    // Break the link: same content, mode and mtime, two inodes now.
    const b2 = path.join(s.dir, 'b3h');
    await unpack(base, b2, { ref: 'v1' });
    const linked = path.join(b2, 'rootfs/bin/tool-link');
    const copy = `${linked}.tmp`;
    writeFileSync(copy, readFileSync(linked));
    chmodSync(copy, 0o755);
    utimesSync(copy, t0, t0);
    execFileSync('mv', [copy, linked]);
    utimesSync(path.join(b2, 'rootfs/bin'), t0, t0);
    res = await pack(b2, out, { threads: 0, ref: 'h' });
    expect([res.added, res.modified, res.removed]).toEqual([0, 2, 0]);
    layer = layerNames(readFileSync(path.join(out, 'blobs', ...res.layer!.digest.split(':'))));
    expect(layer.map((e) => [e.name, e.type])).toEqual([
      ['bin/tool', 'file'],
      ['bin/tool-link', 'file'],
    ]);
  });

  it('over a Docker schema 2 base writes an OCI image whose layers all have OCI media types, and it validates', async () => {
    const dockerBase = path.join(s.dir, 'docker-base');
    await makeImage(dockerBase, [[{ name: 'etc/', type: '5', mode: 0o755, mtime: t0 }, { name: 'etc/os', content: 'docker\n', mtime: t0 }]], { ref: 'd', docker: true });
    const b = path.join(s.dir, 'bd');
    await unpack(dockerBase, b, { ref: 'd' });
    writeFileSync(path.join(b, 'rootfs/etc/new'), 'new\n');
    const res = await pack(b, dockerBase, { threads: 0, ref: 'd2' });
    expect(res.manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const manifest = JSON.parse(readFileSync(path.join(dockerBase, 'blobs', ...res.manifest.digest.split(':')), 'utf8')) as { layers: { mediaType: string }[] };
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip']);
    const report = await validateLayout(dockerBase);
    expect(report.errors).toEqual([]);
    const u = path.join(s.dir, 'bd-again');
    await unpack(dockerBase, u, { ref: 'd2' });
    expect(readFileSync(path.join(u, 'rootfs/etc/os'), 'utf8')).toBe('docker\n');
    expect(readFileSync(path.join(u, 'rootfs/etc/new'), 'utf8')).toBe('new\n');
  });

  it('is reproducible: the same bundle packs to the same digest, SOURCE_DATE_EPOCH clamps times', async () => {
    const b = path.join(s.dir, 'b4');
    await unpack(base, b, { ref: 'v1' });
    writeFileSync(path.join(b, 'rootfs/added'), 'x');
    const one = await pack(b, path.join(s.dir, 'out4a'), { threads: 0 });
    const two = await pack(b, path.join(s.dir, 'out4b'), { threads: 0 });
    expect(two.manifest.digest).toBe(one.manifest.digest);
    const e1 = await pack(b, path.join(s.dir, 'out4c'), { sourceDateEpoch: t0 + 10, full: true });
    const e2 = await pack(b, path.join(s.dir, 'out4d'), { sourceDateEpoch: t0 + 10, full: true });
    expect(e2.manifest.digest).toBe(e1.manifest.digest);
    const layout = await Layout.open(path.join(s.dir, 'out4c'));
    const entries = layerNames(await layout.readBlob(e1.layer!, 1 << 30));
    expect(Math.max(...entries.map((e) => e.mtime))).toBe(t0 + 10);
    expect(entries[0]!.name).toBe('./');
    const img = await configOf(path.join(s.dir, 'out4c'), 'latest');
    expect(img.config.created).toBe(new Date((t0 + 10) * 1000).toISOString().replace('.000Z', 'Z'));
  });

  it('carries config.json edits back into the image config', async () => {
    const b = path.join(s.dir, 'b5');
    await unpack(base, b, { ref: 'v1' });
    const cfgFile = path.join(b, 'config.json');
    const spec = JSON.parse(readFileSync(cfgFile, 'utf8'));
    spec.process.args = ['/bin/tool', '--version'];
    spec.process.env = [...spec.process.env, 'B=2'];
    spec.process.cwd = '/srv';
    spec.process.user = { uid: 0, gid: 0 };
    spec.annotations['org.opencontainers.image.stopSignal'] = 'SIGINT';
    spec.annotations['org.opencontainers.image.exposedPorts'] = '8080/tcp,53/udp';
    spec.annotations['added'] = 'yes';
    delete spec.annotations['team'];
    writeFileSync(cfgFile, JSON.stringify(spec));
    const res = await pack(b, path.join(s.dir, 'out5'), { threads: 0 });
    const c = (await configOf(path.join(s.dir, 'out5'), 'latest')).config.config!;
    expect(c.Entrypoint).toEqual(['/bin/tool']);
    expect(c.Cmd).toEqual(['--version']);
    expect(c.Env).toEqual(['A=1', 'B=2']);
    expect(c.WorkingDir).toBe('/srv');
    expect(c.User).toBe('0:0');
    expect(c.StopSignal).toBe('SIGINT');
    expect(c.ExposedPorts).toEqual({ '8080/tcp': {}, '53/udp': {} });
    expect(c.Labels).toEqual({ added: 'yes' });
    expect(res.configChanges.sort()).toEqual(['Cmd', 'Env', 'ExposedPorts', 'Labels', 'StopSignal', 'User', 'WorkingDir']);

    // Unchanged config.json: the image config's fields stay as they were.
    const b2 = path.join(s.dir, 'b5-plain');
    await unpack(base, b2, { ref: 'v1' });
    const plain = await pack(b2, path.join(s.dir, 'out5b'), { threads: 0 });
    expect(plain.configChanges).toEqual([]);
    expect((await configOf(path.join(s.dir, 'out5b'), 'latest')).config.config).toEqual({ Entrypoint: ['/bin/tool'], Cmd: ['--help'], Env: ['A=1'], WorkingDir: '/', Labels: { team: 'x' }, User: 'app' });
  });

  itWithPeers(['runc', 'zstd'], 'packs any bundle as one full layer, in every compression, and as an oci-archive', async () => {
    const b = path.join(s.dir, 'plain');
    mkdirSync(path.join(b, 'rootfs/usr/bin'), { recursive: true });
    writeFileSync(path.join(b, 'rootfs/usr/bin/hello'), Buffer.alloc(9 << 20, 'hello world\n'));
    linkSync(path.join(b, 'rootfs/usr/bin/hello'), path.join(b, 'rootfs/usr/bin/hi'));
    execFileSync('runc', ['spec', '--bundle', b]);
    for (const compression of ['gzip', 'zstd', 'none'] as const) {
      const out = path.join(s.dir, `plain-${compression}`);
      const res = await pack(b, out, { compression, threads: 0 });
      expect(res.incremental).toBe(false);
      const back = path.join(s.dir, `plain-${compression}-back`);
      await unpack(out, back);
      expect(await rootfsRecord(back, { threads: 0 })).toBe(await rootfsRecord(b, { threads: 0 }));
    }
    const archive = path.join(s.dir, 'plain.tar');
    await pack(b, archive, { format: 'archive', ref: 'a', threads: 0 });
    await pack(b, archive, { format: 'archive', ref: 'b', threads: 0, compression: 'none' });
    const opened = await openLayout(archive, s.dir);
    try {
      expect((await opened.layout.listRefs()).map((r) => r.name).sort()).toEqual(['a', 'b']);
    } finally {
      opened.close();
    }
    const back = path.join(s.dir, 'plain-archive-back');
    await unpack(archive, back, { ref: 'b' });
    expect(await rootfsRecord(back, { threads: 0 })).toBe(await rootfsRecord(b, { threads: 0 }));
  });

  it('reads its base image as unpack does: a MUST break refuses both, SHOULD breaks refuse neither', async () => {
    const dir = path.join(s.dir, 'base-checks');
    const { layout, manifest } = await makeImage(dir, [[{ name: 'f', content: 'x', mtime: t0 }]], { ref: 'ok' });
    const doc = JSON.parse((await layout.readBlob(manifest, 1 << 20)).toString('utf8')) as Record<string, unknown>;
    // The same config and layers; the manifest breaks a MUST of annotations.md (created is not a date).
    const invalid = await layout.writeJson({ ...doc, annotations: { 'org.opencontainers.image.created': 'yesterday' } }, manifest.mediaType);
    // Only a SHOULD break: no mediaType (manifest.md: it SHOULD be used).
    const { mediaType: _m, ...noMediaType } = doc;
    const warned = await layout.writeJson(noMediaType, manifest.mediaType);
    await layout.setRef('invalid', invalid);
    await layout.setRef('warned', warned);

    await expect(unpack(dir, path.join(s.dir, 'base-checks-invalid'), { ref: 'invalid' })).rejects.toMatchObject({ code: 'INVALID_DOCUMENT' });
    const bundle = path.join(s.dir, 'base-checks-bundle');
    await unpack(dir, bundle, { ref: 'ok' });
    const provenanceFile = path.join(bundle, 'ocikit.json');
    const provenance = JSON.parse(readFileSync(provenanceFile, 'utf8')) as { manifest: unknown };
    writeFileSync(provenanceFile, JSON.stringify({ ...provenance, manifest: invalid }));
    await expect(pack(bundle, dir, { ref: 'out' })).rejects.toMatchObject({ code: 'INVALID_DOCUMENT' });

    const warnedBundle = path.join(s.dir, 'base-checks-warned');
    await unpack(dir, warnedBundle, { ref: 'warned' });
    writeFileSync(path.join(warnedBundle, 'rootfs', 'g'), 'y');
    const packed = await pack(warnedBundle, dir, { ref: 'out' });
    expect(packed.incremental).toBe(true);
    expect(packed.added).toBe(1);
  });
});
