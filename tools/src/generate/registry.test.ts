import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './generate.js';
import { SCHEMA_REGISTRY } from './registry.js';

describe('schema registry', () => {
  it('names each kind once', () => {
    const kinds = SCHEMA_REGISTRY.map((e) => e.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it('points at source files that exist', () => {
    for (const e of SCHEMA_REGISTRY) expect(existsSync(path.join(REPO_ROOT, 'packages', e.package, e.source))).toBe(true);
  });
});
