/**
 * Unpacked images, one bundle per manifest digest, shared by every
 * container of the image: `rootfs/sha256-<hex>/` holds what `unpack` makes
 * (rootfs/, config.json, the provenance and tree records), verified layer by
 * layer against the config's diff_ids as it was unpacked. A bundle is there
 * whole or not at all (unpack renames a finished staging tree into place),
 * so the fast path looks without a lock; only a miss takes the lock, so two
 * runs of one image unpack it once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROVENANCE_FILE, sweepScratch, unpack, withFileLock, type UnpackProgress } from '@ocikit/bundle';
import { parseDigest } from '@ocikit/digest';
import type { StorePaths } from './store-root.js';
import { removeTreeAside } from './remove-tree.js';

/** `sha256-<hex>`: a digest as a file name. */
export function digestDirName(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm}-${encoded}`;
}

/** The cached bundle of a manifest (whether or not it exists yet). */
export function cachedBundlePath(paths: StorePaths, manifestDigest: string): string {
  return path.join(paths.rootfs, digestDirName(manifestDigest));
}

export interface EnsureRootfsOptions {
  rootless: boolean;
  warn?: (message: string) => void;
  progress?: (p: UnpackProgress) => void;
}

/** The cached bundle of `manifestDigest`, unpacked from the store's layout if missing; `unpacked` says whether this call did it. */
export async function ensureCachedBundle(paths: StorePaths, manifestDigest: string, options: EnsureRootfsOptions): Promise<{ bundle: string; unpacked: boolean }> {
  const bundle = cachedBundlePath(paths, manifestDigest);
  if (existsSync(path.join(bundle, PROVENANCE_FILE))) return { bundle, unpacked: false };
  return withFileLock(
    path.join(paths.rootfs, `.${path.basename(bundle)}.lock`),
    async () => {
      if (existsSync(path.join(bundle, PROVENANCE_FILE))) return { bundle, unpacked: false };
      // A tree without its provenance record is no bundle of ours: make room.
      removeTreeAside(bundle);
      sweepScratch(paths.rootfs);
      await unpack(paths.layout, bundle, {
        ref: { digest: manifestDigest },
        rootless: options.rootless,
        ...(options.warn && { warn: options.warn }),
        ...(options.progress && { progress: options.progress }),
      });
      return { bundle, unpacked: true };
    },
    { what: `the unpacked image ${manifestDigest}` },
  );
}

/** Remove a cached bundle (under its lock, so that no unpack of it is cut short). */
export function removeCachedBundle(paths: StorePaths, manifestDigest: string): Promise<boolean> {
  const bundle = cachedBundlePath(paths, manifestDigest);
  return withFileLock(path.join(paths.rootfs, `.${path.basename(bundle)}.lock`), () => {
    const there = existsSync(bundle);
    removeTreeAside(bundle);
    return Promise.resolve(there);
  });
}
