/**
 * The lock that serialises writers of a layout's index.json: a file
 * `index.json.lock` created exclusively and holding the owner's pid, so a
 * lock left by a process that died is recognised and broken.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { isCode } from './blobs.js';

export const LOCK_NAME = 'index.json.lock';

/** Run `fn` holding `index.json.lock` of the layout at `dir` (stale locks of dead processes are broken). */
export async function withLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const lock = path.join(dir, LOCK_NAME);
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
      const holder = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && !isAlive(holder)) {
        await unlink(lock).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new BundleError(BundleErrorCode.LockTimeout, `index.json of ${q(dir)} stayed locked for ${timeoutMs} ms (${LOCK_NAME})`);
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return isCode(err, 'EPERM');
  }
}
