/**
 * The root filesystem the checks run on: a static busybox (Debian
 * `busybox-static`) copied into a fresh directory with one symlink per applet,
 * or a directory the user names with `--rootfs`. Nothing is compiled: the
 * checks only run busybox applets.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, openSync, readSync, readdirSync, rmdirSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { RuntimeTestError, RuntimeTestErrorCode } from './errors.js';

/** Where Debian and most distributions put busybox. */
export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox', '/sbin/busybox', '/usr/sbin/busybox'] as const;

/** Applets the checks use; a `--rootfs` must provide them in /bin. */
export const REQUIRED_APPLETS = ['sh', 'cat', 'echo', 'ls', 'readlink', 'sleep', 'stat', 'touch', 'tr', 'hostname', 'id'] as const;

/** Directories a rootfs needs as mount points and working directories. */
const SKELETON = ['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root', 'ocikit'] as const;

const PT_INTERP = 3;

/**
 * Whether `file` is an ELF executable without a program interpreter (a static
 * binary: it runs in a rootfs that has no libc). Reads only the headers.
 */
export function isStaticElf(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(64);
    if (readSync(fd, head, 0, 64, 0) < 52) return false;
    if (head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(0x20) : head.readBigUInt64BE(0x20)) : u32(head, 0x1c);
    const phentsize = u16(head, is64 ? 0x36 : 0x2a);
    const phnum = u16(head, is64 ? 0x38 : 0x2c);
    if (phnum === 0 || phentsize < 4) return false;
    const table = Buffer.alloc(phentsize * phnum);
    if (readSync(fd, table, 0, table.length, phoff) < table.length) return false;
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}

/** The first static busybox among the usual places and PATH, or undefined. */
export function findStaticBusybox(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const onPath = (env['PATH'] ?? '').split(':').filter(Boolean).map((d) => path.join(d, 'busybox'));
  for (const candidate of [...BUSYBOX_CANDIDATES, ...onPath]) {
    if (existsSync(candidate) && isStaticElf(candidate)) return candidate;
  }
  return undefined;
}

/** Applet names a busybox binary provides (`busybox --list`). */
export function busyboxApplets(busybox: string): string[] {
  const r = spawnSync(busybox, ['--list'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) {
    throw new RuntimeTestError(RuntimeTestErrorCode.NoRootfs, `expected \`${busybox} --list\` to list applets, found exit ${r.status}: ${(r.stderr ?? '').trim()}`);
  }
  return r.stdout.split('\n').map((s) => s.trim()).filter((s) => s !== '' && s !== 'busybox' && !s.includes('/'));
}

/** Build a busybox rootfs in `dir` (created): /bin/busybox plus one symlink per applet. */
export function buildBusyboxRootfs(dir: string, busybox: string): void {
  for (const d of SKELETON) mkdirSync(path.join(dir, d), { recursive: true });
  chmodSync(path.join(dir, 'tmp'), 0o1777);
  const target = path.join(dir, 'bin', 'busybox');
  copyFileSync(busybox, target);
  chmodSync(target, 0o755);
  for (const applet of busyboxApplets(busybox)) {
    const link = path.join(dir, 'bin', applet);
    if (!existsSync(link)) symlinkSync('busybox', link);
  }
}

/**
 * Check a user-supplied rootfs: a directory with the applets the checks run
 * in /bin (symlinks are not followed: they point into the container's view).
 */
export function checkRootfs(dir: string, what = `--rootfs ${dir}`): void {
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    throw new RuntimeTestError(RuntimeTestErrorCode.NoRootfs, `expected ${what} to be a directory, found it unreadable`, { cause: err });
  }
  if (!st.isDirectory()) throw new RuntimeTestError(RuntimeTestErrorCode.NoRootfs, `expected ${what} to be a directory, found a file`);
  const missing = REQUIRED_APPLETS.filter((a) => {
    try {
      lstatSync(path.join(dir, 'bin', a));
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new RuntimeTestError(RuntimeTestErrorCode.NoRootfs, `expected ${what} to provide /bin/${REQUIRED_APPLETS.join(', /bin/')}, found no ${missing.map((m) => `/bin/${m}`).join(', ')}`);
  }
}

/** What a user-supplied rootfs held before the run (see {@link tidyRootfs}). */
export interface RootfsSnapshot {
  readonly rootfs: string;
  /** Top-level names. */
  readonly top: ReadonlySet<string>;
  /** Which ancestors of the host-path mount points already existed. */
  readonly existing: ReadonlySet<string>;
  readonly hostPaths: readonly string[];
}

/**
 * Note what a `--rootfs` holds before the runtime creates mount points in
 * it: the top level, and the ancestors of `hostPaths` (host directories the
 * checks bind mount at the same path inside the container).
 */
export function snapshotRootfs(rootfs: string, hostPaths: readonly string[]): RootfsSnapshot {
  const existing = new Set<string>();
  for (const p of hostPaths) for (const a of ancestors(p)) if (existsSync(path.join(rootfs, a))) existing.add(a);
  return { rootfs, top: new Set(readdirSync(rootfs)), existing, hostPaths };
}

/**
 * Remove the empty directories the run left in a `--rootfs` (mount points the
 * runtime made); files and anything that existed before are kept.
 */
export function tidyRootfs(s: RootfsSnapshot): void {
  for (const p of s.hostPaths) {
    for (const a of [p, ...ancestors(p).reverse()]) {
      if (s.existing.has(a)) break;
      pruneEmptyDirs(path.join(s.rootfs, a));
    }
  }
  for (const name of readdirSync(s.rootfs)) if (!s.top.has(name)) pruneEmptyDirs(path.join(s.rootfs, name));
}

/** `/a/b/c` -> [`/a`, `/a/b`] (strict ancestors below the root). */
function ancestors(p: string): string[] {
  const parts = p.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

/** rmdir a tree of empty directories bottom-up; true when `dir` is gone. Never follows symlinks. */
function pruneEmptyDirs(dir: string): boolean {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return true;
  }
  if (!st.isDirectory()) return false;
  let empty = true;
  for (const name of readdirSync(dir)) if (!pruneEmptyDirs(path.join(dir, name))) empty = false;
  if (!empty) return false;
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}
