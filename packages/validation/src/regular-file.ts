/**
 * The one way ocikit opens a file it reads: open without blocking, then
 * fstat the descriptor, and refuse anything but a regular file. Opening a
 * FIFO for reading blocks until a writer appears, and reading one (or a
 * socket, or a device) may never end; a layout, a bundle or a path on the
 * command line can hold any of them. The check is made on the open
 * descriptor, so nothing can be swapped in between the check and the read.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { OcikitError, type CodeOf } from '@ocikit/errors';
import type { Finding } from './finding.js';
import { describeLimit, type Limit } from './limits.js';

/** Stable codes of the errors this module throws. */
export const FileErrorCode = {
  /** The path names a FIFO, socket, device, directory (or, where refused, a symlink). */
  NotRegularFile: 'NOT_A_REGULAR_FILE',
  /** The file is larger than the limit its reader sets. */
  TooLarge: 'FILE_TOO_LARGE',
} as const;
export type FileErrorCode = CodeOf<typeof FileErrorCode>;

/** A file refused before (or while) it was read; the message is one line naming the file. */
export class FileError extends OcikitError<FileErrorCode> {
  override readonly name = 'FileError';
  /** The path as the caller gave it (as text). */
  readonly file: string;
  /** Set for a limit refusal: the limit hit. */
  readonly limit: Limit | undefined;
  /** Set for NOT_A_REGULAR_FILE: what the path names instead ("a FIFO", "a socket", ...). */
  readonly found: string | undefined;

  constructor(code: FileErrorCode, file: string, message: string, options: { limit?: Limit; found?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.file = file;
    this.limit = options.limit;
    this.found = options.found;
  }

  /** `"x" is 5242880 bytes, more than MAX_MANIFEST_BYTES (4194304 bytes)`; `atLeast` when reading stopped at the limit. */
  static tooLarge(file: string, size: number, limit: Limit, atLeast = false): FileError {
    return new FileError(FileErrorCode.TooLarge, file, `${JSON.stringify(file)} is ${atLeast ? 'at least ' : ''}${size} bytes, more than ${describeLimit(limit)}`, { limit });
  }
}

/** What a file is, for a message: "a FIFO", "a socket", "a directory", ... */
export function describeFileType(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

export interface OpenRegularFileOptions {
  /** Follow a symlink in the last component (default true); false refuses one (O_NOFOLLOW). */
  followSymlinks?: boolean;
}

/**
 * Open `file` for reading and check it is a regular file: O_NONBLOCK, so a
 * FIFO or device never blocks the open, and O_NOCTTY; then fstat. Returns
 * the descriptor (the caller closes it) and the size.
 *
 * @throws FileError NOT_A_REGULAR_FILE for anything else; the system error
 * (ENOENT, EACCES, ...) when it cannot be opened at all
 */
export function openRegularFile(file: string | Buffer, options: OpenRegularFileOptions = {}): { fd: number; size: number } {
  const follow = options.followSymlinks ?? true;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (follow ? 0 : constants.O_NOFOLLOW));
  } catch (err) {
    // Some kinds fail the open itself: a symlink under O_NOFOLLOW (ELOOP, as
    // does a real loop on the way), a socket (ENXIO), a device without a
    // driver (ENXIO, ENODEV). Name the kind when that is why.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      const st = follow ? statSync(file, { throwIfNoEntry: false }) : lstatSync(file, { throwIfNoEntry: false });
      if (st !== undefined && !st.isFile() && !st.isDirectory()) throw notRegular(file, describeFileType(st), err);
    }
    throw err;
  }
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (!st.isFile()) {
    closeSync(fd);
    throw notRegular(file, describeFileType(st));
  }
  return { fd, size: st.size };
}

function notRegular(path: string | Buffer, what: string, cause?: unknown): FileError {
  const file = path.toString();
  return new FileError(FileErrorCode.NotRegularFile, file, `${JSON.stringify(file)} is ${what}, not a regular file`, { found: what, cause });
}

/** First buffer when fstat says 0 bytes (procfs and friends): read on to EOF anyway. */
const MIN_READ = 64 * 1024;

/**
 * The whole of a regular file, at most `limit.value` bytes. The size fstat
 * gives is checked before a byte is read; the read goes on to EOF rather
 * than trusting it (a file can grow), and stops once past the limit.
 * Synchronous on purpose: documents are small, and for thousands of them a
 * promise round trip per open/stat/read/close costs more than the read.
 *
 * @throws FileError NOT_A_REGULAR_FILE or FILE_TOO_LARGE; the system error when it cannot be opened or read
 */
export function readRegularFile(file: string, limit: Limit, options: OpenRegularFileOptions = {}): Buffer {
  const { fd, size } = openRegularFile(file, options);
  try {
    if (size > limit.value) throw FileError.tooLarge(file, size, limit);
    // One byte more than the size: a read that fills it means the file grew.
    let buf = Buffer.allocUnsafe(Math.min(Math.max(size + 1, size === 0 ? MIN_READ : 0), limit.value + 1));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (total > limit.value) throw FileError.tooLarge(file, total, limit, true);
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit.value + 1));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * The finding a validator reports for a file over its limit: an error,
 * `DOCUMENT_TOO_LARGE`, at level MAY (RFC 8259 section 9 lets a reader set
 * limits on the size of texts; the spec sets none).
 */
export function tooLargeFinding(path: string, err: FileError): Finding {
  return { path, code: 'DOCUMENT_TOO_LARGE', level: 'MAY', ref: 'https://www.rfc-editor.org/rfc/rfc8259#section-9', message: err.message };
}
