/**
 * The fast path for files: large reads into two reused buffers, the next
 * read running on libuv's thread pool while this one is hashed, so reading
 * and hashing overlap and memory stays at two buffers whatever the size.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DEFAULT_ALGORITHM, type SupportedAlgorithm } from './algorithms.js';
import { createDigester } from './digester.js';
import { SizeMismatchError } from './errors.js';
import type { DigestResult } from './stream.js';
import { READ_BUFFER_SIZE } from './read-size.js';
import { createVerifier, type Expected } from './verify.js';

export { READ_BUFFER_SIZE };

/** Feed every byte of an open file to `update`, in order. */
async function readAll(fh: FileHandle, update: (chunk: Uint8Array) => void): Promise<void> {
  const buffers = [Buffer.allocUnsafeSlow(READ_BUFFER_SIZE), Buffer.allocUnsafeSlow(READ_BUFFER_SIZE)] as const;
  let which = 0;
  // position null: read from the current offset, so pipes and FIFOs work too;
  // reads never overlap each other, only the hashing of the previous one.
  let pending = fh.read(buffers[0], 0, READ_BUFFER_SIZE, null);
  for (;;) {
    const { bytesRead, buffer } = await pending;
    if (bytesRead === 0) return;
    which ^= 1;
    pending = fh.read(buffers[which]!, 0, READ_BUFFER_SIZE, null);
    try {
      update(buffer.subarray(0, bytesRead));
    } catch (err) {
      await pending.catch(() => undefined);
      throw err;
    }
  }
}

/**
 * Hash a file (or a FIFO, or a device) by path.
 *
 * @throws DigestError DIGEST_UNSUPPORTED; the fs error (ENOENT, EISDIR, EACCES) when it cannot be read
 */
export async function digestFile<A extends SupportedAlgorithm = 'sha256'>(path: string, algorithm?: A): Promise<DigestResult<A>>;
export async function digestFile(path: string, algorithm: string): Promise<DigestResult>;
export async function digestFile(path: string, algorithm: string = DEFAULT_ALGORITHM): Promise<DigestResult> {
  const d = createDigester(algorithm);
  const fh = await open(path, 'r');
  try {
    await readAll(fh, (chunk) => d.update(chunk));
  } finally {
    await fh.close();
  }
  return { digest: d.digest(), size: d.size };
}

/**
 * Check a file against `expected`. For a regular file the size is compared
 * with its length before any byte is hashed (descriptor.md "Verification").
 *
 * @throws SizeMismatchError, DigestMismatchError, DigestError for a bad expected digest, or the fs error
 */
export async function verifyFile(path: string, expected: Expected): Promise<DigestResult> {
  const v = createVerifier(expected);
  const fh = await open(path, 'r');
  try {
    if (expected.size !== undefined) {
      const st = await fh.stat();
      if (st.isFile() && st.size !== expected.size) throw new SizeMismatchError(expected.size, st.size);
    }
    await readAll(fh, (chunk) => v.update(chunk));
  } finally {
    await fh.close();
  }
  return v.verify();
}
