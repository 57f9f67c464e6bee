import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Run a real tool (umoci, skopeo, runc); its stdout, or a throw with its stderr. */
export const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/**
 * What the interop tests start from: a layout `dir/L` made by `umoci init`,
 * an empty image `L:t` by `umoci new`, unpacked by umoci into `dir/build`
 * (its rootfs is where each test builds its layers).
 */
export function umociImage(dir: string): { layout: string; build: string; rootfs: string } {
  const layout = path.join(dir, 'L');
  const build = path.join(dir, 'build');
  run('umoci', ['init', '--layout', layout]);
  run('umoci', ['new', '--image', `${layout}:t`]);
  run('umoci', ['unpack', '--image', `${layout}:t`, build]);
  return { layout, build, rootfs: path.join(build, 'rootfs') };
}
