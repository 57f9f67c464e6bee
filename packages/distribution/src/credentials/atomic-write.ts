/**
 * Write a small file whole or not at all: a temp file beside it (same file
 * system), its exact mode set (the umask does not apply), written, fsynced,
 * then renamed over the target, or hard-linked to its name when nothing may
 * be replaced (link fails on an existing name, so no check races it); then
 * the directory fsynced. A crash leaves the old file or the new one, never
 * half of either. The temp name follows @ocikit/bundle's scratch convention
 * (`.ocikit-tmp-PID-RANDOM`) so its clean-up recognises a leftover;
 * distribution may not import bundle. Credentials and signing keys use it.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface WriteFileAtomicOptions {
  /** false: an existing file is kept and the write fails with EEXIST. Default true. */
  replace?: boolean;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, mode: number, options: WriteFileAtomicOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.ocikit-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(tmp, 'wx', mode);
  try {
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.replace ?? true) {
      await rename(tmp, file);
    } else {
      await link(tmp, file);
      await unlink(tmp);
    }
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // The new name is durable once the directory entry is (best effort: not every file system allows it).
  const dirHandle = await open(dir, 'r').catch(() => undefined);
  if (dirHandle !== undefined) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
}
