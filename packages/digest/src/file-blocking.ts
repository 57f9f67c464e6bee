/**
 * Hashing a whole file with synchronous reads, for a thread whose only job
 * is hashing (a pool worker, or the calling thread as a pool lane): with
 * every core already hashing, handing each read to libuv's pool only adds
 * thread switches (measured about 10% slower on a 324 MiB layout on two
 * cores).
 *
 * It loads only node:crypto for the SHA-2 family, because a worker's
 * start-up is on the critical path of every pool (a layout's largest blob
 * waits for it); the full digester, with BLAKE3, is imported on first need.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { READ_BUFFER_SIZE } from './read-size.js';

let buffer: Buffer | undefined;

interface Sink {
  update(data: Uint8Array): unknown;
  digest(): string;
}

/** node:crypto for the SHA-2 family (OpenSSL, the same bytes as the digester's backend); the digester for the rest. */
async function sinkFor(algorithm: string): Promise<Sink> {
  if (algorithm === 'sha256' || algorithm === 'sha384' || algorithm === 'sha512') {
    const h = createHash(algorithm);
    return { update: (data) => h.update(data), digest: () => `${algorithm}:${h.digest('hex')}` };
  }
  const { createDigester } = await import('./digester.js');
  return createDigester(algorithm);
}

/** Digest and size of a file, read synchronously (see above); async only to load a digester on first need. */
export async function digestFileBlocking(path: string, algorithm: string): Promise<{ digest: string; size: number }> {
  const d = await sinkFor(algorithm);
  buffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
  let size = 0;
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      d.update(buffer.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { digest: d.digest(), size };
}
