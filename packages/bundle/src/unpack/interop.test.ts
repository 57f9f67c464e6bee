/**
 * Interoperability with the real tools: images made by umoci (init, new,
 * unpack, repack, config) and copied by skopeo (also recompressed to zstd)
 * unpack with ocikit to the same tree as `umoci unpack`, and the bundle runs
 * under real runc. These tools are Debian packages installed by CI.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scratch } from '../test-support/image.js';
import { run, umociImage } from '../test-support/umoci.js';
import { unpack } from './unpack.js';
import { describeWithPeers } from '@ocikit/testkit';


function listing(root: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    const host = rel === '' ? root : path.join(root, rel);
    const st = lstatSync(host);
    const type = st.isFile() ? 'f' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFIFO() ? 'p' : st.isCharacterDevice() ? 'c' : 'o';
    const extra = type === 'f' ? createHash('sha256').update(readFileSync(host)).digest('hex') : type === 'l' ? readlinkSync(host) : '';
    out.push([rel || '.', type, (st.mode & 0o7777).toString(8), st.uid, st.gid, type === 'f' ? st.size : '-', Math.floor(st.mtimeMs / 1000), extra].join(' '));
    if (type === 'd') for (const n of readdirSync(host).sort()) visit(rel ? `${rel}/${n}` : n);
  };
  visit('');
  return out;
}


describeWithPeers(['root', 'umoci', 'skopeo', 'runc'], 'interop with umoci, skopeo and runc', () => {
  let s: ReturnType<typeof scratch>;
  let L: string;
  beforeAll(() => {
    s = scratch('interop');
    const { layout, build: B, rootfs: r } = umociImage(s.dir);
    L = layout;
    // Layer 1: a busybox system with owners, modes, links.
    for (const d of ['bin', 'etc', 'tmp', 'srv/data', 'srv/gone', 'home/app', 'replace-me']) mkdirSync(path.join(r, d), { recursive: true });
    copyFileSync('/bin/busybox', path.join(r, 'bin/busybox'));
    chmodSync(path.join(r, 'bin/busybox'), 0o755);
    for (const a of ['sh', 'echo', 'cat', 'ls', 'id']) symlinkSync('busybox', path.join(r, 'bin', a));
    writeFileSync(path.join(r, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    writeFileSync(path.join(r, 'etc/group'), 'root:x:0:\napp:x:1000:\nwheel:x:10:app\n');
    chmodSync(path.join(r, 'tmp'), 0o1777);
    writeFileSync(path.join(r, 'srv/data/suid'), 'suid');
    chmodSync(path.join(r, 'srv/data/suid'), 0o4755);
    writeFileSync(path.join(r, 'srv/data/owned'), 'owned');
    chownSync(path.join(r, 'srv/data/owned'), 1000, 1000);
    chownSync(path.join(r, 'home/app'), 1000, 1000);
    linkSync(path.join(r, 'srv/data/owned'), path.join(r, 'srv/data/hardlink'));
    symlinkSync('/etc/passwd', path.join(r, 'srv/abs-link'));
    symlinkSync('../../../../..', path.join(r, 'srv/climb'));
    writeFileSync(path.join(r, 'srv/gone/a'), 'a');
    writeFileSync(path.join(r, 'replace-me/inner'), 'i');
    run('umoci', ['repack', '--refresh-bundle', '--image', `${L}:t`, B]);
    // Layer 2: deletions (whiteouts), a directory replaced by a file, a changed file.
    rmSync(path.join(r, 'srv/gone'), { recursive: true });
    rmSync(path.join(r, 'replace-me'), { recursive: true });
    writeFileSync(path.join(r, 'replace-me'), 'now a file');
    writeFileSync(path.join(r, 'srv/data/suid'), 'changed');
    chmodSync(path.join(r, 'srv/data/suid'), 0o2750);
    run('umoci', ['repack', '--refresh-bundle', '--image', `${L}:t`, B]);
    run('umoci', ['config', '--image', `${L}:t`, '--config.entrypoint', '/bin/echo', '--config.cmd', 'hello from', '--config.cmd', 'ocikit', '--config.user', 'app']);
  });
  afterAll(() => s?.cleanup());

  for (const [label, copyArgs] of [
    ['gzip', []],
    ['zstd', ['--dest-compress-format', 'zstd']],
  ] as const) {
    it(`skopeo copy (${label}) then ocikit unpack gives the tree umoci unpack gives`, async () => {
      const S = path.join(s.dir, `S-${label}`);
      run('skopeo', ['copy', ...copyArgs, `oci:${L}:t`, `oci:${S}:copied`]);
      const Bu = path.join(s.dir, `umoci-${label}`);
      const Bo = path.join(s.dir, `ocikit-${label}`);
      // Debian's umoci reads no zstd: it unpacks the gzip original of the same content.
      run('umoci', ['unpack', '--image', label === 'zstd' ? `${L}:t` : `${S}:copied`, Bu]);
      await unpack(S, Bo, { ref: 'copied' });
      expect(listing(path.join(Bo, 'rootfs'))).toEqual(listing(path.join(Bu, 'rootfs')));
      const ours = JSON.parse(readFileSync(path.join(Bo, 'config.json'), 'utf8'));
      const theirs = JSON.parse(readFileSync(path.join(Bu, 'config.json'), 'utf8'));
      expect(ours.process.args).toEqual(theirs.process.args);
      expect(ours.process.user).toEqual({ ...theirs.process.user, additionalGids: [10] });
    });
  }

  it('the bundle runs under runc and prints what Entrypoint + Cmd say', async () => {
    const Bo = path.join(s.dir, 'run');
    await unpack(L, Bo, { ref: 't' });
    const id = `ocikit-interop-${process.pid}`;
    const r = spawnSync('runc', ['run', id], { cwd: Bo, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    spawnSync('runc', ['delete', '--force', id]);
    expect([r.status, r.stdout.toString(), r.stderr.toString()]).toEqual([0, 'hello from ocikit\n', '']);
  });
});
