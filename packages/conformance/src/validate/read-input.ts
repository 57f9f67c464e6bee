import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** Thrown when a named path cannot be read at all (the CLI exits 2). */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: 'PATH_UNREADABLE' | 'PATH_UNSUPPORTED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bytes of a file, or a marker when it is larger than `maxBytes` (never read whole then). */
export async function readBounded(file: string, maxBytes: number): Promise<Buffer | { tooLarge: number }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new InputError('PATH_UNREADABLE', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return { tooLarge: size };
    return await handle.readFile();
  } catch (err) {
    throw new InputError('PATH_UNREADABLE', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  } finally {
    await handle.close();
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
