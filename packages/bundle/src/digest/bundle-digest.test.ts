import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, lchownSync, cpSync, linkSync, lutimesSync, mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import fc from 'fast-check';
import { answeredOnWorkers } from '@ocikit/digest/worker-pool';
import { HashPool } from '../tree/hash-pool.js';
import { scanTree } from '../tree/scan-pool.js';
import { bundleDigest, bundleRecord, canonicalJson, escapeBytes, unescapeBytes } from './record.js';
import { diffRecords, verifyBundle } from './verify.js';
import { suiteScratch } from '@ocikit/testkit';

/** A small bundle with one of each kind of entry. */
function makeBundle(dir: string): string {
  const rootfs = path.join(dir, 'rootfs');
  mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
  mkdirSync(path.join(rootfs, 'bin'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { args: ['/bin/sh'], cwd: '/' } }, null, 2));
  writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(path.join(rootfs, 'bin/tool'), Buffer.alloc(3 << 20, 7));
  chmodSync(path.join(rootfs, 'bin/tool'), 0o4755);
  linkSync(path.join(rootfs, 'bin/tool'), path.join(rootfs, 'bin/tool2'));
  symlinkSync('/etc/passwd', path.join(rootfs, 'bin/pw'));
  symlinkSync('../../../../outside', path.join(rootfs, 'bin/escape'));
  writeFileSync(Buffer.concat([Buffer.from(path.join(rootfs, 'etc')), Buffer.from('/caf\xe9 name=%', 'latin1')]), 'latin1 name');
  return dir;
}

/** cp -a: keeps hardlinks, symlinks, modes and byte names. */
const copyTree = (from: string, to: string) => execFileSync('cp', ['-a', from, to]);

