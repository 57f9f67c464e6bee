import { describe, expect, it } from '@jest/globals';
import { RegistryErrorCode } from '../errors.js';
import { parseErrorBody, responseError } from './failures.js';
import { linkTarget } from './link.js';
import { parseRetryAfter, RetryPolicy } from './retry.js';
import { redactUrl, v2Path } from './url.js';

describe('linkTarget', () => {
  const base = new URL('http://r.example/v2/a/tags/list?n=2');
  it('resolves the next link against the page (distribution-spec "Listing Tags")', () => {
    expect(linkTarget('</v2/a/tags/list?n=2&last=b>; rel="next"', 'next', base)?.href).toBe('http://r.example/v2/a/tags/list?n=2&last=b');
  });
  it('finds next among several links and relation types', () => {
    expect(linkTarget('<https://x.example/p1>; rel="prev", <https://x.example/p3>; title="t"; rel="last next"', 'next', base)?.href).toBe('https://x.example/p3');
  });
  it('gives undefined without a next link', () => {
    expect(linkTarget(undefined, 'next', base)).toBeUndefined();
    expect(linkTarget('<https://x.example/p1>; rel="prev"', 'next', base)).toBeUndefined();
  });
});

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', Date.parse('Sun, 06 Nov 1994 08:49:30 GMT'))).toBe(7000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('caps Retry-After and keeps jittered delays within the exponential ceiling', () => {
    const policy = new RetryPolicy({ attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 });
    expect(policy.delayMs(1, '3600')).toBe(1000);
    expect(policy.delayMs(1, '0')).toBe(0);
    for (let attempt = 1; attempt <= 6; attempt++) {
      for (let i = 0; i < 50; i++) {
        const d = policy.delayMs(attempt);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.min(1000, 100 * 2 ** (attempt - 1)));
      }
    }
  });

  it('retries transient statuses only', () => {
    const policy = new RetryPolicy();
    expect([408, 429, 500, 502, 503, 504].every((s) => policy.isRetriableStatus(s))).toBe(true);
    expect([400, 401, 403, 404, 405, 416, 501].some((s) => policy.isRetriableStatus(s))).toBe(false);
    expect(policy.attempts).toBe(4);
  });
});

describe('URLs and error bodies', () => {
  it('never names userinfo', () => {
    expect(redactUrl('https://alice:secret@r.example/v2/')).toBe('https://r.example/v2/');
  });

  it('encodes path segments but keeps slashes of names and the colon of digests', () => {
    expect(v2Path('a/b c', 'blobs', 'sha256:00')).toBe('/v2/a/b%20c/blobs/sha256:00');
  });

  it("maps the registry's error body to our codes, the status deciding otherwise", () => {
    const url = new URL('http://r.example/v2/x/manifests/y');
    const body = Buffer.from(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'x' } }] }));
    expect(parseErrorBody(body)).toHaveLength(1);
    const err = responseError('GET', url, 404, body, RegistryErrorCode.ManifestUnknown);
    expect([err.code, err.status, err.message]).toEqual([RegistryErrorCode.NameUnknown, 404, 'GET http://r.example/v2/x/manifests/y: 404 NAME_UNKNOWN: repository name not known to registry']);
    expect(responseError('GET', url, 404, Buffer.from('not json'), RegistryErrorCode.ManifestUnknown).code).toBe(RegistryErrorCode.ManifestUnknown);
    expect(responseError('GET', url, 502, undefined).code).toBe(RegistryErrorCode.Server);
    expect(responseError('GET', url, 403, undefined).code).toBe(RegistryErrorCode.Denied);
    expect(responseError('PUT', url, 400, Buffer.from('{"errors":[{"code":"TAG_INVALID"}]}')).code).toBe(RegistryErrorCode.ManifestInvalid);
  });
});
