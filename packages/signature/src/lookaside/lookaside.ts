/**
 * Lookaside signature storage (containers/image docs/signature-protocols.md,
 * "docker/distribution registries—separate storage"; the code is
 * `docker/registries_d.go` `lookasideStorageURL`, `docker/docker_image_src.go`
 * `getOneSignature` and `docker/docker_image_dest.go` `putOneSignature`).
 *
 * The signatures of manifest `ALGO:HEX` in repository `REPO` (its path
 * without the host: `library/busybox`) are the blobs at
 * `BASE/REPO@ALGO=HEX/signature-N`, N counting from 1; the first N that does
 * not exist ends the list. A blob is the OpenPGP message itself (the
 * simple signing format) or, in containers/image's newer framing, a zero
 * byte, a format name and a newline before it.
 *
 * - Reading: `file://` (regular files only, never a symlink, never outside
 *   the base directory, at most MAX_LOOKASIDE_SIGNATURE_BYTES each) and
 *   `http(s)://` (GET; 404 ends the list; any status but 200 and 404 is an
 *   error, as for containers/image; each request has a timeout, transient
 *   failures are retried with backoff; credentials in the URL are sent as
 *   Basic authorization, as Go's client does, and never printed). Storage
 *   holding MAX_LOOKASIDE_SIGNATURES or more is refused, as
 *   containers/image refuses it.
 * - Writing: `file://` only, as in containers/image (an http(s) URL is
 *   published by copying a staging directory to a web server). Each
 *   signature is written whole (a temporary file, synced) and linked to the
 *   first free `signature-N`: the link fails on an existing name, so two
 *   signers at once take two numbers and never overwrite each other or an
 *   existing signature. (`skopeo copy --sign-by` rewrites the list from 1
 *   instead, with the signatures the image had at its source.)
 */
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDigest } from '@ocikit/digest';
import { RetryPolicy, writeFileAtomic, type RetryOptions } from '@ocikit/distribution';
import { FileError, readRegularFile, type Limit } from '@ocikit/validation';
import { LOOKASIDE_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';

/**
 * containers/image's bound on the signatures of one image
 * (`maxLookasideSignatures`): storage holding this many is refused as
 * broken, so at most one fewer is read, and written.
 */
export const MAX_LOOKASIDE_SIGNATURES = 128;

/** The largest signature read (containers/image `iolimits.MaxSignatureBodySize`). */
export const MAX_LOOKASIDE_SIGNATURE_BYTES: Limit = { name: 'MAX_LOOKASIDE_SIGNATURE_BYTES', value: 4 << 20, unit: 'bytes' };

/** How long one HTTP request for a signature may take, body included. */
export const DEFAULT_LOOKASIDE_TIMEOUT_MS = 30_000;

/** The format name of a simple signature in containers/image's framed blobs (`internal/signature` `SimpleSigningFormat`). */
const SIMPLE_SIGNING_FORMAT = 'simple-signing';

/** One signature read from lookaside storage. */
export interface LookasideSignature {
  /** Its N in `signature-N`. */
  index: number;
  /** Where it was read: a file path, or the URL without credentials. */
  location: string;
  /** The OpenPGP signed message (any framing removed). */
  signature: Uint8Array;
}

export interface ReadLookasideOptions {
  /** Per HTTP request, body included (default {@link DEFAULT_LOOKASIDE_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Retries of transient HTTP failures (default: the registry client's policy). */
  retry?: RetryOptions;
  /** Abort the whole read. */
  signal?: AbortSignal;
}

/** The URL without userinfo, for messages. */
export function redactedUrl(url: URL): string {
  return withoutCredentials(url).href;
}

function parseBase(base: string): URL {
  try {
    return new URL(base);
  } catch (err) {
    throw new SignatureError(SignatureErrorCode.ConfigInvalid, `lookaside URL ${JSON.stringify(base)} is not an absolute URL`, { cause: err, ref: LOOKASIDE_SPEC });
  }
}

/**
 * The URL of the directory holding the signatures of `manifestDigest` in
 * repository `repositoryPath` under `base`: `BASE/REPO@ALGO=HEX`. The
 * repository path is appended to the base URL's path as containers/image
 * does (`base.Path + "/" + repo`).
 * @throws SignatureError InvalidArgument (a bad digest), ConfigInvalid (a base that is not a URL)
 */
export function lookasideDirectoryUrl(base: string, repositoryPath: string, manifestDigest: string): URL {
  let algorithm: string;
  let encoded: string;
  try {
    ({ algorithm, encoded } = parseDigest(manifestDigest));
  } catch (err) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `manifest digest ${JSON.stringify(manifestDigest)} is not a digest: ${(err as Error).message}`, { cause: err });
  }
  // Reference paths cannot hold "." or ".." components (the grammar), but a caller may pass anything.
  if (repositoryPath === '' || repositoryPath.split('/').some((c) => c === '' || c === '.' || c === '..')) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `repository path ${JSON.stringify(repositoryPath)} is not a repository name`);
  }
  const url = parseBase(base);
  // WHATWG URLs spell an empty path "/"; Go's url.URL keeps it empty, and `https://host` + "/repo" is "/repo", not "//repo".
  const basePath = url.pathname === '/' ? '' : url.pathname;
  url.pathname = `${basePath}/${repositoryPath}@${algorithm}=${encoded}`;
  return url;
}

