/**
 * One registry request, done right: the registry's base URL (https, or
 * plain http after a TLS-level failure when verification is off, remembered),
 * the Authorization header for the request's scopes (one re-challenge on a
 * 401), redirects followed without the header when they leave the
 * registry's origin, and bounded retries of transient failures. Every
 * response a caller did not expect becomes a typed RegistryError.
 */
import type { Authorizer } from '../auth/authorizer.js';
import { parseChallenges } from '../auth/challenge.js';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { isTlsFailure, responseError } from '../http/failures.js';
import type { RetryPolicy } from '../http/retry.js';
import { discard, header, readBody, type HttpResponse, type HttpTransport } from '../http/transport.js';
import { redactUrl, registryEndpointHost, sameOrigin } from '../http/url.js';

const MAX_REDIRECTS = 5;

export interface RegistryRequest {
  method: string;
  /** A path on the registry (`/v2/...`) or an absolute URL the registry gave (Location, Link). */
  target: string | URL;
  headers?: Record<string, string>;
  /** Bytes, or a function that opens the body again for each try (a stream cannot be replayed). */
  body?: Uint8Array | (() => AsyncIterable<Uint8Array>);
  /** Token scopes the request needs. */
  scopes: readonly string[];
  /** Statuses handed back to the caller; any other is an error (after retries). */
  expect: readonly number[];
  /** The repository, for messages. */
  repository?: string;
  /** The code of a 404 whose body names none (default NAME_UNKNOWN). */
  notFound?: RegistryErrorCode;
  /** Follow redirects (GET and HEAD of content). */
  redirects?: boolean;
  /** A GET of a large body (a blob): read on its own connection, straight from the socket. */
  largeBody?: boolean;
  /** Retry transient failures (default true). Streamed uploads retry at their own level. */
  retry?: boolean;
  signal?: AbortSignal;
}

export interface RequesterOptions {
  registry: string;
  tlsVerify: boolean;
  transport: HttpTransport;
  authorizer: Authorizer;
  retry: RetryPolicy;
}

export class Requester {
  readonly #o: RequesterOptions;
  /** The registry's origin; its scheme is settled by the first answer when TLS verification is off. */
  #base: URL;
  #schemeSettled: boolean;

  constructor(options: RequesterOptions) {
    this.#o = options;
    this.#base = new URL(`https://${registryEndpointHost(options.registry)}/`);
    this.#schemeSettled = options.tlsVerify;
  }

  get base(): URL {
    return this.#base;
  }

  get retry(): RetryPolicy {
    return this.#o.retry;
  }

