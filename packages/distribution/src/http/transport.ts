/**
 * The one HTTP primitive of the registry client: a request over keep-alive
 * agents with a bounded number of sockets, every request under an idle
 * timeout (connecting, waiting for headers and reading the body all count),
 * bodies streamed with backpressure. It knows nothing of registries: auth,
 * retries and error bodies live above it.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { networkError, timeoutError } from './failures.js';
import { socketGet } from './socket-get.js';
import { redactUrl } from './url.js';

export interface TransportOptions {
  /** false: accept any certificate (the caller decides about plain http). */
  tlsVerify: boolean;
  /** PEM bundles trusted besides the default store. */
  caFiles: readonly string[];
  /** Idle timeout of one request, in ms. */
  timeoutMs: number;
  userAgent: string;
  /** Sockets per host, per scheme. */
  maxSockets: number;
}

/** A body: bytes in memory (small: manifests, forms), or a stream of chunks whose length the caller declares. */
export type RequestBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** A GET of a large body (a blob): read straight from its own connection (socket-get.ts), not through the pool. */
  largeBody?: boolean;
  signal?: AbortSignal;
}

/** What callers use of a response body (node:http's, or a socket read straight, see socket-get.ts). */
export interface ResponseBody extends AsyncIterable<Buffer> {
  /** Every byte of the body has arrived. */
  readonly complete: boolean;
  /** The consumer has read to the end. */
  readonly readableEnded: boolean;
  /** Read on without keeping anything (the body is not wanted). */
  resume(): void;
  /** Stop: close the connection. */
  destroy(error?: Error): void;
}

export interface HttpResponse {
  status: number;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The body, streamed; consume it or call `discard`. */
  body: ResponseBody;
}

/** One header as a string (repeated headers joined by ", "). */
export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Read a small body whole, refusing more than `limit` bytes (a bounded read: nothing a server sends can grow memory). */
export async function readBody(res: HttpResponse, limit: number, what = 'response body'): Promise<Buffer> {
  const declared = Number(header(res, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new RegistryError(RegistryErrorCode.TooLarge, `${redactUrl(res.url)}: ${what} of ${declared} bytes is over the limit of ${limit}`, { url: redactUrl(res.url), status: res.status });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        res.body.destroy();
        throw new RegistryError(RegistryErrorCode.TooLarge, `${redactUrl(res.url)}: ${what} is over the limit of ${limit} bytes`, { url: redactUrl(res.url), status: res.status });
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw networkError(err, 'GET', res.url);
  }
  return Buffer.concat(chunks, size);
}

/** Drop a body we do not need, so the socket can go back to the pool (or be closed). */
export async function discard(res: HttpResponse, limit = 64 * 1024): Promise<void> {
  if (res.body.complete) {
    // Nothing left to read (a HEAD, a 204, a body already in): let it end, keep the socket.
    res.body.resume();
    return;
  }
  const declared = Number(header(res, 'content-length'));
  if (!Number.isFinite(declared) || declared > limit) {
    res.body.destroy();
    return;
  }
  try {
    for await (const _ of res.body) {
      // drain
    }
  } catch {
    // the body was not wanted anyway
  }
}

function defaultCAs(): string[] {
  // The default store (with NODE_EXTRA_CA_CERTS) where Node exposes it; the bundled roots otherwise.
  const get = (tls as unknown as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  return get ? get('default') : [...tls.rootCertificates];
}

export class HttpTransport {
  readonly #options: TransportOptions;
  readonly #http: http.Agent;
  #https: https.Agent | undefined;
  #tls: tls.ConnectionOptions | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#http = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets });
  }

  /** TLS trust and verification, or the error of a CA file that cannot be read. */
  #tlsOptions(): tls.ConnectionOptions | RegistryError {
    if (this.#tls) return this.#tls;
    const extra: string[] = [];
    for (const file of this.#options.caFiles) {
      try {
        extra.push(readFileSync(file, 'utf8'));
      } catch (err) {
        return new RegistryError(RegistryErrorCode.Tls, `cannot read CA file ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    this.#tls = { rejectUnauthorized: this.#options.tlsVerify, ...(extra.length > 0 ? { ca: [...defaultCAs(), ...extra] } : {}) };
    return this.#tls;
  }

  /** The https agent, or the error of a CA file that cannot be read. */
  #httpsAgent(): https.Agent | RegistryError {
    if (this.#https) return this.#https;
    const trust = this.#tlsOptions();
    if (trust instanceof RegistryError) return trust;
    this.#https = new https.Agent({ keepAlive: true, maxSockets: this.#options.maxSockets, maxFreeSockets: this.#options.maxSockets, ...trust });
    return this.#https;
  }

  /** Send one request; resolves when the response headers arrive. Socket failures reject typed (Network, Tls, Timeout). */
  send(request: HttpRequest): Promise<HttpResponse> {
    const { method, url, body, signal } = request;
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      return Promise.reject(new RegistryError(RegistryErrorCode.Protocol, `${method} ${redactUrl(url)}: only http and https URLs are followed`, { url: redactUrl(url) }));
    }
    const headers: Record<string, string> = { 'user-agent': this.#options.userAgent, ...request.headers };
    if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (request.largeBody && method === 'GET' && body === undefined) {
      const trust = secure ? this.#tlsOptions() : {};
      if (trust instanceof RegistryError) return Promise.reject(trust);
      return socketGet({ url, headers, tls: trust, timeoutMs: this.#options.timeoutMs, ...(signal ? { signal } : {}) }).then((res) => ({ ...res, url }));
    }
    const agent = secure ? this.#httpsAgent() : this.#http;
    if (agent instanceof RegistryError) return Promise.reject(agent);

    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let sourceFailure: unknown;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject((sourceFailure as Error | undefined) ?? (signal?.aborted ? (signal.reason as Error) : networkError(err, method, url)));
      };
      const onAbort = (): void => {
        req.destroy(signal?.reason as Error);
      };
      const req = (secure ? https : http).request(url, { method, headers, agent });
      req.setTimeout(this.#options.timeoutMs, () => {
        req.destroy(timeoutError(method, url, this.#options.timeoutMs, 'progress'));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', fail);
      req.on('response', (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        res.once('close', () => signal?.removeEventListener('abort', onAbort));
        resolve({ status: res.statusCode ?? 0, url, headers: res.headers, body: res });
      });
      if (body === undefined) req.end();
      else if (body instanceof Uint8Array) req.end(body);
      else {
        writeStream(req, body).catch((err: unknown) => {
          // The source failed (or refused its own bytes): that error, not a network one, is the outcome.
          sourceFailure = err;
          req.destroy(err as Error);
        });
      }
    });
  }

  /** Close idle sockets and refuse nothing: in-flight requests finish on their sockets. */
  close(): void {
    this.#http.destroy();
    this.#https?.destroy();
  }
}

async function writeStream(req: http.ClientRequest, body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of body) {
    if (req.destroyed) return;
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    }
  }
  if (!req.destroyed) req.end();
}
