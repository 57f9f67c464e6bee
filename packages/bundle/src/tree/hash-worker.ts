/**
 * Worker side of the file hashing pool: hashes a batch of files with
 * large synchronous reads (no symlink is ever followed) and answers with
 * one result per file, in order.
 */
import { serve } from '@ocikit/digest/worker-pool';
import { hashFileSync, splitPaths, type HashRequest, type HashResponse } from './hash-file.js';

const buffer = Buffer.allocUnsafeSlow(1 << 20);
serve<HashRequest, HashResponse>((req) => {
  const paths = splitPaths(Buffer.from(req.paths.buffer, req.paths.byteOffset, req.paths.byteLength));
  const results: HashResponse['results'] = paths.map((p) => {
    try {
      return hashFileSync(p, buffer);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { error: { message: e.message, ...(e.code !== undefined && { code: e.code }) } };
    }
  });
  return { results };
});
