import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { BundleErrorCode } from '../errors.js';
import { scratch } from '../test-support/image.js';
import { tarArchive, tarEntry, writeChecksum, type TestEntry } from '../test-support/tar-writer.js';
import { TarReader, type TarEntry } from './reader.js';
import { suiteScratch } from '@ocikit/testkit';

interface Seen {
  entry: TarEntry;
  content: string;
}

/** Read an archive pushed in chunks of `chunk` bytes. */
function read(archive: Buffer, chunk = archive.length || 1): Seen[] {
  const seen: Seen[] = [];
  let hash: ReturnType<typeof createHash> | undefined;
  let current: TarEntry | undefined;
  const reader = new TarReader({
    entry(e) {
      current = e;
      hash = createHash('sha256');
    },
    data(c) {
      hash!.update(c);
    },
    end() {
      seen.push({ entry: current!, content: hash!.digest('hex') });
    },
  });
  for (let off = 0; off < archive.length; off += chunk) reader.write(archive.subarray(off, off + chunk));
  reader.finish();
  return seen;
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('TarReader on archives written by GNU tar', () => {
  const s = suiteScratch('tar');
  const longName = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
  beforeAll(() => {
    const t = path.join(s.dir, 'tree');
    mkdirSync(path.join(t, 'd'.repeat(120)), { recursive: true });
    writeFileSync(path.join(t, longName), 'long');
    writeFileSync(path.join(t, 'plain'), 'x'.repeat(1000));
    writeFileSync(path.join(t, 'ünïcödé ☃'), 'snow');
    writeFileSync(path.join(t, 'empty'), '');
    symlinkSync(`/${'t'.repeat(150)}`, path.join(t, 'longlink'));
    linkSync(path.join(t, 'plain'), path.join(t, 'hard'));
    setAttributeSync(path.join(t, 'plain'), 'user.ocikit', Buffer.from([0, 1, 2, 0xff]));
  });

  for (const format of ['gnu', 'pax', 'posix']) {
    it(`reads --format=${format}: long names, long link targets, unicode, hardlinks, content`, () => {
      const archive = execFileSync('tar', ['-C', path.join(s.dir, 'tree'), `--format=${format}`, '--xattrs', '--sort=name', '-cf', '-', '.']);
      for (const chunk of [archive.length, 512, 7, 100_000]) {
        const seen = read(archive, chunk);
        const byName = new Map(seen.map((x) => [x.entry.name.replace(/^\.\//, '').replace(/\/$/, ''), x]));
        expect(byName.get(longName)?.content).toBe(sha('long'));
        expect(byName.get('ünïcödé ☃')?.content).toBe(sha('snow'));
        expect(byName.get('empty')?.entry.size).toBe(0);
        expect(byName.get('longlink')?.entry).toMatchObject({ type: 'symlink', linkname: `/${'t'.repeat(150)}` });
        const hard = [byName.get('hard')!, byName.get('plain')!].sort((a, b) => a.entry.type.localeCompare(b.entry.type));
        expect(hard[0]!.entry.type).toBe('file');
        expect(hard[1]!.entry).toMatchObject({ type: 'hardlink' });
        expect(byName.get('d'.repeat(120))?.entry.type).toBe('directory');
        if (format !== 'gnu') {
          const plain = byName.get('plain') ?? byName.get('hard');
          const withXattr = [byName.get('plain'), byName.get('hard')].find((x) => x?.entry.xattrs);
          expect(plain).toBeDefined();
          expect(withXattr?.entry.xattrs?.get('user.ocikit')).toEqual(Buffer.from([0, 1, 2, 0xff]));
        }
      }
    });
  }
});

describe('TarReader is strict on malformed input', () => {
  const expectCode = (archive: Buffer, code: string) => expect(() => read(archive)).toThrow(expect.objectContaining({ code }));

  it('refuses a bad header checksum', () => expectCode(tarArchive([{ name: 'a', content: 'x', badChecksum: true }]), BundleErrorCode.InvalidTar));

  it('refuses a stream cut inside an entry', () => {
    const a = tarArchive([{ name: 'a', content: 'x'.repeat(2000) }], { end: false });
    expectCode(a.subarray(0, 1200), BundleErrorCode.InvalidTar);
  });

  it('refuses a stream cut inside a header', () => expectCode(tarArchive([{ name: 'a' }]).subarray(0, 300), BundleErrorCode.InvalidTar));

  it('accepts a stream that ends at an entry boundary without the end marker', () => {
    expect(read(tarArchive([{ name: 'a', content: 'x' }], { end: false }))).toHaveLength(1);
  });

  it('accepts a stream that stops right after the last content, unpadded, as umoci 0.4.7 insert writes; a cut in the padding is refused', () => {
    const a = tarArchive([{ name: 'd/', type: '5' }, { name: 'd/a', content: 'xy' }], { end: false });
    const unpadded = a.subarray(0, 1024 + 2);
    expect(read(unpadded).map((x) => [x.entry.name, x.content])).toEqual([
      ['d/', sha('')],
      ['d/a', sha('xy')],
    ]);
    for (const chunk of [1, 7, 512]) expect(read(unpadded, chunk)).toHaveLength(2);
    expectCode(a.subarray(0, 1024 + 100), BundleErrorCode.InvalidTar);
    // An extended header with its entry missing is still a truncation.
    expectCode(tarArchive([{ name: 'a', pax: { path: 'long' } }]).subarray(0, 1024), BundleErrorCode.InvalidTar);
  });

  it('says whether the end-of-archive marker was read', () => {
    const ended = (archive: Buffer) => {
      const r = new TarReader({ entry() {}, data() {}, end() {} });
      r.write(archive);
      r.finish();
      return r.ended;
    };
    expect(ended(tarArchive([{ name: 'a', content: 'x' }]))).toBe(true);
    expect(ended(tarArchive([{ name: 'a', content: 'x' }], { end: false }).subarray(0, 513))).toBe(false);
  });

  it('skips content unread for a caller that seeks, and still sees every header', () => {
    const a = tarArchive([{ name: 'big', content: 'b'.repeat(5000) }, { name: 'x', pax: { path: 'p'.repeat(200) }, content: 'c' }, { name: 'last' }]);
    const names: string[] = [];
    const delivered: number[] = [];
    const r = new TarReader({ entry: (e) => void names.push(e.name), data: (c) => void delivered.push(c.length), end() {} });
    let pos = 0;
    while (!r.ended) {
      // Up to the next block boundary: a header alone, so its content can be skipped.
      const block = a.subarray(pos, pos + 512 - (pos % 512));
      r.write(block);
      pos += block.length + r.skipContent();
    }
    r.finish();
    expect(names).toEqual(['big', 'p'.repeat(200), 'last']);
    expect(delivered).toEqual([]);
  });

  it('refuses names that are not UTF-8', () => expectCode(tarArchive([{ name: '', rawName: Buffer.from([0x66, 0xff, 0xfe]) }]), BundleErrorCode.InvalidPath));

  it('refuses a NUL inside a PAX path', () => expectCode(tarArchive([{ name: 'a', pax: { path: 'ok\0/../../etc' } }]), BundleErrorCode.InvalidPath));

  it('refuses a NUL inside a GNU long name', () => {
    expectCode(tarArchive([{ name: `${'a'.repeat(120)}`, rawName: Buffer.from(`${'a'.repeat(110)}\0b`), gnuLongName: true }]), BundleErrorCode.InvalidPath);
  });

  it('refuses absurdly long paths', () => expectCode(tarArchive([{ name: 'x', pax: { path: 'a/'.repeat(3000) } }]), BundleErrorCode.InvalidPath));

  it('refuses PAX records whose length lies', () => {
    const e = tarEntry({ name: 'a', pax: { path: 'abc' } });
    // The first record starts at 512: "12 path=abc\n"; make its length too large.
    e.write('99', 512, 'latin1');
    expectCode(Buffer.concat([e, Buffer.alloc(1024)]), BundleErrorCode.InvalidTar);
  });

  it('refuses a size field that is not octal', () => {
    const e = tarEntry({ name: 'a', content: 'x' });
    e.write('12x', 124, 'latin1');
    writeChecksum(e); // only the size is wrong
    expectCode(Buffer.concat([e, Buffer.alloc(1024)]), BundleErrorCode.InvalidTar);
  });

  it('reads base-256 sizes and refuses negative ones', () => {
    const make = (first: number) => {
      const e = tarEntry({ name: 'a', content: 'hello' });
      e.fill(0, 124, 136);
      e[124] = first;
      e[135] = 5;
      writeChecksum(e);
      return Buffer.concat([e, Buffer.alloc(1024)]);
    };
    expect(read(make(0x80))[0]!.content).toBe(sha('hello'));
    expectCode(make(0xff), BundleErrorCode.InvalidTar);
  });

  it('refuses a PAX size that is not a number', () => expectCode(tarArchive([{ name: 'a', pax: { size: '-1' } }]), BundleErrorCode.InvalidTar));

  it('refuses data after a lone zero block', () => {
    expectCode(Buffer.concat([tarEntry({ name: 'a' }), Buffer.alloc(512), tarEntry({ name: 'b' }), Buffer.alloc(1024)]), BundleErrorCode.InvalidTar);
  });

  it('refuses sparse entries by type and by PAX key', () => {
    expectCode(tarArchive([{ name: 'a', type: 'S' }]), BundleErrorCode.UnsupportedTarEntry);
    expectCode(tarArchive([{ name: 'a', pax: { 'GNU.sparse.major': '1' } }]), BundleErrorCode.UnsupportedTarEntry);
  });

  it('refuses an extended header with no entry after it', () => {
    const e = tarEntry({ name: 'a', pax: { path: 'b' } });
    expectCode(e.subarray(0, 1024), BundleErrorCode.InvalidTar);
  });

  it('gives header-only types no content, like Go archive/tar', () => {
    // A directory whose size field claims data: the next header follows at once.
    const dir = tarEntry({ name: 'd/', type: '5' });
    dir.write('00000001000\0', 124, 'latin1');
    writeChecksum(dir);
    const seen = read(Buffer.concat([dir, tarEntry({ name: 'f', content: 'x' }), Buffer.alloc(1024)]));
    expect(seen.map((x) => x.entry.name)).toEqual(['d/', 'f']);
  });
});

describe('TarReader round trip (property)', () => {
  const entryArb: fc.Arbitrary<TestEntry> = fc.record({
    name: fc.stringMatching(/^[a-z0-9._-]{1,40}(\/[a-z0-9._-]{1,40}){0,3}$/),
    content: fc.uint8Array({ maxLength: 3000 }).map((u) => Buffer.from(u)),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    uid: fc.integer({ min: 0, max: 2 ** 21 - 1 }),
    gid: fc.integer({ min: 0, max: 2 ** 21 - 1 }),
    mtime: fc.integer({ min: 0, max: 2 ** 33 - 1 }),
    gnuLongName: fc.boolean(),
  });

  it('returns every entry, field and byte in any chunking', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 8 }), fc.integer({ min: 1, max: 5000 }), (entries, chunk) => {
        const seen = read(tarArchive(entries), chunk);
        expect(seen.map((x) => ({ name: x.entry.name, mode: x.entry.mode, uid: x.entry.uid, gid: x.entry.gid, mtime: x.entry.mtime, content: x.content }))).toEqual(
          entries.map((e) => ({ name: e.name, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, content: sha(e.content as Buffer) })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('matches GNU tar listing for a random archive it reads back', () => {
    const s = scratch('tar-gnu');
    try {
      const entries: TestEntry[] = [
        { name: 'a', content: 'A' },
        { name: 'dir/', type: '5' },
        { name: 'dir/b', content: 'B'.repeat(700) },
        { name: 'l', type: '2', linkname: '../x' },
      ];
      const file = path.join(s.dir, 'a.tar');
      writeFileSync(file, tarArchive(entries));
      const listed = execFileSync('tar', ['-tf', file]).toString().trim().split('\n');
      expect(read(readFileSync(file)).map((x) => x.entry.name)).toEqual(listed);
    } finally {
      s.cleanup();
    }
  });
});