/** The URL of `signature-N` (N from 1) in the directory {@link lookasideDirectoryUrl} names. */
export function lookasideSignatureUrl(base: string, repositoryPath: string, manifestDigest: string, index: number): URL {
  if (!Number.isSafeInteger(index) || index < 1) throw new SignatureError(SignatureErrorCode.InvalidArgument, `signature index must be an integer from 1, found ${index}`);
  const url = lookasideDirectoryUrl(base, repositoryPath, manifestDigest);
  url.pathname = `${url.pathname}/signature-${index}`;
  return url;
}

/**
 * What a stored blob holds, as containers/image `signature.FromBlob` reads
 * it: an OpenPGP message (its first byte a compressed-data, one-pass
 * signature or signature packet tag), or a zero byte, a format name and a
 * newline, then the data. Returns the OpenPGP bytes of a simple signature,
 * `undefined` for a signature of another known format (sigstore), and
 * throws for anything else.
 */
function simpleSignatureOf(blob: Uint8Array, where: string): Uint8Array | undefined {
  if (blob.length === 0) throw storageInvalid(`${where} is empty, not a signature`);
  const first = blob[0]!;
  if (OPENPGP_FIRST_BYTES.has(first)) return blob;
  if (first === 0x00) {
    const nl = blob.indexOf(0x0a, 1);
    if (nl === -1) throw storageInvalid(`${where} starts with a zero byte but has no format line`);
    const format = blob.subarray(1, nl);
    if (format.some((b) => b < 32 || b >= 0x7f)) throw storageInvalid(`${where} has a format name that is not printable ASCII`);
    const name = Buffer.from(format).toString('latin1');
    if (name === SIMPLE_SIGNING_FORMAT) return blob.subarray(nl + 1);
    if (name === 'sigstore-json') return undefined;
    throw storageInvalid(`${where} is a signature of unknown format ${JSON.stringify(name)}`);
  }
  throw storageInvalid(`${where} is not a signature: it starts with byte 0x${first.toString(16).padStart(2, '0')}`);
}

/** Old- and new-format OpenPGP packet tags that can start a signed message (containers/image `internal/signature/signature.go`). */
const OPENPGP_FIRST_BYTES = new Set([0xa0, 0xa1, 0xa2, 0xa3, 0xc8, 0x90, 0x91, 0x92, 0x3d, 0xc4, 0x88, 0x89, 0x8a, 0x8b, 0xc2]);

/** Whether `blob` is one containers/image would read as a simple signature (an OpenPGP message, raw or framed). */
export function isSimpleSignatureBlob(blob: Uint8Array): boolean {
  try {
    return simpleSignatureOf(blob, 'blob') !== undefined;
  } catch {
    return false;
  }
}

function storageInvalid(message: string, cause?: unknown): SignatureError {
  return new SignatureError(SignatureErrorCode.StorageInvalid, message, { ref: LOOKASIDE_SPEC, ...(cause !== undefined && { cause }) });
}

function unavailable(message: string, cause?: unknown): SignatureError {
  return new SignatureError(SignatureErrorCode.StorageUnavailable, message, { ref: LOOKASIDE_SPEC, ...(cause !== undefined && { cause }) });
}

/** `dir` resolved, and refused unless it lies within `base` resolved: a symlink on the way must not lead out of the storage. */
async function confined(baseDir: string, dir: string): Promise<string> {
  const [realBase, realDir] = await Promise.all([realpath(baseDir), realpath(dir)]);
  const rel = path.relative(realBase, realDir);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw storageInvalid(`${JSON.stringify(dir)} resolves to ${JSON.stringify(realDir)}, outside the lookaside directory ${JSON.stringify(realBase)}`);
  }
  return realDir;
}

function localPath(url: URL, what: string): string {
  try {
    return fileURLToPath(url);
  } catch (err) {
    throw new SignatureError(SignatureErrorCode.ConfigInvalid, `${what} ${JSON.stringify(redactedUrl(url))} is not a local file URL: ${(err as Error).message}`, { cause: err, ref: LOOKASIDE_SPEC });
  }
}

