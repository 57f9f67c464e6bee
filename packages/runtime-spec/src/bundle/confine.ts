/**
 * Path resolution confined to a root directory, as if the root were `/`:
 * symlinks are resolved by hand, one component at a time, against the root;
 * an absolute link target restarts at the root and `..` never climbs above
 * it. Nothing outside the root is ever looked at, whatever the links say.
 */
import { lstat, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';

/** Linux's limit on symlinks followed in one lookup (ELOOP beyond it). */
export const MAX_SYMLINKS = 40;

export interface ConfinedPath {
  /** Host path of the final component (inside the root). */
  hostPath: string;
  /** Path as seen from inside the root, always absolute and normalised. */
  innerPath: string;
  /** lstat of the final component; undefined when it does not exist. */
  stats: Stats | undefined;
  /** Why resolution stopped early (a missing or non-directory component, a symlink loop). */
  problem?: 'missing' | 'not-a-directory' | 'loop';
}

function split(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Resolve `inner` (a path inside the root) to a host path inside `root`,
 * following symlinks within the root only.
 */
export async function resolveInRoot(root: string, inner: string): Promise<ConfinedPath> {
  const rootAbs = path.resolve(root);
  const done: string[] = [];
  let todo = split(inner);
  let hops = 0;
  const host = () => path.join(rootAbs, ...done);
  const innerOf = () => `/${done.join('/')}`;
  while (todo.length > 0) {
    const [head, ...rest] = todo;
    todo = rest;
    if (head === '..') {
      done.pop();
      continue;
    }
    const candidate = path.join(host(), head!);
    let st: Stats;
    try {
      st = await lstat(candidate);
    } catch {
      done.push(head!);
      return { hostPath: host(), innerPath: innerOf(), stats: undefined, problem: todo.length === 0 ? undefined : 'missing' };
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINKS) return { hostPath: candidate, innerPath: innerOf(), stats: st, problem: 'loop' };
      const target = await readlink(candidate);
      if (target.startsWith('/')) done.length = 0;
      todo = [...split(target), ...todo];
      continue;
    }
    done.push(head!);
    if (todo.length > 0 && !st.isDirectory()) return { hostPath: host(), innerPath: innerOf(), stats: st, problem: 'not-a-directory' };
    if (todo.length === 0) return { hostPath: host(), innerPath: innerOf(), stats: st };
  }
  // Ended on a directory reached through ".." or the root itself.
  const st = await lstat(host()).catch(() => undefined);
  return { hostPath: host(), innerPath: innerOf(), stats: st };
}
