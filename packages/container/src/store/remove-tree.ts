import { renameSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scratchName, ScratchPurpose } from '@ocikit/bundle';
import { removeTree } from '@ocikit/runtime-spec/confine';

/**
 * Remove a tree so that its name is free at once: renamed aside to a
 * scratch name first (a sweep finishes the job if this process dies), then
 * removed. Rootless trees may hold directories their owner cannot write
 * (mode 0555 from a layer): those are made writable on the way.
 */
export function removeTreeAside(dir: string): void {
  const aside = path.join(path.dirname(dir), scratchName(ScratchPurpose.Remove));
  try {
    renameSync(dir, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  removeOwnTree(aside);
}

/** removeTree, with directories made writable when the first try is refused. */
export function removeOwnTree(dir: string): void {
  try {
    removeTree(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    // chmod -R never follows a symlink it meets on the way down.
    spawnSync('chmod', ['-R', 'u+rwX', dir], { stdio: 'ignore' });
    removeTree(dir);
  }
}