  /** Resolve a registry path or absolute URL. */
  url(target: string | URL): URL {
    return new URL(target, this.#base);
  }

  async send(req: RegistryRequest): Promise<HttpResponse> {
    const policy = this.#o.retry;
    const canRetry = req.retry ?? true;
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.#once(req);
      } catch (err) {
        if (canRetry && attempt < policy.attempts && policy.isRetriableError(err) && !req.signal?.aborted) {
          await policy.sleep(policy.delayMs(attempt), req.signal);
          continue;
        }
        throw err;
      }
      if (req.expect.includes(res.status)) return res;
      if (canRetry && attempt < policy.attempts && policy.isRetriableStatus(res.status)) {
        const wait = policy.delayMs(attempt, header(res, 'retry-after'));
        await discard(res);
        await policy.sleep(wait, req.signal);
        continue;
      }
      throw await this.errorFor(req, res);
    }
  }

  /** The typed error for a response nobody expected. */
  async errorFor(req: Pick<RegistryRequest, 'method' | 'repository' | 'notFound'>, res: HttpResponse): Promise<RegistryError> {
    if (res.status === 401) {
      await discard(res);
      const challenge = parseChallenges(header(res, 'www-authenticate')).find((c) => c.scheme === 'bearer');
      if (challenge?.params['error'] === 'insufficient_scope' && (await this.#o.authorizer.credentials())) {
        // token.md: the credentials were accepted, the access asked for was not granted.
        return new RegistryError(RegistryErrorCode.Denied, `registry ${this.#o.registry} did not grant ${challenge.params['scope'] ?? 'the access needed'} to these credentials`, {
          status: 401,
          url: redactUrl(res.url),
        });
      }
      return this.#unauthorized(req, res.url);
    }
    const body = res.body.readableEnded ? undefined : await readBody(res, 64 * 1024).catch(() => undefined);
    return responseError(req.method, res.url, res.status, body, req.notFound);
  }

  async #unauthorized(req: Pick<RegistryRequest, 'repository'>, url: URL, cause?: unknown): Promise<RegistryError> {
    const creds = await this.#o.authorizer.credentials();
    const what = req.repository !== undefined ? `repository ${req.repository}` : 'the registry';
    return new RegistryError(
      RegistryErrorCode.Unauthorized,
      creds
        ? `registry ${this.#o.registry} refused the credentials for ${what}`
        : `registry ${this.#o.registry} requires authentication for ${what}, and no credentials were found (log in first)`,
      { status: 401, url: redactUrl(url), ...(cause ? { cause } : {}) },
    );
  }

  /** Token-service refusals read like the registry's own (the realm is in the cause). */
  async #authorize<T>(req: RegistryRequest, url: URL, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof RegistryError && err.code === RegistryErrorCode.Unauthorized) throw await this.#unauthorized(req, url, err);
      throw err;
    }
  }

  async #once(req: RegistryRequest): Promise<HttpResponse> {
    let url = this.url(req.target);
    const registryOrigin = (u: URL): boolean => sameOrigin(u, this.#base) || (!this.#schemeSettled && u.host === this.#base.host);
    let auth = registryOrigin(url) ? await this.#authorize(req, url, () => this.#o.authorizer.header(req.scopes)) : undefined;
    let challenged = false;
    for (let hop = 0; ; ) {
      const headers: Record<string, string> = { ...req.headers };
      const toRegistry = registryOrigin(url);
      if (auth && toRegistry) headers['authorization'] = auth;
      const body = typeof req.body === 'function' ? req.body() : req.body;
      let res: HttpResponse;
      try {
        res = await this.#o.transport.send({
          method: req.method,
          url,
          headers,
          ...(body ? { body } : {}),
          ...(req.largeBody ? { largeBody: true } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        });
      } catch (err) {
        // tlsVerify=false: a registry that does not speak TLS is spoken to in plain http (as skopeo's --tls-verify=false), and remembered.
        // Parallel first requests all fail so: those after the first follow the http it settled on.
        if (url.host === this.#base.host && url.protocol === 'https:' && isTlsFailure((err as { cause?: unknown }).cause ?? err)) {
          if (!this.#schemeSettled) {
            this.#base = new URL(`http://${this.#base.host}/`);
            this.#schemeSettled = true;
          }
          if (this.#base.protocol === 'http:') {
            url = new URL(url.pathname + url.search, this.#base);
            continue;
          }
        }
        throw err;
      }
      if (toRegistry && !this.#schemeSettled && sameOrigin(url, this.#base)) this.#schemeSettled = true;
      if (res.status === 401 && toRegistry && !challenged) {
        challenged = true;
        const next = await this.#authorize(req, url, () => this.#o.authorizer.respond(header(res, 'www-authenticate'), req.scopes));
        if (next !== undefined && next !== auth) {
          await discard(res);
          auth = next;
          continue;
        }
        return res;
      }
      const location = header(res, 'location');
      if (req.redirects && [301, 302, 303, 307, 308].includes(res.status) && location) {
        if (++hop > MAX_REDIRECTS) {
          await discard(res);
          throw new RegistryError(RegistryErrorCode.Protocol, `${req.method} ${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects`, { url: redactUrl(url) });
        }
        await discard(res);
        // Storage redirects (distribution-spec "Pulling blobs": 307) get no Authorization unless they stay on the registry.
        url = new URL(location, url);
        continue;
      }
      return res;
    }
  }
}
