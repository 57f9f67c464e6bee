/**
 * Replace a small file atomically: a temp file beside it (same file system),
 * written, fsynced, renamed over the target, then the directory fsynced. A
 * crash leaves the old file or the new one, never half of either. The temp
 * name follows @ocikit/bundle's scratch convention (`.ocikit-tmp-PID-RANDOM`)
 * so its clean-up recognises a leftover; distribution may not import bundle.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.ocikit-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      // The mode given to open is reduced by the umask; the file must be exactly `mode`.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // The rename is durable once the directory entry is (best effort: not every file system allows it).
  const dirHandle = await open(dir, 'r').catch(() => undefined);
  if (dirHandle !== undefined) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
}
