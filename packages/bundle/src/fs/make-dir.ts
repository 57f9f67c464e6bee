/**
 * `mkdir -p` that gives the real reason. Node's recursive mkdir reports
 * ENOENT when a directory cannot be made for another reason, EROFS on a
 * read-only filesystem among them (it stats the path it failed to create
 * and reports that): on ENOENT, the missing directories are made one at a
 * time, so that the error is the kernel's own, naming the directory it
 * could not make.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Make `dir` and its missing parents; an existing directory is fine. */
export function makeDirectory(dir: string, mode = 0o777): void {
  try {
    mkdirSync(dir, { recursive: true, mode });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const missing: string[] = [];
  for (let p = path.resolve(dir); lstatSync(p, { throwIfNoEntry: false }) === undefined; p = path.dirname(p)) {
    missing.push(p);
    if (path.dirname(p) === p) break;
  }
  // Top down: the first failure is the real one (EROFS, EACCES, ENOTDIR, ...).
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p, mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
