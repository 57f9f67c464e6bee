import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { OcikitError } from '@ocikit/errors';

/** Thrown when a named path cannot be read at all (the CLI exits 2). */
export class InputError extends OcikitError<'PATH_UNREADABLE' | 'PATH_UNSUPPORTED'> {
  override readonly name = 'InputError';
}

/** First read of every file: most OCI documents fit, so they take one read and no stat. */
const FIRST_READ = 64 * 1024;
const scratch = Buffer.allocUnsafeSlow(FIRST_READ);

/**
 * Bytes of a file, or a marker when it is larger than `maxBytes` (never read
 * whole then). Synchronous on purpose: OCI documents are small, and for
 * thousands of them a promise round trip per open/stat/read/close costs
 * several times the read itself. A document under 64 KiB costs an open, one
 * read and a close; a larger one is stat'ed before it is read on.
 */
export function readBounded(file: string, maxBytes: number): Buffer | { tooLarge: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new InputError('PATH_UNREADABLE', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  try {
    const first = readSync(fd, scratch, 0, Math.min(FIRST_READ, maxBytes + 1), null);
    if (first > maxBytes) return { tooLarge: Math.max(fstatSync(fd).size, first) };
    // A short read of a regular file is its end.
    if (first < Math.min(FIRST_READ, maxBytes + 1)) return Buffer.from(scratch.subarray(0, first));
    const { size } = fstatSync(fd);
    if (size > maxBytes) return { tooLarge: size };
    // Read to EOF rather than trusting size: files can grow, and procfs reports 0.
    const chunks: Buffer[] = [Buffer.from(scratch.subarray(0, first))];
    let total = first;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.max(size + 1 - total, FIRST_READ));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { tooLarge: total };
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      if (n < buf.length) break;
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (err) {
    throw new InputError('PATH_UNREADABLE', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}

/** Standard input, stopping (without buffering the rest) once it exceeds `maxBytes`. */
export async function readStreamBounded(stream: Readable, maxBytes: number): Promise<Buffer | { tooLarge: number }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += b.length;
    if (total > maxBytes) {
      stream.destroy();
      return { tooLarge: total };
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}
