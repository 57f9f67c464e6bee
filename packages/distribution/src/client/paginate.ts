/**
 * Lists that come in pages (distribution-spec "Listing Tags", "Listing
 * Referrers", the `_catalog` extension): `n` asks for a page size, and each
 * page's `Link: <...>; rel="next"` names the next one, resolved against the
 * page's URL. Without the header, the list is complete.
 */
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { linkTarget } from '../http/link.js';
import { header, readBody } from '../http/transport.js';
import { redactUrl } from '../http/url.js';
import type { HttpResponse } from '../http/transport.js';
import type { RegistryRequest } from './requester.js';

/** A page of tags or repositories is small text; 16 MiB bounds a registry that ignores `n`. */
const PAGE_LIMIT = 16 * 1024 * 1024;
/** A guard against a registry whose Link points back: pages are never revisited. */
const MAX_PAGES = 100_000;

export async function* paginate<T>(
  send: (req: RegistryRequest) => Promise<HttpResponse>,
  first: URL,
  request: Omit<RegistryRequest, 'target' | 'method' | 'expect'>,
  read: (doc: unknown, url: URL) => T[],
): AsyncGenerator<T> {
  const seen = new Set<string>();
  let url: URL | undefined = first;
  while (url) {
    if (seen.has(url.href) || seen.size >= MAX_PAGES) {
      throw new RegistryError(RegistryErrorCode.Protocol, `GET ${redactUrl(url)}: the registry's pages loop`, { url: redactUrl(url) });
    }
    seen.add(url.href);
    const res = await send({ ...request, method: 'GET', target: url, expect: [200] });
    const next = linkTarget(header(res, 'link'), 'next', res.url);
    const raw = await readBody(res, PAGE_LIMIT, 'list');
    let doc: unknown;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RegistryError(RegistryErrorCode.Protocol, `GET ${redactUrl(res.url)}: the response is not JSON`, { url: redactUrl(res.url) });
    }
    yield* read(doc, res.url);
    url = next;
  }
}

/** The string array `field` of a JSON object (null is an empty list, as registries send for no tags). */
export function stringList(doc: unknown, field: string, url: URL): string[] {
  const v = (doc as Record<string, unknown> | null)?.[field];
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new RegistryError(RegistryErrorCode.Protocol, `GET ${redactUrl(url)}: "${field}" is not a list of strings`, { url: redactUrl(url) });
  }
  return v;
}
