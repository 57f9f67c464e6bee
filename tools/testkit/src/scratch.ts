/**
 * Scratch directories for tests: one home for where they go (tmpfs when the
 * machine has one, or `OCIKIT_TEST_TMP`) and for their removal.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where scratch directories are made: `OCIKIT_TEST_TMP`, else /dev/shm on Linux, else the OS temp dir. */
export function scratchBase(): string {
  return process.env['OCIKIT_TEST_TMP'] ?? (process.platform === 'linux' ? '/dev/shm' : os.tmpdir());
}

/** A new directory `ocikit-PREFIX-XXXXXX`; the caller removes it. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(scratchBase(), `ocikit-${prefix}-`));
}

/** A new scratch directory with its own `cleanup`. */
export function scratch(prefix: string): { dir: string; cleanup: () => void } {
  const dir = scratchDir(prefix);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

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
