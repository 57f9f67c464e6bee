/** Scratch directories tied to a jest suite's hooks (see scratch.ts for where they go). */
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { rmSync } from 'node:fs';
import { scratchDir } from './scratch.js';

/**
 * A scratch directory for the enclosing suite: made before its first test,
 * removed after its last. Read `.dir` inside hooks and tests only.
 */
export function suiteScratch(prefix: string): { readonly dir: string } {
  return scopedScratch(prefix, beforeAll, afterAll);
}

/** A scratch directory for each test of the enclosing suite: made before each, removed after each. */
export function testScratch(prefix: string): { readonly dir: string } {
  return scopedScratch(prefix, beforeEach, afterEach);
}

function scopedScratch(prefix: string, before: typeof beforeAll, after: typeof afterAll): { readonly dir: string } {
  let dir: string | undefined;
  before(() => {
    dir = scratchDir(prefix);
  });
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    get dir(): string {
      if (dir === undefined) throw new Error(`scratch '${prefix}': .dir read outside a test or hook`);
      return dir;
    },
  };
}
