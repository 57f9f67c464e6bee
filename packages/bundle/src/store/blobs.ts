/**
 * The blob store of a layout (image-spec image-layout.md "Blobs"):
 * `blobs/<alg>/<encoded>`.
 *
 * - Every blob read is verified while it streams: size first (against the
 *   file, then while reading) and digest at the end, so a consumer never
 *   sees a byte past a mismatch without an error at the end of the stream.
 * - Blob writes go to a temp file inside the layout, then rename.
 */
import { closeSync, constants, createReadStream, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { createDigester, DigestMismatchError, isValidDigest, parseSupportedDigest, SizeMismatchError, type SupportedAlgorithm } from '@ocikit/digest';
import { describeLimit, FileError, openRegularFile, type Limit } from '@ocikit/validation';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { scratchFile } from '../fs/scratch.js';

const READ_CHUNK = 1 << 20;
/** Is `err` a Node error with this code? */
export function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/** Largest blob size we accept in a descriptor: beyond this it is not a real blob. */
export const MAX_DESCRIPTOR_SIZE = 2 ** 50;

/**
 * What reading a blob relies on in the descriptor it is given (which may
 * come from a caller or a bundle's ocikit.json, not from a validated
 * document): a digest that names a file, and a size that is a plausible
 * byte count. image-spec only warns above 2^53; a store refuses far sooner.
 */
export function checkBlobDescriptor(d: Descriptor, what: string): void {
  if (typeof d.mediaType !== 'string') throw new BundleError(BundleErrorCode.InvalidDocument, `${what}: descriptor has no mediaType`, { ref: BundleSpecRef.Descriptor });
  if (typeof d.digest !== 'string' || !isValidDigest(d.digest)) {
    throw new BundleError(BundleErrorCode.InvalidDocument, `${what}: descriptor digest ${q(String(d.digest))} is not a valid digest`, { ref: BundleSpecRef.Descriptor });
  }
  const size = d.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > MAX_DESCRIPTOR_SIZE) {
    throw new BundleError(BundleErrorCode.InvalidDescriptor, `${what}: descriptor size ${JSON.stringify(size)} is not a plausible byte count`, { ref: BundleSpecRef.Descriptor });
  }
}

/** `blobs/<alg>/<encoded>` for a digest, after checking the digest's grammar. */
export function blobPath(dir: string, digest: string): string {
  let parsed;
  try {
    parsed = parseSupportedDigest(digest);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidDescriptor, `digest ${q(digest)} cannot name a blob`, { cause, ref: BundleSpecRef.Blobs });
  }
  // The grammar admits no "/" or "." runs that could leave blobs/<alg>/.
  return path.join(dir, 'blobs', parsed.algorithm, parsed.encoded);
}

/**
 * The blob's content in chunks, verified: its size against the
 * descriptor before reading and while reading, its digest at the end.
 * The last chunk is yielded only after verification succeeds.
 */
export async function* openBlob(dir: string, desc: Descriptor): AsyncGenerator<Buffer> {
  checkBlobDescriptor(desc, 'blob');
  const file = blobPath(dir, desc.digest);
  const { algorithm } = parseSupportedDigest(desc.digest);
  let fd: number;
  let size: number;
  try {
    // A blob is a regular file at exactly blobs/<alg>/<encoded>, never a symlink to elsewhere, never a FIFO.
    ({ fd, size } = openRegularFile(file, { followSymlinks: false }));
  } catch (cause) {
    if (isCode(cause, 'ENOENT')) {
      throw new BundleError(BundleErrorCode.BlobNotFound, `blob ${desc.digest} is missing from the layout`, { cause, ref: BundleSpecRef.Blobs });
    }
    if (cause instanceof FileError) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `blob ${desc.digest}: ${cause.message}`, { cause, ref: BundleSpecRef.Blobs });
    }
    throw cause;
  }
  if (size !== desc.size) {
    closeSync(fd);
    throw new SizeMismatchError(desc.size, size, { cause: new Error(`blob ${desc.digest}`) });
  }
  const digester = createDigester(algorithm);
  const stream = createReadStream('', { fd, highWaterMark: READ_CHUNK, autoClose: true });
  let held: Buffer | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      digester.update(chunk);
      if (digester.size > desc.size) throw new SizeMismatchError(desc.size, digester.size, { atLeast: true });
      if (held) yield held;
      held = chunk;
    }
  } finally {
    stream.destroy();
  }
  if (digester.size !== desc.size) throw new SizeMismatchError(desc.size, digester.size);
  const actual = digester.digest();
  if (actual !== desc.digest) throw new DigestMismatchError(desc.digest, actual);
  if (held) yield held;
}

