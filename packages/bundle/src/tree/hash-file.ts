import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '@ocikit/validation';

export interface HashRequest {
  /** Host paths, each followed by a NUL byte (a path never holds one). */
  paths: Uint8Array;
}

/** Split a NUL-terminated list of paths. */
export function splitPaths(list: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < list.length; ) {
    const end = list.indexOf(0, start);
    out.push(list.subarray(start, end));
    start = end + 1;
  }
  return out;
}
export type HashResult = { digest: string; size: number } | { error: { message: string; code?: string } };
export interface HashResponse {
  /** One per path, in order. */
  results: HashResult[];
}

/**
 * sha256 of a regular file, read in `buffer`-sized reads. Not followed: a
 * file swapped for a symlink (or a FIFO) after the walk is refused.
 */
export function hashFileSync(path: Buffer | string, buffer: Buffer): { digest: string; size: number } {
  const { fd } = openRegularFile(path, { followSymlinks: false });
  try {
    return hashFd(fd, buffer);
  } finally {
    closeSync(fd);
  }
}

/** sha256 of what is left to read from an open file, in `buffer`-sized reads. */
export function hashFd(fd: number, buffer: Buffer): { digest: string; size: number } {
  const h = createHash('sha256');
  let size = 0;
  for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) {
    h.update(n === buffer.length ? buffer : buffer.subarray(0, n));
    size += n;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}
