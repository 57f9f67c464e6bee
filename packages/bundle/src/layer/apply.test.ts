import { beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { BundleErrorCode } from '../errors.js';
import { ConfinedRoot, MAX_SYMLINKS } from '../fs/confine.js';
import { tarArchive, type TestEntry } from '../test-support/tar-writer.js';
import { TarReader } from '../tar/reader.js';
import { RootfsWriter, isAbsoluteEntryName, normalizeEntryName } from './apply.js';
import { testScratch } from '@ocikit/testkit';
import { rootBesideHost } from '../test-support/escape.js';

const s = testScratch('apply');
let rootDir: string;
let outside: string;

beforeEach(() => {
  ({ rootDir, outside } = rootBesideHost(s.dir, 'rootfs', ['keep', 'host']));
});

/** Apply layers in order; returns the writer's warnings. */
function apply(layers: TestEntry[][], options: { rootless?: boolean } = {}): string[] {
  const warnings: string[] = [];
  const writer = new RootfsWriter(new ConfinedRoot(rootDir), { ...options, warn: (m) => warnings.push(m) });
  for (const layer of layers) {
    const reader = new TarReader(writer.beginLayer());
    reader.write(tarArchive(layer));
    reader.finish();
  }
  writer.finish();
  return warnings;
}

const at = (p: string) => path.join(rootDir, p);
const tree = (): string[] => {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(at(rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      out.push(r);
      if (lstatSync(at(r)).isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
};
const outsideUntouched = () => {
  expect(readdirSync(s.dir).sort()).toEqual(['outside', 'rootfs']);
  expect(readdirSync(outside)).toEqual(['keep']);
  expect(readFileSync(path.join(outside, 'keep'), 'utf8')).toBe('host');
};

describe('normalizeEntryName', () => {
  it('drops ./ and trailing slashes, keeps the rest', () => {
    expect(normalizeEntryName('./a//b/./c/')).toBe('a/b/c');
    expect(normalizeEntryName('./')).toBe('');
  });
  // As GNU tar 1.34 (verified: "Removing leading `/' from member names"), umoci 0.4.7 and containerd do.
  it.each([
    ['/etc/passwd', 'etc/passwd'],
    ['./etc/passwd', 'etc/passwd'],
    ['.//etc', 'etc'],
    ['//etc/hosts', 'etc/hosts'],
    ['///etc/issue', 'etc/issue'],
    ['/./etc/', 'etc'],
    ['./', ''],
    ['/', ''],
    ['//', ''],
    ['.', ''],
  ])('resolves %j inside the root as %j', (name, expected) => {
    expect(normalizeEntryName(name)).toBe(expected);
  });
  it.each(['a/../../etc', '../x', '/../x', './../x', 'a/..', 'a/../b'])('refuses %j (a ".." component), naming the entry', (name) => {
    expect(() => normalizeEntryName(name)).toThrow(expect.objectContaining({ code: BundleErrorCode.PathEscape, entry: name }));
    expect(() => normalizeEntryName(name, 'hardlink target')).toThrow(`hardlink target ${JSON.stringify(name)} has a ".." component`);
  });
  it('tells absolute names apart', () => {
    expect(['/etc', '//etc', '/', './etc', 'etc', '.'].map(isAbsoluteEntryName)).toEqual([true, true, true, false, false, false]);
  });
});

describe('changesets (layer.md)', () => {
  it('whiteouts remove lower-layer entries and are not themselves extracted', () => {
    apply([
      [{ name: 'a/', type: '5' }, { name: 'a/x', content: '1' }, { name: 'a/y', content: '2' }, { name: 'b', content: 'b' }],
      [{ name: 'a/.wh.x' }, { name: '.wh.b' }],
    ]);
    expect(tree()).toEqual(['a', 'a/y']);
  });

  it('opaque whiteouts hide every lower child but keep entries of the same layer, in either order', () => {
    apply([
      [{ name: 'd/', type: '5' }, { name: 'd/old', content: 'o' }, { name: 'd/sub/', type: '5' }, { name: 'd/sub/deep', content: 'x' }],
      [{ name: 'd/new', content: 'n' }, { name: 'd/.wh..wh..opq' }, { name: 'd/sub/fresh', content: 'f' }],
    ]);
    expect(tree()).toEqual(['d', 'd/new', 'd/sub', 'd/sub/fresh']);
  });

  it('a whiteout does not hide an entry of its own layer', () => {
    apply([[{ name: 'f', content: 'same layer' }, { name: '.wh.f' }]]);
    expect(readFileSync(at('f'), 'utf8')).toBe('same layer');
  });

  it('refuses whiteouts that name nothing or climb', () => {
    for (const name of ['.wh.', 'a/.wh..', 'a/.wh...']) {
      expect(() => apply([[{ name: 'a/', type: '5' }, { name }]])).toThrow(expect.objectContaining({ code: BundleErrorCode.PathEscape }));
    }
  });

  it('whiteouts through a symlinked directory stay inside the rootfs', () => {
    apply([[{ name: 'link', type: '2', linkname: outside }], [{ name: 'link/.wh.keep' }]]);
    outsideUntouched();
  });

  it('replaces a directory by a file and a file by a directory', () => {
    apply([
      [{ name: 'x/', type: '5' }, { name: 'x/inner', content: 'i' }, { name: 'y', content: 'file' }],
      [{ name: 'x', content: 'now a file' }, { name: 'y/', type: '5' }, { name: 'y/z', content: 'z' }],
    ]);
    expect(readFileSync(at('x'), 'utf8')).toBe('now a file');
    expect(lstatSync(at('y')).isDirectory()).toBe(true);
    expect(tree()).toEqual(['x', 'y', 'y/z']);
  });

  it('duplicate entries: the last one wins', () => {
    apply([[{ name: 'f', content: 'first' }, { name: 'f', content: 'second', mode: 0o600 }]]);
    expect(readFileSync(at('f'), 'utf8')).toBe('second');
    expect(lstatSync(at('f')).mode & 0o7777).toBe(0o600);
  });

  it('keeps setuid, setgid and sticky bits and ownership (as root)', () => {
    apply([[{ name: 'suid', content: '#!', mode: 0o4755, uid: 1234, gid: 5678 }, { name: 'sgid/', type: '5', mode: 0o2775 }, { name: 'tmp/', type: '5', mode: 0o1777 }]]);
    expect(lstatSync(at('suid')).mode & 0o7777).toBe(0o4755);
    expect(lstatSync(at('suid'))).toMatchObject({ uid: 1234, gid: 5678 });
    expect(lstatSync(at('sgid')).mode & 0o7777).toBe(0o2775);
    expect(lstatSync(at('tmp')).mode & 0o7777).toBe(0o1777);
  });

  it('rootless: files stay the caller\'s, modes apply', () => {
    apply([[{ name: 'f', content: 'x', mode: 0o640, uid: 1234, gid: 5678 }]], { rootless: true });
    expect(lstatSync(at('f'))).toMatchObject({ uid: process.getuid!(), gid: process.getgid!() });
    expect(lstatSync(at('f')).mode & 0o777).toBe(0o640);
  });

  it('sets mtimes, directories last', () => {
    apply([[{ name: 'd/', type: '5', mtime: 1000 }, { name: 'd/f', content: 'x', mtime: 2000 }, { name: 'l', type: '2', linkname: 'd', mtime: 3000 }]]);
    expect(lstatSync(at('d')).mtimeMs).toBe(1000 * 1000);
    expect(lstatSync(at('d/f')).mtimeMs).toBe(2000 * 1000);
    expect(lstatSync(at('l')).mtimeMs).toBe(3000 * 1000);
  });

  it('creates symlinks with their exact targets, never following them', () => {
    apply([[{ name: 'abs', type: '2', linkname: '/etc/passwd' }, { name: 'up', type: '2', linkname: '../../../../' }, { name: 'up/escape', content: 'x' }]]);
    expect(readlinkSync(at('abs'))).toBe('/etc/passwd');
    expect(readlinkSync(at('up'))).toBe('../../../../');
    // up/escape resolved inside the rootfs: up -> the rootfs itself.
    expect(readFileSync(at('escape'), 'utf8')).toBe('x');
    outsideUntouched();
  });

  it('a later entry through an escaping symlink lands inside the rootfs', () => {
    apply([[{ name: 'evil', type: '2', linkname: outside }], [{ name: 'evil/keep', content: 'pwned' }]]);
    outsideUntouched();
    expect(readFileSync(path.join(rootDir, outside, 'keep'), 'utf8')).toBe('pwned');
  });

  it('hardlinks share the inode; escaping or missing targets are refused', () => {
    apply([[{ name: 'a', content: 'data' }, { name: 'b', type: '1', linkname: 'a' }]]);
    expect(lstatSync(at('b')).ino).toBe(lstatSync(at('a')).ino);
    expect(() => apply([[{ name: 'c', type: '1', linkname: '../outside/keep' }]])).toThrow(expect.objectContaining({ code: BundleErrorCode.PathEscape }));
    expect(() => apply([[{ name: 'c', type: '1', linkname: '/../etc/passwd' }]])).toThrow(expect.objectContaining({ code: BundleErrorCode.PathEscape }));
    expect(() => apply([[{ name: 'o', type: '2', linkname: outside }, { name: 'c', type: '1', linkname: 'o/keep' }]])).toThrow(
      expect.objectContaining({ code: BundleErrorCode.InvalidLink }),
    );
    outsideUntouched();
  });

  it('refuses traversal', () => {
    expect(() => apply([[{ name: '../outside/keep', content: 'x' }]])).toThrow(expect.objectContaining({ code: BundleErrorCode.PathEscape }));
    expect(() => apply([[{ name: '/../outside/keep', content: 'x' }]])).toThrow(expect.objectContaining({ code: BundleErrorCode.PathEscape }));
    outsideUntouched();
  });

  it('writes absolute names and hardlink targets inside the root; symlink targets stay as archived', () => {
    const warnings = apply([
      [
        { name: '/', type: '5', mode: 0o751 },
        { name: '/etc/', type: '5' },
        { name: '/etc/passwd', content: 'root' },
        { name: '//etc/hosts', content: 'h' },
        { name: './/etc/group', content: 'g' },
        { name: '/etc/hl', type: '1', linkname: '/etc/passwd' },
        { name: '/etc/sl', type: '2', linkname: '/etc/passwd' },
        { name: `/${outside.slice(1)}/keep`, content: 'inside' },
      ],
    ]);
    expect(warnings).toEqual([]);
    expect(lstatSync(rootDir).mode & 0o777).toBe(0o751);
    expect(readFileSync(at('etc/passwd'), 'utf8')).toBe('root');
    expect(readFileSync(at('etc/hosts'), 'utf8')).toBe('h');
    expect(readFileSync(at('etc/group'), 'utf8')).toBe('g');
    expect(lstatSync(at('etc/hl')).ino).toBe(lstatSync(at('etc/passwd')).ino);
    expect(readlinkSync(at('etc/sl'))).toBe('/etc/passwd');
    expect(readFileSync(at(`${outside.slice(1)}/keep`), 'utf8')).toBe('inside');
    outsideUntouched();
  });

  it('applies PAX xattrs', () => {
    apply([[{ name: 'f', content: 'x', pax: { 'SCHILY.xattr.user.test': Buffer.from([1, 2, 3]) } }]]);
    expect(getAttributeSync(at('f'), 'user.test')).toEqual(Buffer.from([1, 2, 3]));
  });

  it('creates fifos and device nodes as root, and skips devices with a warning when rootless', () => {
    apply([[{ name: 'fifo', type: '6' }, { name: 'null', type: '3', devmajor: 1, devminor: 3, mode: 0o666 }]]);
    expect(lstatSync(at('fifo')).isFIFO()).toBe(true);
    expect(lstatSync(at('null')).isCharacterDevice()).toBe(true);
    const warnings = apply([[{ name: 'null2', type: '3', devmajor: 1, devminor: 3 }]], { rootless: true });
    expect(existsSync(at('null2'))).toBe(false);
    expect(warnings.join('\n')).toMatch(/null2/);
  });
});

describe('RootfsWriter through the shared confinement walk: bounded', () => {
  /** Layer entries c0 -> c1 -> ... -> c<n> (symlinks), c<n> a directory, then c0/x. */
  const chainLayer = (n: number): TestEntry[] => [
    { name: `c${n}/`, type: '5' },
    ...Array.from({ length: n }, (_, i): TestEntry => ({ name: `c${i}`, type: '2', linkname: i % 2 === 1 ? `/c${i + 1}` : `c${i + 1}` })),
    { name: 'c0/x', content: 'x' },
  ];

  it(`writes through MAX_SYMLINKS (${MAX_SYMLINKS}) links and refuses one more with SYMLINK_LOOP`, () => {
    apply([chainLayer(MAX_SYMLINKS)]);
    expect(readFileSync(at(`c${MAX_SYMLINKS}/x`), 'utf8')).toBe('x');
    rmSync(rootDir, { recursive: true });
    mkdirSync(rootDir);
    expect(() => apply([chainLayer(MAX_SYMLINKS + 1)])).toThrow(expect.objectContaining({ code: BundleErrorCode.SymlinkLoop }));
    expect(existsSync(at(`c${MAX_SYMLINKS + 1}/x`))).toBe(false);
    outsideUntouched();
  });

  it('refuses an entry name longer than PATH_MAX with INVALID_PATH even when the tar reader lets it through', () => {
    // The tar reader refuses such names by default; the confinement bound holds on its own.
    const writer = new RootfsWriter(new ConfinedRoot(rootDir), { warn: () => {} });
    const reader = new TarReader(writer.beginLayer(), { maxPathBytes: 1 << 16 });
    const layer = tarArchive([{ name: 'x', pax: { path: `${'a/'.repeat(3000)}f` }, content: 'x' }]);
    expect(() => reader.write(layer)).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidPath, message: expect.stringContaining('more than MAX_PATH_BYTES (4096 bytes)') }));
    expect(readdirSync(rootDir)).toEqual([]);
    outsideUntouched();
  });
});
