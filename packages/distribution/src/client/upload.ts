/**
 * Pushing a blob (distribution-spec "Pushing blobs", "Mounting a blob from
 * another repository"): nothing is sent when the repository has it; a mount
 * is tried from each candidate repository; else the content is streamed,
 * monolithically (POST, then one PUT ?digest=) or in chunks (PATCH with
 * Content-Range, following Location each time, closed by PUT ?digest=).
 * After a failure a chunked upload asks the upload URL how far it got (its
 * Range) and continues from there; a monolithic one starts over. Content is
 * never buffered: `open(offset)` streams it again from an offset.
 */
import { createVerifier, SizeMismatchError, type Verifier } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/image-spec';
import { repositoryScope } from '../auth/scope.js';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { isTransientNetworkFailure } from '../http/failures.js';
import { discard, header, type HttpResponse } from '../http/transport.js';
import { redactUrl } from '../http/url.js';
import { asRegistryError } from './download.js';
import type { Repository } from './repository.js';

export interface PushBlobOptions {
  /** Repositories of the same registry that may hold the blob: a mount is tried from each, in order. */
  mountFrom?: string[];
  /** Upload in chunks of this many bytes (PATCH); undefined: one monolithic PUT. */
  chunkSize?: number;
  /** Called with the count of bytes sent so far. */
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
  /**
   * `open` yields bytes already verified against `desc` by their reader
   * (which throws before its last chunk on a mismatch): the client does
   * not hash them again. The registry checks the digest either way.
   */
  sourceVerified?: boolean;
}

export type PushBlobResult = 'exists' | 'mounted' | 'uploaded';

const OCTET = 'application/octet-stream';

/** Failures an upload survives by asking again: the connection, the server's temporary trouble, a lost session. */
function isRecoverable(err: unknown): boolean {
  if (isTransientNetworkFailure(err)) return true;
  if (!(err instanceof RegistryError)) return false;
  return (
    err.code === RegistryErrorCode.Server ||
    err.code === RegistryErrorCode.TooManyRequests ||
    err.code === RegistryErrorCode.BlobUploadUnknown ||
    err.status === 416 ||
    err.status === 404 ||
    err.code === ReplayRefused
  );
}

/** A streamed body asked for twice (a re-challenge mid-upload): the upload recovers from the registry's offset instead. */
const ReplayRefused = RegistryErrorCode.Protocol;

export async function pushBlob(
  repo: Repository,
  desc: Descriptor,
  open: (offset: number) => AsyncIterable<Uint8Array>,
  options: PushBlobOptions = {},
): Promise<PushBlobResult> {
  const client = repo.client;
  const scopes = repo.pushScopes;
  const signal = options.signal ? { signal: options.signal } : {};
  const head = await client.request({ method: 'HEAD', target: repo.path('blobs', desc.digest), scopes, expect: [200, 404], repository: repo.name, redirects: true, ...signal });
  await discard(head);
  if (head.status === 200) return 'exists';

  let session: URL | undefined;
  /** OCI-Chunk-Min-Length from the POST that opened the session ("Pushing a blob in chunks"). */
  let minChunk = 0;
  for (const from of options.mountFrom ?? []) {
    if (from === repo.name) continue;
    const target = new URL(client.url(repo.path('uploads')));
    target.searchParams.set('mount', desc.digest);
    target.searchParams.set('from', from);
    const res = await client.request({
      method: 'POST',
      target,
      headers: { 'content-length': '0' },
      scopes: [...scopes, repositoryScope(from, 'pull')],
      expect: [201, 202],
      repository: repo.name,
      ...signal,
    });
    await discard(res);
    if (res.status === 201) return 'mounted';
    // 202: no mount, but an upload session; keep the newest, drop the one before.
    if (session) await cancel(repo, session);
    session = uploadLocation(res);
    minChunk = chunkMinLength(res);
  }

  const policy = client.retryPolicy;
  let offset = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      if (!session) ({ session, minChunk } = await startUpload(repo, signal));
      if (options.chunkSize === undefined) {
        await putWhole(repo, session, desc, open, options);
      } else {
        const where = { location: session };
        try {
          await putChunks(repo, where, desc, open, offset, { ...options, chunkSize: Math.max(options.chunkSize, minChunk) });
        } finally {
          // The newest upload URL: distribution's carries the upload's state, and an older one is refused.
          session = where.location;
        }
      }
      return 'uploaded';
    } catch (err) {
      if (!isRecoverable(err) || attempt >= policy.attempts || options.signal?.aborted) {
        if (session) await cancel(repo, session);
        throw asRegistryError(err, `${client.registry}/${repo.name}@${desc.digest}`);
      }
      await policy.sleep(policy.delayMs(attempt), options.signal);
      if (options.chunkSize === undefined || !session) {
        if (session) await cancel(repo, session);
        session = undefined;
        offset = 0;
        continue;
      }
      const status = await uploadStatus(repo, session).catch(() => undefined);
      if (status) {
        session = status.location;
        offset = status.offset;
      } else {
        session = undefined;
        offset = 0;
      }
    }
  }
}

