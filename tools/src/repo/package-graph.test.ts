import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../generate/generate.js';

const graph = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tools/package-graph.json'), 'utf8')) as Record<string, string[] | string>;
const packages = Object.keys(graph).filter((k) => !k.startsWith('$'));

interface Manifest {
  name: string;
  type?: string;
  sideEffects?: boolean;
  files?: string[];
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
/** The Node lines .ci/run tests, declared once at the root. */
const ROOT_ENGINES = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest).engines?.node;

const manifest = (pkg: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', pkg, 'package.json'), 'utf8')) as Manifest;

describe('package graph', () => {
  it.each(packages)('@ocikit/%s declares exactly the @ocikit dependencies the direction allows', (pkg) => {
    const m = manifest(pkg);
    // @ocikit/testkit is a test-only devDependency of any package (lint keeps it out of run-time code).
    const declared = Object.keys({ ...m.dependencies, ...m.devDependencies })
      .filter((d) => d.startsWith('@ocikit/') && d !== '@ocikit/testkit')
      .map((d) => d.slice('@ocikit/'.length))
      .sort();
    expect(declared).toEqual([...(graph[pkg] as string[])].sort());
  });

  it('has no cycles', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (p: string, trail: string[]): void => {
      if (done.has(p)) return;
      if (visiting.has(p)) throw new Error(`cycle: ${[...trail, p].join(' -> ')}`);
      visiting.add(p);
      for (const d of graph[p] as string[]) visit(d, [...trail, p]);
      visiting.delete(p);
      done.add(p);
    };
    for (const p of packages) visit(p, []);
    expect(done.size).toBe(packages.length);
  });

  it.each(packages)('@ocikit/%s is a publishable ESM package', (pkg) => {
    const m = manifest(pkg);
    expect(m.name).toBe(`@ocikit/${pkg}`);
    expect(m.type).toBe('module');
    expect(m.sideEffects).toBe(false);
    expect(m.files).toContain('dist');
    expect(m.engines?.node).toBe(ROOT_ENGINES);
    expect(m.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });
});
