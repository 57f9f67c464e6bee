/**
 * Interoperability of bundle digest and pack with Debian's umoci and
 * skopeo (installed by CI): an ocikit unpack and a umoci unpack of the same
 * image have the same rootfs record; an image made by ocikit pack unpacks
 * with umoci to the bundle's tree and is read and copied by skopeo; unpack
 * -> pack (no changes) -> unpack keeps the bundle digest.
 */
import { beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, linkSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { bundleRecord } from '../digest/record.js';
import { run, umociImage } from '../test-support/umoci.js';
import { unpack } from '../unpack/unpack.js';
import { pack } from './pack.js';
import { rootfsRecord } from '../test-support/record.js';
import { describeWithPeers, suiteScratch } from '@ocikit/testkit';


describeWithPeers(['root', 'umoci', 'skopeo'], 'bundle digest and pack with umoci and skopeo', () => {
  const s = suiteScratch('pack-interop');
  let L: string;
  beforeAll(() => {
    const { layout, build: B, rootfs: r } = umociImage(s.dir);
    L = layout;
    for (const d of ['bin', 'etc', 'srv/data', 'srv/gone', 'home/app']) mkdirSync(path.join(r, d), { recursive: true });
    copyFileSync('/bin/busybox', path.join(r, 'bin/busybox'));
    chmodSync(path.join(r, 'bin/busybox'), 0o755);
    for (const a of ['sh', 'echo', 'cat']) symlinkSync('busybox', path.join(r, 'bin', a));
    writeFileSync(path.join(r, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    writeFileSync(path.join(r, 'srv/data/file'), 'data');
    writeFileSync(path.join(r, 'srv/gone/x'), 'x');
    linkSync(path.join(r, 'srv/data/file'), path.join(r, 'srv/data/hard'));
    chownSync(path.join(r, 'home/app'), 1000, 1000);
    chmodSync(path.join(r, 'home/app'), 0o1750);
    writeFileSync(path.join(r, 'srv/setuid'), '#!/bin/sh\n');
    chmodSync(path.join(r, 'srv/setuid'), 0o4755);
    setAttributeSync(path.join(r, 'srv/data/file'), 'user.note', 'hello');
    run('umoci', ['repack', '--image', `${L}:t`, B]);
    // Layer 2 (umoci's whiteouts): remove a directory, change a file.
    rmSync(path.join(r, 'srv/gone'), { recursive: true });
    writeFileSync(path.join(r, 'etc/hostname'), 'box\n');
    run('umoci', ['repack', '--image', `${L}:t`, B]);
    run('umoci', ['config', '--image', `${L}:t`, '--config.cmd', '/bin/echo', '--config.cmd', 'hi']);
  });

  it('ocikit unpack and umoci unpack of one image have the same rootfs record', async () => {
    const ours = path.join(s.dir, 'ours');
    const theirs = path.join(s.dir, 'theirs');
    await unpack(L, ours, { ref: 't' });
    run('umoci', ['unpack', '--image', `${L}:t`, theirs]);
    const record = await rootfsRecord(ours);
    expect(record).toContain('/srv/data/hard type=file');
    expect(record).toContain('xattr.user.note=hello');
    expect(record).not.toContain('/srv/gone');
    expect(await rootfsRecord(theirs)).toBe(record);
  });

  it('an image made by ocikit pack unpacks with umoci to the bundle tree, gzip/zstd read it, and skopeo reads and copies it', async () => {
    const b = path.join(s.dir, 'edit');
    await unpack(L, b, { ref: 't' });
    const r = path.join(b, 'rootfs');
    writeFileSync(path.join(r, 'etc/hostname'), 'changed\n');
    rmSync(path.join(r, 'srv/data'), { recursive: true });
    mkdirSync(path.join(r, 'opt/new'), { recursive: true });
    writeFileSync(path.join(r, 'opt/new/file'), Buffer.alloc(5 << 20, 'z'));
    chmodSync(path.join(r, 'bin/busybox'), 0o750);
    for (const compression of ['gzip', 'zstd'] as const) {
      const out = path.join(s.dir, `packed-${compression}`);
      const res = await pack(b, out, { ref: 'p', compression });
      expect(res.removed).toBe(1);
      if (compression === 'gzip') {
        // umoci 0.4 reads no zstd layers.
        const theirs = path.join(s.dir, `umoci-of-packed-${compression}`);
        run('umoci', ['unpack', '--image', `${out}:p`, theirs]);
        expect(await rootfsRecord(theirs)).toBe(await rootfsRecord(b));
      }
      // The reference decoders read the multi-member / multi-frame stream whole.
      const blob = path.join(out, 'blobs', ...res.layer!.digest.split(':'));
      const decoded = execFileSync(compression === 'gzip' ? 'gzip' : 'zstd', ['-dc', blob], { maxBuffer: 1 << 30 });
      expect(`sha256:${createHash('sha256').update(decoded).digest('hex')}`).toBe(res.diffId);

      const inspect = JSON.parse(run('skopeo', ['inspect', `oci:${out}:p`])) as { Digest: string; Layers: string[] };
      expect(inspect.Digest).toBe(res.manifest.digest);
      expect(inspect.Layers.at(-1)).toBe(res.layer!.digest);
      const copy = path.join(s.dir, `copy-${compression}`);
      run('skopeo', ['copy', `oci:${out}:p`, `oci:${copy}:p`]);
      const again = path.join(s.dir, `ocikit-of-copy-${compression}`);
      await unpack(copy, again, { ref: 'p' });
      expect(await rootfsRecord(again)).toBe(await rootfsRecord(b));
    }
  });

  it('a full-layer pack of a umoci bundle unpacks with umoci to the same tree', async () => {
    const theirs = path.join(s.dir, 'umoci-bundle');
    run('umoci', ['unpack', '--image', `${L}:t`, theirs]);
    const out = path.join(s.dir, 'full');
    const res = await pack(theirs, out, { ref: 'f' });
    expect(res.incremental).toBe(false);
    const back = path.join(s.dir, 'umoci-of-full');
    run('umoci', ['unpack', '--image', `${out}:f`, back]);
    expect(await rootfsRecord(back)).toBe(await rootfsRecord(theirs));
    // The oci-archive form is read by skopeo too.
    const archive = path.join(s.dir, 'full.tar');
    await pack(theirs, archive, { ref: 'f', format: 'archive' });
    expect(JSON.parse(run('skopeo', ['inspect', `oci-archive:${archive}:f`])).Digest).toBe(res.manifest.digest);
  });

  it('unpack -> pack without changes -> unpack keeps the bundle digest', async () => {
    const first = path.join(s.dir, 'rt1');
    await unpack(L, first, { ref: 't' });
    const out = path.join(s.dir, 'rt-layout');
    const res = await pack(first, out, { ref: 'rt' });
    expect(res.layer).toBeUndefined();
    const second = path.join(s.dir, 'rt2');
    await unpack(out, second, { ref: 'rt' });
    expect((await bundleRecord(second)).digest).toBe((await bundleRecord(first)).digest);
  });
});
