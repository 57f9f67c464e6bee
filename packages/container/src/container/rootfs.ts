/**
 * A container's own rootfs over the cached one. As root, an overlay mount
 * (the cached rootfs as the read-only lower layer, the container's writes in
 * its own upper directory): nothing is copied and the cache is never
 * written. Otherwise a copy (`cp --reflink=auto`: copy-on-write where the
 * filesystem has it), verified against the cached bundle's digest before
 * the container starts, so a cache that was tampered with is not run.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleDigest, verifyBundle } from '@ocikit/bundle';
import { ContainerError, ContainerErrorCode, q } from '../errors.js';
import { RootfsKind } from './record.js';

const run = promisify(execFile);

/** Mount `lower` under `dir/bundle/rootfs` with overlayfs, or copy it there; what was done. */
export async function makeContainerRootfs(cachedBundle: string, dir: string, options: { rootless: boolean }): Promise<RootfsKind> {
  const lower = path.join(cachedBundle, 'rootfs');
  const target = path.join(dir, 'bundle', 'rootfs');
  mkdirSync(target, { recursive: true, mode: 0o755 });
  if (!options.rootless) {
    const upper = path.join(dir, 'upper');
    const work = path.join(dir, 'work');
    mkdirSync(upper, { mode: 0o755 });
    mkdirSync(work, { mode: 0o700 });
    try {
      await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, target]);
      return RootfsKind.Overlay;
    } catch {
      // No overlayfs here (or no right to mount): a verified copy.
    }
  }
  await copyVerified(cachedBundle, target);
  return RootfsKind.Copy;
}

async function copyVerified(cachedBundle: string, target: string): Promise<void> {
  const lower = path.join(cachedBundle, 'rootfs');
  try {
    await run('cp', ['-a', '--reflink=auto', '--no-target-directory', lower, target], { maxBuffer: 1 << 20 });
  } catch (err) {
    throw new ContainerError(ContainerErrorCode.RuntimeFailed, `could not copy the image's rootfs ${q(lower)}: ${String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n')[0]}`, { cause: err });
  }
  // The bundle digest covers config.json and rootfs/: compare the two rootfs trees through bundles that share one config.
  const bundle = path.dirname(target);
  const config = readFileSync(path.join(cachedBundle, 'config.json'));
  const probe = path.join(bundle, 'config.json');
  writeFileSync(probe, config);
  try {
    const expected = await bundleDigest(cachedBundle);
    const verdict = await verifyBundle(bundle, expected);
    if (!verdict.ok) {
      const where = verdict.difference ? `: ${JSON.stringify(verdict.difference)}` : '';
      throw new ContainerError(ContainerErrorCode.RuntimeFailed, `the copy of ${q(lower)} differs from the cached image${where}`);
    }
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Whether `target` is a mount point (from /proc/self/mountinfo). */
export function isMounted(target: string): boolean {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return false;
  }
  // Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
  const escaped = target.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return info.split('\n').some((line) => line.split(' ')[4] === escaped);
}

/** Unmount the container's overlay rootfs, if it is mounted. */
export function unmountContainerRootfs(dir: string): void {
  const target = path.join(dir, 'bundle', 'rootfs');
  if (!isMounted(target)) return;
  const r = spawnSync('umount', [target], { encoding: 'utf8' });
  if (r.status !== 0 && isMounted(target)) {
    throw new ContainerError(ContainerErrorCode.RuntimeFailed, `could not unmount ${q(target)}: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
  }
}
