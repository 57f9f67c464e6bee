import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { scratch } from '../test-support/image.js';
import { TarEntryType, TarReader, type TarEntry } from './reader.js';
import { padding, TAR_END, tarHeader, type TarWriteEntry } from './writer.js';

function archive(entries: { e: TarWriteEntry; content?: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const { e, content } of entries) {
    parts.push(tarHeader(e));
    if (content) parts.push(content, Buffer.alloc(padding(content.length)));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

function readBack(tar: Buffer): { entry: TarEntry; content: Buffer }[] {
  const out: { entry: TarEntry; content: Buffer }[] = [];
  let parts: Buffer[] = [];
  const r = new TarReader({
    entry: (entry) => void out.push({ entry, content: Buffer.alloc(0) }),
    data: (c) => void parts.push(Buffer.from(c)),
    end: () => {
      out[out.length - 1]!.content = Buffer.concat(parts);
      parts = [];
    },
  });
  r.write(tar);
  r.finish();
  return out;
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000 };

describe('tar writer', () => {
  it('writes ustar that our reader and GNU tar read back, PAX only where ustar cannot hold a field', () => {
    const longName = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const veryLong = 'x/'.repeat(150) + 'end';
    const entries: { e: TarWriteEntry; content?: Buffer }[] = [
      { e: { ...base, name: 'etc', type: TarEntryType.Directory, mode: 0o755 } },
      { e: { ...base, name: 'etc/passwd', type: TarEntryType.File, size: 5, mode: 0o4755 }, content: Buffer.from('root\n') },
      { e: { ...base, name: 'etc/pw', type: TarEntryType.Hardlink, linkname: 'etc/passwd' } },
      { e: { ...base, name: 'link', type: TarEntryType.Symlink, linkname: 'l'.repeat(300), mode: 0o777 } },
      { e: { ...base, name: longName, type: TarEntryType.File, size: 0 }, content: Buffer.alloc(0) },
      { e: { ...base, name: veryLong, type: TarEntryType.File, size: 1, uid: 5_000_000, gid: 3_000_000 }, content: Buffer.from('z') },
      { e: { ...base, name: 'dev/null', type: TarEntryType.CharDevice, devmajor: 1, devminor: 3 } },
      { e: { ...base, name: 'fifo', type: TarEntryType.Fifo, xattrs: [['user.bin', Buffer.from([0, 1, 255, 10])]] } },
      { e: { ...base, name: 'caf\u00e9', type: TarEntryType.File, size: 0, mtime: -5 } },
    ];
    const tar = archive(entries);
    const back = readBack(tar);
    expect(back.map((b) => b.entry.name)).toEqual(['etc/', 'etc/passwd', 'etc/pw', 'link', longName, veryLong, 'dev/null', 'fifo', 'caf\u00e9']);
    expect(back[1]!.entry).toMatchObject({ type: 'file', mode: 0o4755, size: 5, mtime: 1_700_000_000, uname: '', gname: '' });
    expect(back[1]!.content.toString()).toBe('root\n');
    expect(back[2]!.entry).toMatchObject({ type: 'hardlink', linkname: 'etc/passwd' });
    expect(back[3]!.entry.linkname).toBe('l'.repeat(300));
    expect(back[5]!.entry).toMatchObject({ uid: 5_000_000, gid: 3_000_000, size: 1 });
    expect(back[6]!.entry).toMatchObject({ type: 'char-device', devmajor: 1, devminor: 3 });
    expect(back[7]!.entry.xattrs?.get('user.bin')).toEqual(Buffer.from([0, 1, 255, 10]));
    expect(back[8]!.entry.mtime).toBe(-5);
    // 240-byte name split into ustar prefix + name: no PAX header for it.
    expect(tarHeader(entries[4]!.e).length).toBe(512);
    expect(tarHeader(entries[0]!.e).length).toBe(512);

    const s = scratch('tar-writer');
    try {
      const file = path.join(s.dir, 'a.tar');
      writeFileSync(file, tar);
      const listing = execFileSync('tar', ['--numeric-owner', '-tvf', file], { encoding: 'utf8' }).trim().split('\n');
      expect(listing).toHaveLength(entries.length);
      expect(listing[1]).toMatch(/^-rwsr-xr-x 0\/0 +5 .* etc\/passwd$/);
      expect(listing[5]).toMatch(/5000000\/3000000/);
      const out = mkdtempSync(path.join(s.dir, 'x-'));
      execFileSync('tar', ['-xf', file, '-C', out, 'etc', longName]);
      expect(readFileSync(path.join(out, 'etc/passwd'), 'utf8')).toBe('root\n');
    } finally {
      s.cleanup();
    }
  });

  it('is deterministic and round-trips any name, id, mode and time (property)', () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9._\u00e9-]{1,40}$/).filter((x) => x !== '.' && x !== '..');
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 12 }),
        fc.nat({ max: 0o7777 }),
        fc.nat({ max: 2 ** 32 - 1 }),
        fc.nat({ max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (parts, mode, uid, gid, mtime) => {
          const e: TarWriteEntry = { name: parts.join('/'), type: TarEntryType.File, mode, uid, gid, size: 3, mtime };
          const tar = archive([{ e, content: Buffer.from('abc') }]);
          expect(archive([{ e, content: Buffer.from('abc') }])).toEqual(tar);
          const [back] = readBack(tar);
          expect(back!.entry).toMatchObject({ name: parts.join('/'), mode, uid, gid, mtime, size: 3 });
          expect(back!.content.toString()).toBe('abc');
        },
      ),
    );
  });
});