/** The upload URL a response names (Location, absolute or relative to the request). */
function uploadLocation(res: HttpResponse): URL {
  const location = header(res, 'location');
  if (!location) throw new RegistryError(RegistryErrorCode.Protocol, `${redactUrl(res.url)}: ${res.status} without a Location for the upload`, { url: redactUrl(res.url) });
  return new URL(location, res.url);
}

/** `0-<end>` (or `bytes=0-<end>`): the bytes the registry holds; distribution writes 0-0 for an empty upload. */
function rangeEnd(res: HttpResponse): number | undefined {
  const m = /^(?:bytes=)?0-(\d+)$/.exec((header(res, 'range') ?? '').trim());
  return m ? Number(m[1]) : undefined;
}

function chunkMinLength(res: HttpResponse): number {
  const n = Number(header(res, 'oci-chunk-min-length'));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

async function startUpload(repo: Repository, signal: { signal?: AbortSignal }): Promise<{ session: URL; minChunk: number }> {
  const res = await repo.client.request({
    method: 'POST',
    target: repo.path('uploads'),
    headers: { 'content-length': '0' },
    scopes: repo.pushScopes,
    expect: [202],
    repository: repo.name,
    ...signal,
  });
  await discard(res);
  return { session: uploadLocation(res), minChunk: chunkMinLength(res) };
}

/** GET the upload URL: where it is now and how many bytes it holds. */
async function uploadStatus(repo: Repository, session: URL): Promise<{ location: URL; offset: number }> {
  const res = await repo.client.request({ method: 'GET', target: session, scopes: repo.pushScopes, expect: [204], repository: repo.name, notFound: RegistryErrorCode.BlobUploadUnknown });
  await discard(res);
  const end = rangeEnd(res);
  const location = header(res, 'location') ? new URL(header(res, 'location')!, res.url) : session;
  return { location, offset: end === undefined || end === 0 ? 0 : end + 1 };
}

async function cancel(repo: Repository, session: URL): Promise<void> {
  // distribution-spec: clients SHOULD cancel an upload they give up on. Best effort.
  try {
    const res = await repo.client.request({ method: 'DELETE', target: session, scopes: repo.pushScopes, expect: [202, 204, 404], retry: false });
    await discard(res);
  } catch {
    // the session expires on its own
  }
}

function withDigest(session: URL, digest: string): URL {
  const url = new URL(session);
  url.searchParams.append('digest', digest);
  return url;
}

/** The whole blob in one PUT, verified while it streams: a short, long or wrong body is cut off before it ends. */
async function putWhole(repo: Repository, session: URL, desc: Descriptor, open: (offset: number) => AsyncIterable<Uint8Array>, options: PushBlobOptions): Promise<void> {
  const res = await repo.client.request({
    method: 'PUT',
    target: withDigest(session, desc.digest),
    headers: { 'content-type': OCTET, 'content-length': String(desc.size) },
    body: () => verified(open(0), options.sourceVerified ? undefined : createVerifier({ digest: desc.digest, size: desc.size }), 0, options.onProgress),
    scopes: repo.pushScopes,
    expect: [201],
    repository: repo.name,
    retry: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await discard(res);
}

async function* verified(source: AsyncIterable<Uint8Array>, verifier: Verifier | undefined, start: number, onProgress?: (n: number) => void): AsyncGenerator<Uint8Array> {
  let sent = start;
  for await (const chunk of source) {
    verifier?.update(chunk);
    sent += chunk.byteLength;
    yield chunk;
    onProgress?.(sent);
  }
  verifier?.verify();
}

/** PATCH chunk after chunk from `offset`, then close with PUT ?digest=. */
async function putChunks(
  repo: Repository,
  state: { location: URL },
  desc: Descriptor,
  open: (offset: number) => AsyncIterable<Uint8Array>,
  startOffset: number,
  options: PushBlobOptions,
): Promise<void> {
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 0));
  // Bytes are checked here only when this try streams the blob from its start; after a resume the registry's digest check decides.
  const verifier = startOffset === 0 && !options.sourceVerified ? createVerifier({ digest: desc.digest, size: desc.size }) : undefined;
  const source: AsyncIterator<Uint8Array, unknown> = open(startOffset)[Symbol.asyncIterator]();
  const nextPiece = async (): Promise<Uint8Array | undefined> => {
    const r = await source.next();
    return r.done ? undefined : r.value;
  };
  let leftover: Uint8Array | undefined;
  let offset = startOffset;
  try {
    while (offset < desc.size) {
      const length = Math.min(chunkSize, desc.size - offset);
      let used = false;
      const chunkStart = offset;
      const take = async function* (): AsyncGenerator<Uint8Array> {
        if (used) throw new RegistryError(ReplayRefused, 'a chunk cannot be sent twice from a stream');
        used = true;
        let remaining = length;
        while (remaining > 0) {
          let piece = leftover ?? (await nextPiece());
          leftover = undefined;
          if (piece === undefined) throw new SizeMismatchError(desc.size, chunkStart + length - remaining);
          if (piece.byteLength > remaining) {
            leftover = piece.subarray(remaining);
            piece = piece.subarray(0, remaining);
          }
          remaining -= piece.byteLength;
          verifier?.update(piece);
          yield piece;
          options.onProgress?.(chunkStart + length - remaining);
        }
      };
      const res = await repo.client.request({
        method: 'PATCH',
        target: state.location,
        headers: { 'content-type': OCTET, 'content-length': String(length), 'content-range': `${offset}-${offset + length - 1}` },
        body: take,
        scopes: repo.pushScopes,
        expect: [202],
        repository: repo.name,
        notFound: RegistryErrorCode.BlobUploadUnknown,
        retry: false,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      await discard(res);
      if (header(res, 'location')) state.location = new URL(header(res, 'location')!, res.url);
      offset += length;
      const end = rangeEnd(res);
      if (end !== undefined && end + 1 !== offset) {
        throw new RegistryError(RegistryErrorCode.Protocol, `PATCH ${redactUrl(res.url)}: the registry holds ${end + 1} bytes, expected ${offset}`, { url: redactUrl(res.url), status: 416 });
      }
    }
    // The source must end where the descriptor says.
    const extra = leftover ?? (await nextPiece());
    if (extra !== undefined && extra.byteLength > 0) throw new SizeMismatchError(desc.size, desc.size + extra.byteLength, { atLeast: true });
    verifier?.verify();
  } finally {
    await source.return?.();
  }
  const res = await repo.client.request({
    method: 'PUT',
    target: withDigest(state.location, desc.digest),
    headers: { 'content-length': '0' },
    scopes: repo.pushScopes,
    expect: [201],
    repository: repo.name,
    notFound: RegistryErrorCode.BlobUploadUnknown,
    retry: false,
  });
  await discard(res);
}
