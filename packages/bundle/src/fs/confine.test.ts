import { beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfinedRoot as SharedConfinedRoot, MAX_PATH_BYTES, MAX_SYMLINKS as SHARED_MAX_SYMLINKS } from '@ocikit/runtime-spec/confine';
import { BundleError, BundleErrorCode, BundleSpecRef } from '../errors.js';
import { ConfinedRoot as IndexConfinedRoot, MAX_SYMLINKS as INDEX_MAX_SYMLINKS } from '../index.js';
import { scratch } from '../test-support/image.js';
import { ConfinedRoot, MAX_SYMLINKS } from './confine.js';
import { testScratch } from '@ocikit/testkit';
import { rootBesideHost } from '../test-support/escape.js';

const s = testScratch('confine');
let rootDir: string;
let outside: string;
let root: ConfinedRoot;

beforeEach(() => {
  ({ rootDir, outside } = rootBesideHost(s.dir, 'root', ['secret', 'host secret']));
  root = new ConfinedRoot(rootDir);
});

/** What lies outside the root: must never change. */
function outsideState(): string {
  return JSON.stringify([readdirSync(s.dir).sort(), readdirSync(outside).sort(), readFileSync(path.join(outside, 'secret'), 'utf8')]);
}

describe('ConfinedRoot: hostile symlinks stay inside the root', () => {
  const hostile: [string, string][] = [
    ['absolute symlink to /', '/'],
    ['absolute symlink to the outside dir', ''], // filled in per test
    ['relative symlink climbing out', '../../..'],
    ['relative symlink to a sibling outside', '../outside'],
  ];

  for (const [label, target] of hostile) {
    it(`writes through a directory ${label} land inside the root`, () => {
      const t = target === '' ? outside : target;
      symlinkSync(t, path.join(rootDir, 'evil'));
      const before = outsideState();
      const { fd, host } = root.create('evil/secret');
      writeFileSync(fd, 'inside');
      expect(host.startsWith(`${root.root}/`)).toBe(true);
      expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('host secret');
      expect(outsideState()).toBe(before);
      // The symlink itself is untouched: it is resolved, not replaced, as an intermediate component.
      expect(readlinkSync(path.join(rootDir, 'evil'))).toBe(t);
    });
  }

  it('resolves an absolute symlink relative to the root, as if the root were /', () => {
    mkdirSync(path.join(rootDir, 'etc'));
    writeFileSync(path.join(rootDir, 'etc/passwd'), 'inside');
    symlinkSync('/etc', path.join(rootDir, 'link'));
    expect(root.resolve('link/passwd').host).toBe(path.join(root.root, 'etc/passwd'));
    expect(root.readFile('link/passwd', 100)?.toString()).toBe('inside');
  });

  it('never reads a file outside through a symlinked file', () => {
    symlinkSync(path.join(outside, 'secret'), path.join(rootDir, 'passwd'));
    // The target resolves inside the root, where it does not exist.
    expect(root.readFile('passwd', 100)).toBeUndefined();
  });

  it('refuses symlink loops with SYMLINK_LOOP', () => {
    symlinkSync('b', path.join(rootDir, 'a'));
    symlinkSync('a', path.join(rootDir, 'b'));
    expect(() => root.create('a/x')).toThrow(expect.objectContaining({ code: BundleErrorCode.SymlinkLoop }));
    symlinkSync('self', path.join(rootDir, 'self'));
    expect(() => root.resolve('self')).toThrow(expect.objectContaining({ code: BundleErrorCode.SymlinkLoop }));
  });

  it('replaces a symlink at the last component instead of writing through it', () => {
    symlinkSync(path.join(outside, 'secret'), path.join(rootDir, 'f'));
    const { fd } = root.create('f');
    writeFileSync(fd, 'new');
    expect(lstatSync(path.join(rootDir, 'f')).isFile()).toBe(true);
    expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('host secret');
  });

  it('removes a symlink, never its target', () => {
    symlinkSync(outside, path.join(rootDir, 'o'));
    expect(root.remove('o')).toBe(true);
    expect(existsSync(path.join(outside, 'secret'))).toBe(true);
  });

  it('keeps ".." from climbing above the root', () => {
    expect(root.resolve('../../../etc/passwd').host).toBe(path.join(root.root, 'etc/passwd'));
    const { host } = root.create('../../x');
    expect(host).toBe(path.join(root.root, 'x'));
  });

  it('hardlinks only to entries inside the root (the target is resolved confined)', () => {
    symlinkSync(outside, path.join(rootDir, 'o'));
    expect(() => root.link('o/secret', 'stolen')).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidLink }));
    expect(existsSync(path.join(rootDir, 'stolen'))).toBe(false);
  });

  it('hardlinks to a symlink link the symlink itself', () => {
    symlinkSync('/etc/shadow', path.join(rootDir, 's'));
    root.link('s', 'h');
    expect(lstatSync(path.join(rootDir, 'h')).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(rootDir, 'h')).ino).toBe(lstatSync(path.join(rootDir, 's')).ino);
  });

  it('a directory replaced by a symlink is not remembered as a directory', () => {
    root.mkdir('d');
    root.create('d/f');
    root.symlink(outside, 'd'); // replaces the directory
    const { host } = root.create('d/g');
    expect(host.startsWith(`${root.root}/`)).toBe(true);
    expect(existsSync(path.join(outside, 'g'))).toBe(false);
  });

  it('property: no sequence of operations creates anything outside the root', () => {
    const name = fc.constantFrom('a', 'b', 'c', '..', '.', '');
    const relPath = fc.array(name, { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
    const target = fc.oneof(relPath, relPath.map((p) => `/${p}`), fc.constant(outside), fc.constant('../outside'), fc.constant('/'));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('mkdir' as const), path: relPath }),
      fc.record({ kind: fc.constant('create' as const), path: relPath }),
      fc.record({ kind: fc.constant('symlink' as const), path: relPath, target }),
      fc.record({ kind: fc.constant('remove' as const), path: relPath }),
      fc.record({ kind: fc.constant('link' as const), path: relPath, target: relPath }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const s2 = scratch('confine-prop');
        try {
          const r = path.join(s2.dir, 'root');
          const o = path.join(s2.dir, 'outside');
          mkdirSync(r);
          mkdirSync(o);
          const cr = new ConfinedRoot(r);
          for (const op of ops) {
            try {
              if (op.kind === 'mkdir') cr.mkdir(op.path);
              else if (op.kind === 'create') writeFileSync(cr.create(op.path).fd, 'x');
              else if (op.kind === 'symlink') cr.symlink(op.target.replace(outside, o), op.path);
              else if (op.kind === 'remove') cr.remove(op.path);
              else cr.link(op.target, op.path);
            } catch {
              // Refusals are fine; escapes are not.
            }
          }
          expect(readdirSync(s2.dir).sort()).toEqual(['outside', 'root']);
          expect(readdirSync(o)).toEqual([]);
        } finally {
          s2.cleanup();
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('ConfinedRoot: the shared walk (@ocikit/runtime-spec/confine) with BundleError refusals', () => {
  /** In `dir`, c0 -> c1 -> ... -> c<n>, c<n> a directory: writing under c0 takes exactly n expansions. */
  function chain(dir: string, n: number): void {
    for (let i = 0; i < n; i++) symlinkSync(i % 2 === 1 ? `/c${i + 1}` : `c${i + 1}`, path.join(dir, `c${i}`));
    mkdirSync(path.join(dir, `c${n}`));
  }

  it('is the runtime-spec module: same class, same MAX_SYMLINKS, re-exported by the package entry', () => {
    expect(root).toBeInstanceOf(SharedConfinedRoot);
    expect(MAX_SYMLINKS).toBe(SHARED_MAX_SYMLINKS);
    expect(IndexConfinedRoot).toBe(ConfinedRoot);
    expect(INDEX_MAX_SYMLINKS).toBe(SHARED_MAX_SYMLINKS);
  });

  it(`writes through a chain of exactly MAX_SYMLINKS (${MAX_SYMLINKS}) links and refuses one more with SYMLINK_LOOP`, () => {
    chain(rootDir, MAX_SYMLINKS);
    expect(root.create('c0/x').host).toBe(path.join(root.root, `c${MAX_SYMLINKS}`, 'x'));
    const s2 = path.join(s.dir, 'r2');
    mkdirSync(s2);
    chain(s2, MAX_SYMLINKS + 1);
    const r2 = new ConfinedRoot(s2);
    const err = (() => {
      try {
        r2.create('c0/x');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BundleError);
    expect(err).toMatchObject({ name: 'BundleError', code: BundleErrorCode.SymlinkLoop, ref: undefined });
    expect(readdirSync(path.join(s2, `c${MAX_SYMLINKS + 1}`))).toEqual([]);
  });

  it('refuses a path longer than PATH_MAX (thousands of components) with INVALID_PATH and creates nothing', () => {
    const before = outsideState();
    const deep = `${'a/'.repeat(MAX_PATH_BYTES / 2 + 50)}f`;
    const invalid = expect.objectContaining({ name: 'BundleError', code: BundleErrorCode.InvalidPath, message: expect.stringContaining('more than MAX_PATH_BYTES (4096 bytes)') });
    // Before, create made some 2000 nested directories, then failed with a bare ENAMETOOLONG.
    expect(() => root.create(deep)).toThrow(invalid);
    expect(() => root.mkdir(deep)).toThrow(invalid);
    expect(() => root.readFile(`/${'./'.repeat(MAX_PATH_BYTES / 2)}etc/passwd`, 100)).toThrow(invalid);
    expect(() => root.create('x'.repeat(MAX_PATH_BYTES + 1))).toThrow(invalid);
    expect(readdirSync(rootDir)).toEqual([]);
    expect(outsideState()).toBe(before);
  });

  it('keeps the image-spec references of its refusals', () => {
    mkdirSync(path.join(rootDir, 'd'));
    expect(() => root.link('d', 'h')).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidLink, ref: BundleSpecRef.Hardlinks }));
    expect(() => root.link('nope', 'h')).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidLink, ref: BundleSpecRef.Hardlinks }));
    expect(() => root.create('/')).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidPath, ref: BundleSpecRef.Changesets }));
    expect(() => root.remove('..')).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidPath, ref: undefined }));
  });
});
