import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export { scratchDir } from '@ocikit/testkit';

/** A tiny runtime bundle at `dir`: rootfs/etc/hello ("hello\n") and `config` as config.json. Returns `dir`. */
export function writeHelloBundle(dir: string, config: object): string {
  mkdirSync(path.join(dir, 'rootfs/etc'), { recursive: true });
  writeFileSync(path.join(dir, 'rootfs/etc/hello'), 'hello\n');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}
