/**
 * Streaming a blob down (distribution-spec "Pulling blobs"): redirects to
 * storage followed (the Authorization header stays with the registry), every
 * byte hashed as it passes, and the digest and size checked before the last
 * chunk is handed over, so a consumer never sees the end of bad content as
 * good. A connection that drops mid-body is resumed with `Range: bytes=N-`
 * (206 expected); a registry that answers 200 instead sends the whole blob
 * again, whose first N bytes are skipped, not passed on twice.
 */
import { createVerifier, DigestError, DigestErrorCode, type Verifier } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/image-spec';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { isTransientNetworkFailure, networkError } from '../http/failures.js';
import { header } from '../http/transport.js';
import { redactUrl } from '../http/url.js';
import type { Repository } from './repository.js';

export interface FetchBlobOptions {
  /** Called with the count of verified-so-far bytes as they arrive. */
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
}

/** Digest-package failures as the client's own codes. */
export function asRegistryError(err: unknown, where: string): unknown {
  if (err instanceof DigestError) {
    const code =
      err.code === DigestErrorCode.SizeMismatch ? RegistryErrorCode.SizeMismatch : err.code === DigestErrorCode.Mismatch ? RegistryErrorCode.DigestMismatch : RegistryErrorCode.DigestInvalid;
    return new RegistryError(code, `${where}: ${err.message}`, { cause: err });
  }
  return err;
}

/** Blobs this large (what is left of them) are read on their own connection, straight from the socket (http/socket-get.ts). */
const LARGE_BODY_BYTES = 1 << 20;

export async function* fetchBlob(repo: Repository, desc: Descriptor, options: FetchBlobOptions = {}): AsyncGenerator<Buffer> {
  const target = repo.path('blobs', desc.digest);
  const where = `${repo.client.registry}/${repo.name}@${desc.digest}`;
  let verifier: Verifier;
  try {
    verifier = createVerifier({ digest: desc.digest, size: desc.size });
  } catch (err) {
    throw asRegistryError(err, where);
  }
  const policy = repo.client.retryPolicy;
  let received = 0;
  let pending: Buffer | undefined;
  for (let attempt = 1; ; attempt++) {
    const res = await repo.client.request({
      method: 'GET',
      target,
      headers: received > 0 ? { range: `bytes=${received}-` } : {},
      scopes: repo.pullScopes,
      expect: [200, 206],
      repository: repo.name,
      notFound: RegistryErrorCode.BlobUnknown,
      redirects: true,
      largeBody: desc.size - received >= LARGE_BODY_BYTES,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let skip = 0;
    if (res.status === 206) {
      const start = /^bytes\s+(\d+)-/.exec(header(res, 'content-range') ?? '')?.[1];
      if (start === undefined || Number(start) !== received) {
        res.body.destroy();
        throw new RegistryError(RegistryErrorCode.Protocol, `GET ${redactUrl(res.url)}: asked for bytes from ${received}, got Content-Range ${JSON.stringify(header(res, 'content-range') ?? '')}`, {
          url: redactUrl(res.url),
          status: 206,
        });
      }
    } else if (received > 0) {
      skip = received;
    }
    try {
      for await (const raw of res.body as AsyncIterable<Buffer>) {
        let chunk = raw;
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        verifier.update(chunk);
        received += chunk.length;
        options.onProgress?.(received);
        if (pending) yield pending;
        pending = chunk;
      }
    } catch (err) {
      res.body.destroy();
      if (err instanceof DigestError) throw asRegistryError(err, `GET ${redactUrl(res.url)}`);
      if (options.signal?.aborted) throw options.signal.reason;
      // Everything arrived before the connection broke: nothing to resume, the check below decides.
      if (received === desc.size) break;
      if (isTransientNetworkFailure(err) && attempt < policy.attempts) {
        await policy.sleep(policy.delayMs(attempt), options.signal);
        continue;
      }
      throw networkError(err, 'GET', res.url);
    }
    // A body that ended short without an error (a proxy closing early) is resumed the same way.
    if (received < desc.size && attempt < policy.attempts) {
      await policy.sleep(policy.delayMs(attempt), options.signal);
      continue;
    }
    break;
  }
  try {
    verifier.verify();
  } catch (err) {
    throw asRegistryError(err, where);
  }
  if (pending) yield pending;
}
