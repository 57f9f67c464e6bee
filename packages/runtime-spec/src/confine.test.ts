import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfinedRoot, MAX_PATH_BYTES, MAX_SYMLINKS, removeTree, resolveInRoot } from './confine.js';
import { RuntimeSpecError, RuntimeSpecErrorCode, MAX_SYMLINKS as INDEX_MAX_SYMLINKS, resolveInRoot as indexResolveInRoot } from './index.js';

let dir: string;
let root: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ocikit-confine-'));
  root = path.join(dir, 'root');
  mkdirSync(root);
});
afterEach(() => {
  // Some trees here are too deep for rmSync on Node 20.
  removeTree(dir);
});

/**
 * c0 -> c1 -> ... -> c<n>, where c<n> is a regular file: resolving c0 takes
 * exactly n expansions. Odd links are absolute, so restarts at the root are
 * counted too.
 */
function chain(n: number): void {
  for (let i = 0; i < n; i++) symlinkSync(i % 2 === 1 ? `/c${i + 1}` : `c${i + 1}`, path.join(root, `c${i}`));
  writeFileSync(path.join(root, `c${n}`), 'end');
}

/** More than PATH_MAX bytes, thousands of components, every one lexical ("."), naming /f. */
const overlong = `/${'./'.repeat(MAX_PATH_BYTES / 2 + 50)}f`;
/** Thousands of components ("d/.." with each d looked at, ".", "") within PATH_MAX, naming /f. */
const longButValid = `/${'d/../'.repeat(200)}${'./'.repeat(500)}${'/'.repeat(1500)}f`;

describe('the one confinement module', () => {
  it('is what the package entry exports', () => {
    expect(INDEX_MAX_SYMLINKS).toBe(MAX_SYMLINKS);
    expect(indexResolveInRoot).toBe(resolveInRoot);
    expect(MAX_SYMLINKS).toBe(40);
  });
});

describe('resolveInRoot: bounded, iterative, never throws for what the tree holds', () => {
  it(`follows a chain of exactly MAX_SYMLINKS (${MAX_SYMLINKS}) links`, async () => {
    chain(MAX_SYMLINKS);
    const r = await resolveInRoot(root, '/c0');
    expect(r.problem).toBeUndefined();
    expect(r.innerPath).toBe(`/c${MAX_SYMLINKS}`);
    expect(r.stats?.isFile()).toBe(true);
  });

  it('reports a chain one link longer as a loop', async () => {
    chain(MAX_SYMLINKS + 1);
    const r = await resolveInRoot(root, '/c0');
    expect(r.problem).toBe('loop');
    // Stopped on the link that was one too many, still inside the root.
    expect(r.stats?.isSymbolicLink()).toBe(true);
    expect(r.hostPath.startsWith(`${path.resolve(root)}/`)).toBe(true);
  });

  it('reports a path longer than PATH_MAX as too long, whatever its components', async () => {
    writeFileSync(path.join(root, 'f'), 'x');
    expect(Buffer.byteLength(overlong)).toBeGreaterThan(MAX_PATH_BYTES);
    const r = await resolveInRoot(root, overlong);
    expect(r).toEqual({ hostPath: path.resolve(root), innerPath: '/', stats: undefined, problem: 'too-long' });
  });

  it('resolves thousands of components within PATH_MAX', async () => {
    mkdirSync(path.join(root, 'd'));
    writeFileSync(path.join(root, 'f'), 'x');
    expect(longButValid.split('/').length).toBeGreaterThan(2000);
    expect(Buffer.byteLength(longButValid)).toBeLessThanOrEqual(MAX_PATH_BYTES);
    const r = await resolveInRoot(root, longButValid);
    expect(r.problem).toBeUndefined();
    expect(r.innerPath).toBe('/f');
    expect(r.stats?.isFile()).toBe(true);
  });

  it('bounds the work of links whose targets are long: a loop of long targets is still a loop', async () => {
    // Each link's target is long (thousands of "." components) and names the other link.
    symlinkSync(`${'./'.repeat(1500)}b`, path.join(root, 'a'));
    symlinkSync(`/${'./'.repeat(1500)}a`, path.join(root, 'b'));
    expect((await resolveInRoot(root, '/a')).problem).toBe('loop');
  });
});