describe('bundle digest', () => {
  const s = suiteScratch('bundle-digest');
  let a: string;
  beforeAll(() => {
    a = makeBundle(path.join(s.dir, 'a'));
  });

  it('is the sha256 of the record, which lists config.json and every entry sorted by path bytes', async () => {
    const r = await bundleRecord(a);
    expect(r.digest).toBe(`sha256:${createHash('sha256').update(r.text).digest('hex')}`);
    const lines = r.text.trimEnd().split('\n');
    expect(lines[0]).toBe('ocikit-bundle-record/v1');
    expect(lines[1]).toMatch(/^config\.json digest=sha256:[0-9a-f]{64}$/);
    const paths = lines.slice(2).map((l) => l.split(' ')[0]!);
    expect(paths).toEqual(['/', '/bin', '/bin/escape', '/bin/pw', '/bin/tool', '/bin/tool2', '/etc', '/etc/caf%E9%20name%3D%25', '/etc/passwd']);
    const sorted = [...paths].sort((x, y) => Buffer.compare(unescapeBytes(x), unescapeBytes(y)));
    expect(paths).toEqual(sorted);
    const uid = process.getuid!();
    expect(lines).toContain(`/bin/tool type=file mode=4755 uid=${uid} gid=${process.getgid!()} size=${3 << 20} digest=sha256:${createHash('sha256').update(Buffer.alloc(3 << 20, 7)).digest('hex')}`);
    expect(lines.find((l) => l.startsWith('/bin/tool2 '))).toMatch(/ link=\/bin\/tool$/);
    expect(lines.find((l) => l.startsWith('/bin/escape '))).toMatch(/ target=..\/..\/..\/..\/outside$/);
    expect(r.entries).toBe(9);
    expect(r.text).not.toMatch(/mtime=/);
  });

  it('is the same for the same tree at another path, whatever the mtimes and config.json formatting', async () => {
    const b = path.join(s.dir, 'b-elsewhere');
    copyTree(a, b);
    utimesSync(path.join(b, 'rootfs/etc'), 1000, 1000);
    lutimesSync(path.join(b, 'rootfs/bin/pw'), 2000, 2000);
    writeFileSync(path.join(b, 'config.json'), JSON.stringify({ process: { cwd: '/', args: ['/bin/sh'] }, root: { path: 'rootfs' }, ociVersion: '1.2.0' }));
    expect(await bundleDigest(b)).toBe(await bundleDigest(a));
    expect(await bundleDigest(b, { mtimes: true })).not.toBe(await bundleDigest(a, { mtimes: true }));
    expect(await bundleDigest(a, { threads: 0 })).toBe(await bundleDigest(a));
  });

  it('scans on worker threads (the built scan-worker.js) to the same entries as on this thread', async () => {
    const rootfs = path.join(a, 'rootfs');
    const before = answeredOnWorkers('scan-worker.js');
    const onWorkers = await scanTree(rootfs, { threads: 2, mtimes: true });
    expect(answeredOnWorkers('scan-worker.js') - before).toBeGreaterThan(0);
    expect(onWorkers).toEqual(await scanTree(rootfs, { threads: 0, mtimes: true }));
    expect(onWorkers.map((e) => e.rel)).toContain('bin/tool2');
  });

  it('hashes batches of files on worker threads (the built hash-worker.js), an unreadable one as its error', async () => {
    const files = ['bin/tool', 'etc/passwd', 'bin/pw', 'no-such-file'].map((f) => Buffer.from(path.join(a, 'rootfs', f)));
    const before = answeredOnWorkers('hash-worker.js');
    const pool = new HashPool({ threads: 2 });
    const pending = files.map((f) => pool.hash(f, 1));
    pool.flush();
    const results = await Promise.all(pending);
    await pool.close();
    // One batch: one answer from a worker.
    expect(answeredOnWorkers('hash-worker.js') - before).toBe(1);
    expect(results[0]).toEqual({ digest: `sha256:${createHash('sha256').update(Buffer.alloc(3 << 20, 7)).digest('hex')}`, size: 3 << 20 });
    expect(results[1]).toMatchObject({ size: 30 });
    // Not followed: a symlink is refused, never followed.
    expect(results[2]).toMatchObject({ error: { code: 'NOT_A_REGULAR_FILE' } });
    expect(results[3]).toMatchObject({ error: { code: 'ENOENT' } });
    const inline = new HashPool({ threads: 0 });
    expect(await Promise.all(files.map((f) => inline.hash(f, 1)))).toEqual(results);
    await inline.close();
  });

  // Each change: a description and what it does to a fresh copy of the bundle.
  const changes: [string, (b: string) => void][] = [
    ['file content', (b) => writeFileSync(path.join(b, 'rootfs/etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n')],
    ['same-size content', (b) => writeFileSync(path.join(b, 'rootfs/etc/passwd'), 'ROOT:x:0:0:root:/root:/bin/sh\n')],
    ['mode', (b) => chmodSync(path.join(b, 'rootfs/etc/passwd'), 0o600)],
    ['setuid bit', (b) => chmodSync(path.join(b, 'rootfs/bin/tool'), 0o755)],
    ['owner', (b) => chownSync(path.join(b, 'rootfs/etc/passwd'), 1000, 0)],
    ['group', (b) => lchownSync(path.join(b, 'rootfs/bin/pw'), 0, 1000)],
    ['directory mode', (b) => chmodSync(path.join(b, 'rootfs/etc'), 0o700)],
    ['symlink target', (b) => (rmSync(path.join(b, 'rootfs/bin/pw')), symlinkSync('/etc/shadow', path.join(b, 'rootfs/bin/pw')))],
    ['symlink replaced by a file', (b) => (rmSync(path.join(b, 'rootfs/bin/pw')), writeFileSync(path.join(b, 'rootfs/bin/pw'), '/etc/passwd'))],
    ['hardlink broken into a copy', (b) => (rmSync(path.join(b, 'rootfs/bin/tool2')), cpSync(path.join(b, 'rootfs/bin/tool'), path.join(b, 'rootfs/bin/tool2')), chmodSync(path.join(b, 'rootfs/bin/tool2'), 0o4755))],
    ['file added', (b) => writeFileSync(path.join(b, 'rootfs/etc/new'), '')],
    ['file removed', (b) => rmSync(path.join(b, 'rootfs/etc/passwd'))],
    ['file renamed', (b) => renameSync(path.join(b, 'rootfs/etc/passwd'), path.join(b, 'rootfs/etc/passwd-'))],
    ['empty directory added', (b) => mkdirSync(path.join(b, 'rootfs/srv'))],
    ['xattr', (b) => setAttributeSync(path.join(b, 'rootfs/etc/passwd'), 'user.ocikit', 'x')],
    ['config.json', (b) => writeFileSync(path.join(b, 'config.json'), JSON.stringify({ ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { args: ['/bin/bash'], cwd: '/' } }))],
  ];
  it.each(changes)('changes with: %s, and verify names the entry', async (_name, change) => {
    const b = path.join(s.dir, `c-${Math.random().toString(36).slice(2)}`);
    copyTree(a, b);
    const before = await bundleRecord(b);
    expect(before.digest).toBe(await bundleDigest(a));
    change(b);
    const after = await bundleRecord(b);
    expect(after.digest).not.toBe(before.digest);
    const v = await verifyBundle(b, before.text);
    expect(v.ok).toBe(false);
    expect(v.difference).toBeDefined();
    expect(diffRecords(before.text, after.text)).toEqual(v.difference);
    expect((await verifyBundle(b, after.digest)).ok).toBe(true);
    expect((await verifyBundle(b, after.text)).ok).toBe(true);
  });

  it('names the first differing entry and the fields', async () => {
    const b = path.join(s.dir, 'named');
    copyTree(a, b);
    const before = await bundleRecord(b);
    chmodSync(path.join(b, 'rootfs/etc/passwd'), 0o600);
    const v = await verifyBundle(b, before.text);
    expect(v.difference).toEqual({ entry: '/etc/passwd', kind: 'changed', fields: ['mode: 0644 -> 0600'] });
  });

  it('refuses a bundle without config.json or with root.path outside it', async () => {
    const b = path.join(s.dir, 'noconfig');
    mkdirSync(path.join(b, 'rootfs'), { recursive: true });
    await expect(bundleDigest(b)).rejects.toMatchObject({ code: 'INVALID_BUNDLE' });
    writeFileSync(path.join(b, 'config.json'), JSON.stringify({ root: { path: '../x' } }));
    await expect(bundleDigest(b)).rejects.toMatchObject({ code: 'INVALID_BUNDLE' });
  });

  it('escapes any bytes reversibly and canonical JSON ignores key order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = escapeBytes(Buffer.from(bytes));
        expect(text).toMatch(/^[\x21-\x7e]*$/);
        expect(text).not.toMatch(/[ =]/);
        expect(unescapeBytes(text)).toEqual(Buffer.from(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
});
