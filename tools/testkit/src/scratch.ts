/**
 * Scratch directories for tests: one home for where they go (tmpfs when the
 * machine has one, or `OCIKIT_TEST_TMP`) and for their removal.
 */
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
