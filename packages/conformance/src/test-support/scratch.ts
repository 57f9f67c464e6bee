import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A new scratch directory, in tmpfs where there is one. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(process.platform === 'linux' ? '/dev/shm' : os.tmpdir(), `ocikit-${prefix}-`));
}

/** A tiny runtime bundle at `dir`: rootfs/etc/hello ("hello\n") and `config` as config.json. Returns `dir`. */
export function writeHelloBundle(dir: string, config: object): string {
  mkdirSync(path.join(dir, 'rootfs/etc'), { recursive: true });
  writeFileSync(path.join(dir, 'rootfs/etc/hello'), 'hello\n');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}
