import os from 'node:os';
import path from 'node:path';

/**
 * Where the local store lives: `$OCIKIT_STORE`, else
 * `${XDG_DATA_HOME:-~/.local/share}/ocikit` (XDG Base Directory: data files
 * that belong to the user and survive reboots).
 */
export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['OCIKIT_STORE'];
  if (given) return path.resolve(given);
  const data = env['XDG_DATA_HOME'] || path.join(env['HOME'] || os.homedir(), '.local', 'share');
  return path.join(path.resolve(data), 'ocikit');
}

/** The folders of a store: one place that names them. */
export function storePaths(root: string) {
  return {
    root,
    /** An OCI image layout: every blob once, image names as ref names. */
    layout: path.join(root, 'layout'),
    /** Unpacked bundles, one per manifest digest (`sha256-<hex>`), shared by every container of the image. */
    rootfs: path.join(root, 'rootfs'),
    /** One folder per container: its record, config.json and rootfs. */
    containers: path.join(root, 'containers'),
  };
}
export type StorePaths = ReturnType<typeof storePaths>;
