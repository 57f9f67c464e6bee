import { availableParallelism } from 'node:os';
import {
  DigestError,
  DigestErrorCode,
  SUPPORTED_ALGORITHMS,
  createFileDigestPool,
  digestFile,
  digestStream,
  isSupportedAlgorithm,
  parseSupportedDigest,
  verifyFile,
  verifyStream,
  type DigestResult,
  type SupportedAlgorithm,
} from '@ocikit/digest';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type CommandIO } from '../io.js';
import { defineCommand, flags } from '../options.js';

const usage = `Usage: ocikit digest [--algorithm A] [--json] [FILE...]
       ocikit digest --check DIGEST [--size N] [FILE]

Print the OCI digest of each FILE as "<algorithm>:<hex>  FILE", like
sha256sum. With no FILE, or when FILE is -, read standard input.

  --algorithm A   one of ${SUPPORTED_ALGORITHMS.join(', ')} (default sha256)
  --json          print {"results":[{path,digest,size}]}
  --check DIGEST  verify FILE against DIGEST (its algorithm is DIGEST's)
  --size N        with --check: also require FILE to be N bytes long

Exit status: 0 ok, 1 digest or size mismatch, 2 usage error or unreadable FILE.
`;

/** sha256sum's convention: a name holding "\\" or a newline is escaped and the line starts with "\\". */
function line(digest: string, path: string): string {
  if (!/[\\\n\r]/.test(path)) return `${digest}  ${path}\n`;
  return `\\${digest}  ${path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}\n`;
}

const FS_REASONS: { readonly [code: string]: string } = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENOTDIR: 'a path component is not a directory',
};

/** An fs error as "cannot read FILE: reason", or undefined for anything else. */
function unreadable(path: string, err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  return `cannot read ${path}: ${FS_REASONS[code] ?? (err as Error).message}`;
}

/**
 * Standard input of the real process is read through /dev/stdin: a fresh,
 * blocking open of the same pipe or file, so it takes the file fast path
 * (large reads into reused buffers) rather than 64 KiB stream chunks. When
 * it cannot be opened that way (a socket: ENXIO), nothing has been read yet
 * and the stream is used instead.
 */
async function viaStdin<T>(io: CommandIO, fast: (path: string) => Promise<T>, slow: () => Promise<T>): Promise<T> {
  if (io.stdin !== process.stdin || process.platform !== 'linux') return slow();
  try {
    return await fast('/dev/stdin');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).syscall === 'open') return slow();
    throw err;
  }
}

function digestStdin(io: CommandIO, algorithm: SupportedAlgorithm): Promise<DigestResult> {
  return viaStdin(
    io,
    (path) => digestFile(path, algorithm),
    () => digestStream(io.stdin, algorithm),
  );
}

async function check(io: CommandIO, digest: string, sizeArg: string | undefined, files: string[]): Promise<number> {
  if (files.length > 1) throw new UsageError('digest: --check takes one FILE (- or none for standard input)');
  const path = files[0] ?? '-';
  let size: number | undefined;
  if (sizeArg !== undefined) {
    size = Number(sizeArg);
    if (!/^\d+$/.test(sizeArg) || !Number.isSafeInteger(size)) throw new UsageError(`digest: --size must be a non-negative integer, not "${sizeArg}"`);
  }
  try {
    parseSupportedDigest(digest);
  } catch (err) {
    if (err instanceof DigestError) throw new UsageError(`digest: --check: ${err.message}`);
    throw err;
  }
  const expected = size === undefined ? { digest } : { digest, size };
  try {
    if (path === '-') {
      await viaStdin(
        io,
        (p) => verifyFile(p, expected),
        () => verifyStream(io.stdin, expected),
      );
    } else await verifyFile(path, expected);
  } catch (err) {
    if (err instanceof DigestError && (err.code === DigestErrorCode.Mismatch || err.code === DigestErrorCode.SizeMismatch)) {
      await write(io.stderr, `ocikit: ${path}: ${err.message}\n`);
      return ExitCode.Failure;
    }
    const reason = unreadable(path, err);
    if (reason) {
      await write(io.stderr, `ocikit: ${reason}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
  await write(io.stdout, `${path}: OK\n`);
  return ExitCode.Ok;
}

const options = {
  algorithm: { type: 'string', short: 'a' },
  check: { type: 'string', short: 'c' },
  ...flags('string', 'size'),
  ...flags('boolean', 'json'),
} as const;

export const command = defineCommand('digest', { summary: 'print or check the OCI digest (sha256, sha512, blake3) of files', usage, options }, async ({ values, positionals }, io) => {
  if (values.check !== undefined) {
    if (values.algorithm !== undefined) throw new UsageError('digest: --check takes its algorithm from DIGEST; drop --algorithm');
    return check(io, values.check, values.size, positionals);
  }
  if (values.size !== undefined) throw new UsageError('digest: --size goes with --check');
  const algorithm = values.algorithm ?? 'sha256';
  if (!isSupportedAlgorithm(algorithm)) {
    throw new UsageError(`digest: unknown --algorithm "${algorithm}" (one of ${SUPPORTED_ALGORITHMS.join(', ')})`);
  }
  const files = positionals.length === 0 ? ['-'] : positionals;
  const results = startAll(files, algorithm, io);
  let status: number = ExitCode.Ok;
  const json: Array<{ path: string } & DigestResult> = [];
  // Print in argument order while later files are still hashing.
  for (const [i, pending] of results.entries()) {
    const path = files[i]!;
    try {
      const r = await pending;
      if (values.json) json.push({ path, ...r });
      else await write(io.stdout, line(r.digest, path));
    } catch (err) {
      const reason = unreadable(path, err);
      if (!reason) throw err;
      await write(io.stderr, `ocikit: ${reason}\n`);
      status = ExitCode.Usage;
    }
  }
  if (values.json) await write(io.stdout, `${JSON.stringify({ results: json })}\n`);
  return status;
});

/** Start hashing every file at once: on worker threads when there are several, in order of the arguments. */
function startAll(files: string[], algorithm: SupportedAlgorithm, io: CommandIO): Promise<DigestResult>[] {
  const paths = files.filter((f) => f !== '-');
  if (paths.length <= 1) {
    // One file: on this thread, no worker start-up cost. Sequential, so stdin is read once, in its place.
    const out: Promise<DigestResult>[] = [];
    let previous: Promise<unknown> = Promise.resolve();
    for (const f of files) {
      const p = previous.then(() => (f === '-' ? digestStdin(io, algorithm) : digestFile(f, algorithm)));
      previous = p.catch(() => undefined);
      out.push(p);
    }
    return out;
  }
  const pool = createFileDigestPool({ concurrency: Math.min(paths.length, availableParallelism()) });
  const out = files.map((f) => (f === '-' ? digestStdin(io, algorithm) : pool.digest(f, algorithm)));
  // Unhandled-rejection safety: results are awaited in order by the caller.
  for (const p of out) p.catch(() => undefined);
  void Promise.allSettled(out).then(() => pool.close());
  return out;
}