describe('ConfinedRoot: typed refusals of its own package by default', () => {
  it(`follows MAX_SYMLINKS links and refuses one more with ${RuntimeSpecErrorCode.SymlinkLoop}`, () => {
    chain(MAX_SYMLINKS);
    expect(new ConfinedRoot(root).readFile('c0', 10)?.toString()).toBe('end');
    rmSync(root, { recursive: true });
    mkdirSync(root);
    chain(MAX_SYMLINKS + 1);
    const cr = new ConfinedRoot(root);
    let err: unknown;
    try {
      cr.resolve('c0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuntimeSpecError);
    expect(err).toMatchObject({ name: 'RuntimeSpecError', code: 'SYMLINK_LOOP' });
  });

  it(`refuses a path longer than PATH_MAX with ${RuntimeSpecErrorCode.InvalidPath} before touching the tree`, () => {
    const cr = new ConfinedRoot(root);
    const deep = 'a/'.repeat(MAX_PATH_BYTES / 2 + 50) + 'f';
    const invalid = expect.objectContaining({ name: 'RuntimeSpecError', code: 'INVALID_PATH', message: expect.stringContaining('more than MAX_PATH_BYTES (4096 bytes)') });
    // Before the bound, creating this made some 2000 directories, then failed with a bare ENAMETOOLONG.
    expect(() => cr.create(deep)).toThrow(invalid);
    expect(() => cr.mkdir(deep)).toThrow(invalid);
    expect(() => cr.symlink('x', deep)).toThrow(invalid);
    expect(() => cr.link(deep, 'h')).toThrow(invalid);
    expect(() => cr.resolve(deep)).toThrow(invalid);
    expect(() => cr.lstat(deep)).toThrow(invalid);
    expect(() => cr.remove(deep)).toThrow(invalid);
    expect(() => cr.children(deep)).toThrow(invalid);
    expect(() => cr.readFile(deep, 10)).toThrow(invalid);
    // One long plain name takes the fast path of create: refused the same way.
    expect(() => cr.create('x'.repeat(MAX_PATH_BYTES + 1))).toThrow(invalid);
    expect(readdirSync(root)).toEqual([]);
  });

  it('creates through thousands of components within PATH_MAX', () => {
    const cr = new ConfinedRoot(root);
    cr.mkdir('d');
    expect(cr.create(longButValid.slice(1)).host).toBe(path.join(cr.root, 'f'));
    expect(readdirSync(root).sort()).toEqual(['d', 'f']);
  });
});

describe('the read-only and the writing face agree', () => {
  it('property: where resolveInRoot resolves, ConfinedRoot.resolve lands on the same entry; where it stops, ConfinedRoot refuses', async () => {
    const name = fc.constantFrom('a', 'b', 'c');
    const rel = fc.array(fc.oneof(name, fc.constantFrom('..', '.', '')), { minLength: 1, maxLength: 5 }).map((p) => p.join('/'));
    const entry = fc.oneof(
      fc.record({ kind: fc.constant('dir' as const), at: name }),
      fc.record({ kind: fc.constant('file' as const), at: name }),
      fc.record({ kind: fc.constant('link' as const), at: name, target: fc.oneof(rel, rel.map((p) => `/${p}`), fc.constant('../../..')) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('', 'a/', 'b/'), entry), { maxLength: 8 }), rel, async (entries, query) => {
        // Real path: resolveInRoot keeps the root as given, ConfinedRoot uses its real path.
        const r = realpathSync(mkdtempSync(path.join(dir, 'p-')));
        try {
          for (const [parent, e] of entries) {
            const host = path.join(r, parent, e.at);
            try {
              if (e.kind === 'dir') mkdirSync(host);
              else if (e.kind === 'file') writeFileSync(host, 'x');
              else symlinkSync(e.target, host);
            } catch {
              // Parent missing or name taken: the tree is whatever was made.
            }
          }
          const read = await resolveInRoot(r, query);
          let wrote: { host: string } | { code: string };
          try {
            wrote = new ConfinedRoot(r).resolve(query);
          } catch (err) {
            wrote = { code: (err as RuntimeSpecError).code };
          }
          if (read.problem === undefined) expect(wrote).toMatchObject({ host: read.hostPath });
          else if (read.problem === 'loop') expect(wrote).toEqual({ code: 'SYMLINK_LOOP' });
          else if (read.problem === 'not-a-directory') expect(wrote).toEqual({ code: 'INVALID_PATH' });
          // 'missing': both find nothing; the writer keeps the rest of the path literally (where an entry would go), inside the root.
          else expect(wrote).toMatchObject({ host: expect.stringMatching(new RegExp(`^${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|$)`)), stat: undefined });
        } finally {
          rmSync(r, { recursive: true, force: true });
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('depth: what symlinks lead to is bounded like what the input names', () => {
  /** A directory `levels` deep (`d/d/...`) and a symlink `l` to it: a short path through `l` reaches far deeper than it names. */
  function deepBehindLink(cr: ConfinedRoot, levels: number): string {
    const deep = Array.from({ length: levels }, () => 'd').join('/');
    cr.mkdir(deep);
    cr.symlink(`/${deep}`, 'l');
    return deep;
  }

  it(`refuses a path resolving to a host path of PATH_MAX or more with ${RuntimeSpecErrorCode.InvalidPath}, not ENAMETOOLONG`, () => {
    const cr = new ConfinedRoot(root);
    deepBehindLink(cr, 1500);
    const through = `l/${'e/'.repeat(1000)}f`;
    expect(Buffer.byteLength(through)).toBeLessThan(MAX_PATH_BYTES);
    const refused = expect.objectContaining({ code: 'INVALID_PATH', message: expect.stringMatching(/^path "l\/e\/e.*\.\.\..*e\/f" resolves to a host path of \d+ bytes or more \(\d+ levels deep\), more than MAX_PATH_BYTES \(4096 bytes\)$/) });
    expect(() => cr.mkdir(through)).toThrow(refused);
    expect(() => cr.create(through)).toThrow(refused);
    expect(() => cr.symlink('x', through)).toThrow(refused);
    // Nothing was created past the limit: the deepest directory is still within it.
    let depth = 0;
    for (let p = cr.root; ; depth++) {
      const next = readdirSync(p).filter((n) => n !== 'l');
      if (next.length === 0) break;
      p = `${p}/${next[0]}`;
      expect(Buffer.byteLength(p)).toBeLessThan(MAX_PATH_BYTES);
    }
    expect(depth).toBeGreaterThanOrEqual(1500);
  });

});

describe('removeTree: iterative, never follows a symlink', () => {
  it('removes a tree some 2000 levels deep (rmSync of Node 20 recurses once per level and overflows the stack)', () => {
    let p = root;
    let levels = 0;
    while (Buffer.byteLength(`${p}/d/f`) < MAX_PATH_BYTES) {
      p = `${p}/d`;
      mkdirSync(p);
      levels++;
    }
    writeFileSync(`${p}/f`, 'x');
    expect(levels).toBeGreaterThan(1900);
    removeTree(root);
    expect(existsSync(root)).toBe(false);
  });

  it('removes symlinks, not what they name; names that are not UTF-8; a file; nothing at all', () => {
    const outside = path.join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'keep'), 'k');
    symlinkSync(outside, path.join(root, 'to-outside'));
    mkdirSync(path.join(root, 'sub'));
    writeFileSync(Buffer.from(`${root}/sub/\xff\xfe-latin1`, 'latin1'), 'x');
    mkdirSync(Buffer.from(`${root}/sub/\xe9`, 'latin1'));
    removeTree(root);
    expect(existsSync(root)).toBe(false);
    expect(readdirSync(outside)).toEqual(['keep']);
    removeTree(path.join(outside, 'keep'));
    expect(readdirSync(outside)).toEqual([]);
    removeTree(path.join(dir, 'never-was'));
    expect(lstatSync(outside).isDirectory()).toBe(true);
  });
});