/**
 * Read every signature of `manifestDigest` in repository `repositoryPath`
 * from the lookaside storage at `base` (a `file://` or `http(s)://` URL), in
 * order, up to the first missing one. Signatures of another known format
 * (sigstore) are passed over. None is an empty list, not an error.
 * @throws SignatureError StorageInvalid (a blob that is not a signature, too large, not a regular file, a symlink,
 *   more than MAX_LOOKASIDE_SIGNATURES), StorageUnavailable (I/O or HTTP failure), ConfigInvalid (an unsupported URL)
 */
export async function readLookasideSignatures(base: string, repositoryPath: string, manifestDigest: string, options: ReadLookasideOptions = {}): Promise<LookasideSignature[]> {
  const dirUrl = lookasideDirectoryUrl(base, repositoryPath, manifestDigest);
  const read = await blobReader(base, dirUrl, options);
  const out: LookasideSignature[] = [];
  if (read === undefined) return out;
  for (let index = 1; ; index++) {
    // containers/image gives up before asking for signature-(MAX+1), having read MAX of them.
    if (index > MAX_LOOKASIDE_SIGNATURES) {
      throw storageInvalid(`${redactedUrl(dirUrl)} holds ${MAX_LOOKASIDE_SIGNATURES} signatures or more, which containers/image refuses as broken storage`);
    }
    options.signal?.throwIfAborted();
    const got = await read(index);
    if (got === undefined) break;
    const signature = simpleSignatureOf(got.blob, got.location);
    if (signature !== undefined) out.push({ index, location: got.location, signature });
  }
  return out;
}

type BlobReader = (index: number) => Promise<ReadBlob> | ReadBlob;
type ReadBlob = { blob: Uint8Array; location: string } | undefined;

/** A reader of `signature-N` under `dirUrl`; undefined when the storage holds nothing for the image. */
async function blobReader(base: string, dirUrl: URL, options: ReadLookasideOptions): Promise<BlobReader | undefined> {
  switch (dirUrl.protocol) {
    case 'file:': {
      const baseDir = localPath(parseBase(base), 'lookaside URL');
      const dir = localPath(dirUrl, 'lookaside URL');
      let realDir: string;
      try {
        realDir = await confined(baseDir, dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        if (err instanceof SignatureError) throw err;
        throw unavailable(`cannot read lookaside directory ${JSON.stringify(dir)}: ${(err as Error).message}`, err);
      }
      return (index) => {
        const file = path.join(realDir, `signature-${index}`);
        try {
          // No symlinks: nothing containers/image or ocikit writes is one, and one could point anywhere.
          return { blob: readRegularFile(file, MAX_LOOKASIDE_SIGNATURE_BYTES, { followSymlinks: false }), location: file };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          if (err instanceof FileError) throw storageInvalid(err.message, err);
          throw unavailable(`cannot read signature ${JSON.stringify(file)}: ${(err as Error).message}`, err);
        }
      };
    }
    case 'http:':
    case 'https:': {
      const policy = new RetryPolicy(options.retry);
      return async (index) => {
        const url = new URL(dirUrl.href);
        url.pathname = `${url.pathname}/signature-${index}`;
        const blob = await getSignature(url, policy, options);
        return blob === undefined ? undefined : { blob, location: redactedUrl(url) };
      };
    }
    default:
      throw new SignatureError(SignatureErrorCode.ConfigInvalid, `lookaside URL ${JSON.stringify(redactedUrl(dirUrl))} has unsupported scheme ${JSON.stringify(dirUrl.protocol.slice(0, -1))}: expected file, http or https`, {
        ref: LOOKASIDE_SPEC,
      });
  }
}

/** `user:password@` in a lookaside URL: Go's HTTP client sends it as Basic authorization; fetch refuses such a URL. */
function basicAuthorization(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

function withoutCredentials(url: URL): URL {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || (err.cause instanceof Error && err.cause.name === 'TimeoutError'));
}

/** GET one signature: its bytes, or undefined on 404. Retries transient failures under `policy`. */
async function getSignature(url: URL, policy: RetryPolicy, options: ReadLookasideOptions): Promise<Uint8Array | undefined> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOOKASIDE_TIMEOUT_MS;
  const where = `GET ${redactedUrl(url)}`;
  for (let attempt = 1; ; attempt++) {
    const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal !== undefined ? [options.signal] : [])];
    let failure: unknown;
    let retryAfter: string | undefined;
    try {
      const res = await fetch(withoutCredentials(url), { signal: AbortSignal.any(signals), redirect: 'follow', headers: basicAuthorization(url) });
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (res.status === 200) return await readBounded(res, where);
      await res.body?.cancel();
      failure = unavailable(`${where}: HTTP ${res.status}${res.statusText !== '' ? ` ${res.statusText}` : ''}; expected 200, or 404 after the last signature`);
      if (!policy.isRetriableStatus(res.status)) throw failure;
      retryAfter = res.headers.get('retry-after') ?? undefined;
    } catch (err) {
      if (err instanceof SignatureError) throw err;
      options.signal?.throwIfAborted();
      const cause = (err as { cause?: unknown }).cause ?? err;
      const reason = isTimeout(err) ? `no answer within ${timeoutMs} ms` : `${(cause as { code?: string }).code ?? 'network error'}: ${(cause as Error).message ?? String(cause)}`;
      failure = unavailable(`${where}: ${reason}`, err);
      if (!isTimeout(err) && !policy.isRetriableError(cause)) throw failure;
    }
    if (attempt >= policy.attempts) throw failure;
    await policy.sleep(policy.delayMs(attempt, retryAfter), options.signal);
  }
}

