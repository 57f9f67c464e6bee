/**
 * A client of one registry (distribution-spec v1.1): its transport, auth and
 * retry policy, shared by every repository it hands out.
 */
import type { CredentialResolver, Credentials } from '../credentials/credentials.js';
import { Authorizer } from '../auth/authorizer.js';
import { CATALOG_SCOPE } from '../auth/scope.js';
import { RegistryErrorCode } from '../errors.js';
import { RetryPolicy, type RetryOptions } from '../http/retry.js';
import { discard, HttpTransport } from '../http/transport.js';
import { paginate, stringList } from './paginate.js';
import { Repository } from './repository.js';
import { Requester, type RegistryRequest } from './requester.js';
import type { HttpResponse } from '../http/transport.js';

export interface RegistryClientOptions {
  /**
   * Default true. false: accept any certificate and allow plain http (https
   * first, http after a TLS-level failure, remembered), as skopeo's
   * --tls-verify=false.
   */
  tlsVerify?: boolean;
  /** Extra trusted CA bundles (PEM paths), besides the default store. */
  caFiles?: string[];
  /** Default anonymous. A resolver is asked once, for this registry. */
  credentials?: Credentials | CredentialResolver;
  /** Bounded, exponential backoff with full jitter; Retry-After honoured up to maxDelayMs. */
  retry?: RetryOptions;
  /** Per request: no progress (connecting, headers, body) for this long fails it. Default 60 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** Sockets per host (default 8): parallel transfers come from callers. */
  maxSockets?: number;
}

export const DEFAULT_USER_AGENT = 'ocikit-distribution';

export class RegistryClient {
  readonly registry: string;
  readonly #requester: Requester;
  readonly #transport: HttpTransport;

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry;
    const tlsVerify = options.tlsVerify ?? true;
    const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#transport = new HttpTransport({
      tlsVerify,
      caFiles: options.caFiles ?? [],
      timeoutMs: options.timeoutMs ?? 60_000,
      userAgent,
      maxSockets: options.maxSockets ?? 8,
    });
    const authorizer = new Authorizer({
      registry,
      credentials: options.credentials,
      transport: this.#transport,
      clientId: userAgent,
      allowHttpRealm: !tlsVerify,
    });
    this.#requester = new Requester({ registry, tlsVerify, transport: this.#transport, authorizer, retry: new RetryPolicy(options.retry) });
  }

  /** GET /v2/ with auth: resolves when the registry speaks the API and accepts us. */
  async ping(): Promise<void> {
    const res = await this.#requester.send({ method: 'GET', target: '/v2/', scopes: [], expect: [200], notFound: RegistryErrorCode.Unsupported });
    await discard(res);
  }

  /** Repository names (the `_catalog` extension, which registries MAY offer), page by page. */
  catalog(options: { pageSize?: number } = {}): AsyncIterable<string> {
    const first = this.#requester.url('/v2/_catalog');
    if (options.pageSize !== undefined) first.searchParams.set('n', String(options.pageSize));
    return paginate((r) => this.#requester.send(r), first, { scopes: [CATALOG_SCOPE], notFound: RegistryErrorCode.Unsupported }, (doc, url) => stringList(doc, 'repositories', url));
  }

  repository(name: string): Repository {
    return new Repository(this, name);
  }

  /**
   * Send a request to this registry with its auth, retries and redirects;
   * statuses outside `expect` reject typed. The response body must be read
   * or discarded. The building block of `Repository`.
   */
  request(req: RegistryRequest): Promise<HttpResponse> {
    return this.#requester.send(req);
  }

  /** The typed error for a response the caller did not expect (its body is consumed). */
  errorFor(req: Pick<RegistryRequest, 'method' | 'repository' | 'notFound'>, res: HttpResponse): Promise<Error> {
    return this.#requester.errorFor(req, res);
  }

  /** The retry policy, for operations that retry at their own level (uploads, resumed downloads). */
  get retryPolicy(): RetryPolicy {
    return this.#requester.retry;
  }

  /** Resolve a path or URL against the registry's base. */
  url(target: string | URL): URL {
    return this.#requester.url(target);
  }

  /** Close idle keep-alive sockets. */
  close(): void {
    this.#transport.close();
  }
}
