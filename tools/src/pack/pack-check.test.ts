import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLISHED, packAndInstall, packedVersion, type PackCheck } from './pack-check.js';

// Packs the built packages: turbo runs this after every package's build.
describe('npm pack of every package', () => {
  let check: PackCheck;
  beforeAll(() => {
    check = packAndInstall();
  });
  afterAll(() => check?.cleanup());

  const run = (code: string, type: 'module' | 'commonjs') =>
    execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: check.project, encoding: 'utf8' });

  it.each(PUBLISHED)('@ocikit/%s installs and imports as ESM', (pkg) => {
    const out = run(`const m = await import('@ocikit/${pkg}'); console.log(JSON.stringify(Object.keys(m)));`, 'module');
    expect(Array.isArray(JSON.parse(out))).toBe(true);
  });

  it.each(PUBLISHED)('@ocikit/%s: every subpath it exports imports, and its types are shipped', (pkg) => {
    const manifest = JSON.parse(readFileSync(path.join(check.project, 'node_modules/@ocikit', pkg, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string; default?: string }> };
    for (const [sub, target] of Object.entries(manifest.exports)) {
      if (sub === '.' || sub === './package.json') continue;
      const out = run(`const m = await import('@ocikit/${pkg}/${sub.slice(2)}'); console.log(Object.keys(m).length);`, 'module');
      expect([sub, Number(out.trim()) > 0]).toEqual([sub, true]);
      expect(existsSync(path.join(check.project, 'node_modules/@ocikit', pkg, target.types!))).toBe(true);
    }
  });

  it.each(PUBLISHED)('@ocikit/%s loads with require() (Node 20 require(esm))', (pkg) => {
    const out = run(`const m = require('@ocikit/${pkg}'); console.log(typeof m);`, 'commonjs');
    expect(out.trim()).toBe('object');
  });

  it.each(PUBLISHED)('@ocikit/%s ships only dist (and bin) with its package.json', (pkg) => {
    const manifest = JSON.parse(readFileSync(path.join(check.project, 'node_modules/@ocikit', pkg, 'package.json'), 'utf8')) as { files: string[]; version: string };
    expect(manifest.version).toBe(packedVersion(pkg));
    expect(manifest.files).toContain('dist');
  });

  it('exports the spec versions the packages implement', () => {
    const out = run(`const r = await import('@ocikit/runtime-spec'); const i = await import('@ocikit/image-spec'); console.log(r.RUNTIME_SPEC_VERSION, i.IMAGE_SPEC_VERSION);`, 'module');
    expect(out.trim()).toBe('1.3.0 1.1.1');
  });

  it('installs a working `ocikit` bin', () => {
    const out = execFileSync(path.join(check.project, 'node_modules/.bin/ocikit'), ['--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(`ocikit ${packedVersion('conformance')}`);
  });
});