/** The body, at most MAX_LOOKASIDE_SIGNATURE_BYTES: Content-Length checked first, then the bytes as they arrive. */
async function readBounded(res: Response, where: string): Promise<Uint8Array> {
  const limit = MAX_LOOKASIDE_SIGNATURE_BYTES.value;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await res.body?.cancel();
    throw storageInvalid(`${where}: the signature is ${declared} bytes, more than MAX_LOOKASIDE_SIGNATURE_BYTES (${limit} bytes)`);
  }
  if (res.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw storageInvalid(`${where}: the signature is more than MAX_LOOKASIDE_SIGNATURE_BYTES (${limit} bytes)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Where a signature was written. */
export interface WrittenLookasideSignature {
  /** Its N in `signature-N`. */
  index: number;
  /** The file written. */
  location: string;
}

/**
 * Add `signature` (an OpenPGP signed message) to the signatures of
 * `manifestDigest` in repository `repositoryPath` under `base`, which must
 * be a `file://` URL: at the first free `signature-N`, never replacing one.
 * Directories are created (mode 0755) as needed; the file gets mode 0644,
 * as containers/image writes them.
 * @throws SignatureError InvalidArgument (not a simple signature), ConfigInvalid (not a file URL),
 *   StorageInvalid (a symlink out of the base, MAX_LOOKASIDE_SIGNATURES already there), StorageUnavailable (I/O)
 */
export async function writeLookasideSignature(base: string, repositoryPath: string, manifestDigest: string, signature: Uint8Array): Promise<WrittenLookasideSignature> {
  if (!isSimpleSignatureBlob(signature)) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, 'the signature to store is not an OpenPGP signed message (containers/image would not read it back)');
  }
  const dirUrl = lookasideDirectoryUrl(base, repositoryPath, manifestDigest);
  if (dirUrl.protocol !== 'file:') {
    const why =
      dirUrl.protocol === 'http:' || dirUrl.protocol === 'https:'
        ? 'http(s) lookaside storage is read-only; configure a file:// lookaside-staging URL to write to, then publish that directory'
        : 'expected a file:// URL';
    throw new SignatureError(SignatureErrorCode.ConfigInvalid, `cannot write signatures to ${JSON.stringify(redactedUrl(parseBase(base)))}: ${why}`, { ref: LOOKASIDE_SPEC });
  }
  const baseDir = localPath(parseBase(base), 'lookaside URL');
  const dir = localPath(dirUrl, 'lookaside URL');
  let realDir: string;
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    realDir = await confined(baseDir, dir);
  } catch (err) {
    if (err instanceof SignatureError) throw err;
    throw unavailable(`cannot create lookaside directory ${JSON.stringify(dir)}: ${(err as Error).message}`, err);
  }
  // signature-MAX would make containers/image refuse the whole list.
  for (let index = 1; index < MAX_LOOKASIDE_SIGNATURES; index++) {
    const file = path.join(realDir, `signature-${index}`);
    try {
      // Linked, not renamed, into place: the link fails on an existing name, so nothing is overwritten and no check races it.
      await writeFileAtomic(file, signature, 0o644, { replace: false });
      return { index, location: file };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw unavailable(`cannot write signature ${JSON.stringify(file)}: ${(err as Error).message}`, err);
    }
  }
  throw storageInvalid(`${JSON.stringify(dir)} already holds ${MAX_LOOKASIDE_SIGNATURES - 1} signatures, the most containers/image reads`);
}