/**
 * A whole (small) blob, verified; refused before reading when its
 * descriptor says it is larger than `max` (bytes, or a limit from
 * `Limits`, which the message then names).
 */
export async function readBlob(dir: string, desc: Descriptor, max: number | Limit): Promise<Buffer> {
  checkBlobDescriptor(desc, 'blob');
  const limit = typeof max === 'number' ? undefined : max;
  const maxBytes = limit?.value ?? (max as number);
  if (desc.size > maxBytes) {
    const allowed = limit === undefined ? `the ${maxBytes} bytes allowed for a ${desc.mediaType} document` : `${describeLimit(limit)} for a ${desc.mediaType} document`;
    throw new BundleError(BundleErrorCode.InvalidDescriptor, `blob ${desc.digest} is ${desc.size} bytes, more than ${allowed}`);
  }
  const parts: Buffer[] = [];
  for await (const c of openBlob(dir, desc)) parts.push(c);
  return Buffer.concat(parts);
}

/** Write content as a blob (temp file, fsync, rename); returns its descriptor fields. */
export function writeBlob(dir: string, content: Uint8Array | AsyncIterable<Uint8Array>, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<{ digest: string; size: number }> {
  return writeToStore(dir, content instanceof Uint8Array ? [content] : content, algorithm, undefined);
}

/** How {@link putBlob} writes. */
export interface PutBlobOptions {
  /** Told each chunk's length as it is written. */
  onChunk?: (bytes: number) => void;
  /**
   * The content comes from a reader that verifies it against `desc` and
   * throws before its last chunk when it does not match (a layout's
   * `openBlob`, a registry download): the size is still checked here, the
   * digest is not computed a second time.
   */
  sourceVerified?: boolean;
  /**
   * The source never writes again to memory it has yielded (Node streams,
   * registry downloads): batches are written from the chunks themselves,
   * with no copy.
   */
  stableChunks?: boolean;
}

/**
 * Write a blob known by its descriptor (temp file, fsync, rename), verified
 * while it is written: more bytes than `desc.size` stop the write at once,
 * and only content of exactly that size and digest is renamed into
 * `blobs/<alg>/<encoded>`; otherwise the temp file is removed and the
 * mismatch thrown, so the store gains nothing (image-spec descriptor.md
 * "Verification").
 */
export async function putBlob(dir: string, desc: Descriptor, content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: PutBlobOptions = {}): Promise<void> {
  checkBlobDescriptor(desc, 'blob');
  blobPath(dir, desc.digest);
  await writeToStore(dir, content, parseSupportedDigest(desc.digest).algorithm, desc, options);
}

/** Chunks are gathered up to this many bytes and written at once. */
const WRITE_BATCH_BYTES = 1 << 20;
/** A batch of more chunks than this is copied into one buffer before it is written. */
const MAX_WRITEV_CHUNKS = 64;

/**
 * The one way bytes enter the store: a scratch file beside the blobs,
 * hashed as written, fsynced, then renamed to the name its digest gives.
 * With `expected`, content of another size or digest is refused (the
 * scratch file removed) before anything is renamed.
 *
 * Writes go to the thread pool, one batch (one writev) in flight while the
 * next is gathered, so the main thread keeps reading (a socket, a
 * compressor) while the kernel copies pages. Chunks are copied as they
 * arrive unless the source says they are stable.
 */
async function writeToStore(
  dir: string,
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  algorithm: SupportedAlgorithm,
  expected: Descriptor | undefined,
  options: PutBlobOptions = {},
): Promise<{ digest: string; size: number }> {
  const digester = expected !== undefined && options.sourceVerified ? undefined : createDigester(algorithm);
  const tmp = scratchFile(dir);
  let file: FileHandle;
  try {
    file = await open(tmp.path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (err) {
    tmp.keep();
    throw err;
  }
  let digest: string;
  let size = 0;
  try {
    let inflight: Promise<void> = Promise.resolve();
    try {
      let batch: Uint8Array[] = [];
      let batched = 0;
      const flush = async (): Promise<void> => {
        if (batched === 0) return;
        // Many small chunks are joined: one write of them beats a writev the kernel takes IOV_MAX at a time.
        const chunks = batch.length <= MAX_WRITEV_CHUNKS ? batch : [Buffer.concat(batch, batched)];
        [batch, batched] = [[], 0];
        await inflight;
        inflight = writeAll(file, chunks);
      };
      for await (const c of content) {
        digester?.update(c);
        size += c.length;
        if (expected !== undefined && size > expected.size) throw new SizeMismatchError(expected.size, size, { atLeast: true, cause: new Error(`blob ${expected.digest}`) });
        // A batch outlives the loop's turn: a chunk of a source that may reuse its memory is copied as it arrives.
        batch.push(options.stableChunks ? c : Buffer.from(c));
        batched += c.length;
        if (batched >= WRITE_BATCH_BYTES) await flush();
        options.onChunk?.(c.length);
      }
      await flush();
      await inflight;
      digest = digester === undefined ? expected!.digest : digester.digest();
      if (expected !== undefined) {
        if (size !== expected.size) throw new SizeMismatchError(expected.size, size, { cause: new Error(`blob ${expected.digest}`) });
        if (digest !== expected.digest) throw new DigestMismatchError(expected.digest, digest);
      }
      await file.sync();
    } finally {
      // A write still running when the content failed: wait for it before closing (its error is the lesser one).
      await inflight.catch(() => undefined);
      await file.close();
    }
    const dest = blobPath(dir, digest);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(tmp.path, dest);
  } catch (err) {
    tmp.dispose();
    throw err;
  }
  tmp.keep();
  return { digest, size };
}

/** Write all of `chunks` at the file's position in one writev, and again for whatever a short write left. */
async function writeAll(file: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let rest = chunks;
  while (rest.length > 0) {
    let { bytesWritten } = await file.writev(rest);
    const skip = rest.findIndex((c) => (bytesWritten -= c.byteLength) < 0);
    if (skip < 0) return;
    const partial = rest[skip]!;
    rest = [partial.subarray(partial.byteLength + bytesWritten), ...rest.slice(skip + 1)];
  }
}

/** Whether the layout holds a blob with this digest (present, not verified). */
export function hasBlob(dir: string, digest: string): boolean {
  return existsSync(blobPath(dir, digest));
}

/** Copy a blob from the layout at `fromDir` to the one at `toDir` (verified while it streams) unless it is there already. */
export async function copyBlob(fromDir: string, toDir: string, desc: Descriptor): Promise<void> {
  if (existsSync(blobPath(toDir, desc.digest))) return;
  await putBlob(toDir, desc, openBlob(fromDir, desc), { sourceVerified: true });
}

/** Replace the file `name` in the layout atomically: temp file, fsync, rename. */
export async function replaceFile(dir: string, name: string, text: string): Promise<void> {
  const tmp = scratchFile(dir);
  try {
    const fd = openSync(tmp.path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(tmp.path, path.join(dir, name));
  } catch (err) {
    tmp.dispose();
    throw err;
  }
  tmp.keep();
}

/** Every blob digest in the store. */
export async function listBlobs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const blobs = path.join(dir, 'blobs');
  for (const alg of await readdir(blobs).catch(() => [] as string[])) {
    for (const enc of await readdir(path.join(blobs, alg)).catch(() => [] as string[])) out.push(`${alg}:${enc}`);
  }
  return out;
}
