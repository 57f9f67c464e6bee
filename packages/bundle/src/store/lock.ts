/**
 * The lock that serialises writers of a layout's index.json, and of an
 * oci-archive as a whole: every read-modify-write happens while it is held.
 *
 * Where util-linux `flock` is on the PATH (every Linux distribution), the
 * lock is flock(2) on a lock file, held by a `flock FILE cat` child whose
 * stdin is a pipe from this process. The kernel releases it the moment the
 * holder is gone, however it went (exit, SIGKILL, power cut): there is no
 * stale lock to detect or break, so breaking cannot race. The child is in
 * a process group of its own, so a Ctrl-C at the terminal reaches only
 * this process, whose interrupt cleanup then releases the lock.
 *
 * Elsewhere, the lock is the lock file created exclusively, holding the
 * owner token (pid and start time). A lock whose owner is provably dead is
 * broken, only by the holder of a second exclusive file (`LOCK.break`) and
 * only after reading the lock again under it, so two breakers never remove
 * a lock that a live writer has just taken.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { unlinkSync } from 'node:fs';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { onInterrupt } from '../fs/interrupt.js';
import { isOwnerAlive, ownerToken } from '../fs/owner.js';
import { isCode } from './blobs.js';

/** The lock file of a layout directory; it stays in place (its presence means nothing). */
export const LOCK_NAME = '.ocikit-lock';
/** Default wait for a lock before giving up. */
export const LOCK_TIMEOUT_MS = 60_000;

/** The lock file that guards the oci-archive `file`: beside it, hidden. */
export function archiveLockPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.ocikit-lock`);
}

/** Run `fn` holding the lock of the layout at `dir`. */
export function withLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = LOCK_TIMEOUT_MS): Promise<T> {
  return withFileLock(path.join(dir, LOCK_NAME), fn, { timeoutMs, what: `layout ${q(dir)}` });
}

export interface FileLockOptions {
  timeoutMs?: number;
  /** What the lock guards, for messages. */
  what?: string;
  /** Use the exclusive-file lock even where flock(1) exists (tests of that path). */
  withoutFlock?: boolean;
}

type Release = () => Promise<void>;

/** Run `fn` holding the lock file `lockPath`. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const what = options.what ?? q(lockPath);
  let release = options.withoutFlock || flockMissing ? undefined : await lockWithFlock(lockPath, timeoutMs, what);
  release ??= await lockWithFile(lockPath, timeoutMs, what);
  try {
    return await fn();
  } finally {
    await release();
  }
}

let flockMissing = false;

function timeout(what: string, timeoutMs: number, lockPath: string, holder?: string): BundleError {
  const by = holder === undefined ? '' : ` by process ${holder.split('.')[0]}`;
  return new BundleError(BundleErrorCode.LockTimeout, `${what} stayed locked${by} for ${timeoutMs} ms (${q(lockPath)})`);
}

/** The flock(1) lock, or undefined when flock is not installed. */
async function lockWithFlock(lockPath: string, timeoutMs: number, what: string): Promise<Release | undefined> {
  let child: ChildProcessByStdio<Writable, Readable, Readable>;
  try {
    child = spawn('flock', ['--exclusive', '--wait', (timeoutMs / 1000).toFixed(3), lockPath, 'cat'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  } catch (err) {
    if (isCode(err, 'ENOENT')) {
      flockMissing = true;
      return undefined;
    }
    throw err;
  }
  const forget = onInterrupt(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const acquired = new Promise<'held' | 'missing'>((resolve, reject) => {
    // `cat` echoes the byte written below once flock has taken the lock and started it.
    child.stdout.once('data', () => resolve('held'));
    child.once('error', (err) => {
      if (isCode(err, 'ENOENT')) resolve('missing');
      else reject(err);
    });
    child.once('exit', (code) => {
      const message = stderr.trim().split('\n')[0]?.replace(/^flock: /, '') ?? '';
      if (code === 1 && message === '') reject(timeout(what, timeoutMs, lockPath));
      else reject(new BundleError(BundleErrorCode.LockFailed, `cannot lock ${what}: ${message || `flock exited with ${code}`}`));
    });
  });
  child.stdin.on('error', () => {});
  child.stdin.write('\n');
  let state: 'held' | 'missing';
  try {
    state = await acquired;
  } catch (err) {
    forget();
    throw err;
  }
  if (state === 'missing') {
    forget();
    flockMissing = true;
    return undefined;
  }
  child.removeAllListeners('exit');
  return async () => {
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => {});
    child.stdin.end();
    await exited;
    forget();
  };
}

/** The exclusive-file lock (where flock(1) is missing). */
async function lockWithFile(lockPath: string, timeoutMs: number, what: string): Promise<Release> {
  const token = ownerToken();
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      await writeFile(lockPath, `${token}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw new BundleError(BundleErrorCode.LockFailed, `cannot lock ${what}: ${(err as Error).message}`, { cause: err });
    }
    const holder = await readHolder(lockPath);
    // No owner yet: being written now, or its writer died between creating and writing it.
    const stale = holder === undefined ? (await ageMs(lockPath)) > ORPHAN_AGE_MS : holder !== token && !isOwnerAlive(holder);
    if (stale) {
      await breakStaleLock(lockPath, holder);
      continue;
    }
    if (Date.now() > deadline) throw timeout(what, timeoutMs, lockPath, holder);
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
  }
  const forget = onInterrupt(() => unlinkQuietly(lockPath));
  return async () => {
    forget();
    await unlink(lockPath).catch(() => undefined);
  };
}

/** Remove a file, synchronously (an interrupt cleanup cannot wait), ignoring its absence. */
function unlinkQuietly(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // gone already
  }
}

/** A lock or breaker file this old with no live owner was left by a crash. */
const ORPHAN_AGE_MS = 10_000;

async function ageMs(file: string): Promise<number> {
  const st = await stat(file).catch(() => undefined);
  return st === undefined ? 0 : Date.now() - st.mtimeMs;
}

/** The owner token in a lock file; undefined while it is being written (or unreadable). */
async function readHolder(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const token = text.trim();
  return token === '' ? undefined : token;
}

/**
 * Remove the lock `holder` left, if it is still that lock: under the
 * breaker file, the lock is read again and removed only if unchanged. A
 * breaker file whose own owner died (it is held for microseconds) is
 * removed once it is ORPHAN_AGE_MS old.
 */
async function breakStaleLock(lockPath: string, holder: string | undefined): Promise<void> {
  const breaker = `${lockPath}.break`;
  try {
    await writeFile(breaker, `${ownerToken()}\n`, { flag: 'wx' });
  } catch (err) {
    if (!isCode(err, 'EEXIST')) throw err;
    const breakerOwner = await readHolder(breaker);
    if ((await ageMs(breaker)) > ORPHAN_AGE_MS && (breakerOwner === undefined || !isOwnerAlive(breakerOwner))) await unlink(breaker).catch(() => undefined);
    return;
  }
  try {
    if ((await readHolder(lockPath)) === holder) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}
