import type { Readable } from 'node:stream';
import { OcikitError } from '@ocikit/errors';
import { describeLimit, FileError, FileErrorCode, readRegularFile, type Limit } from '@ocikit/validation';

/** Thrown when a named path cannot be read at all (the CLI exits 2). */
export class InputError extends OcikitError<'PATH_UNREADABLE' | 'PATH_UNSUPPORTED'> {
  override readonly name = 'InputError';
}

/**
 * Bytes of a document file, or the refusal when it is larger than `limit`
 * (never read whole then: the size is checked first). Read by the one
 * regular-file reader unpack and pack use too (@ocikit/validation): a FIFO,
 * socket or device named on the command line is an InputError
 * (PATH_UNSUPPORTED) naming what it is, never waited on.
 */
export function readDocumentFile(file: string, limit: Limit): Buffer | FileError {
  try {
    return readRegularFile(file, limit);
  } catch (err) {
    if (err instanceof FileError) {
      if (err.code === FileErrorCode.TooLarge) return err;
      throw new InputError('PATH_UNSUPPORTED', `${err.message} (standard input takes a stream: -)`, { cause: err });
    }
    throw new InputError('PATH_UNREADABLE', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

/** Standard input, stopping (without buffering the rest) once it exceeds `limit`. */
export async function readStreamBounded(stream: Readable, limit: Limit): Promise<Buffer | FileError> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += b.length;
    if (total > limit.value) {
      stream.destroy();
      return new FileError(FileErrorCode.TooLarge, '-', `standard input is at least ${total} bytes, more than ${describeLimit(limit)}`, { limit });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}
