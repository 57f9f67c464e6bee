import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { describeWithPeers } from '../suites.js';
import { startFaultProxy, type RunningProxy } from './fault-proxy.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { pushBlob, rawRequest, sha256 } from './test-support/http.js';

describeWithPeers(['docker-registry'], 'startFaultProxy', () => {
  let registry: RunningRegistry;
  let proxy: RunningProxy;
  let blob: Buffer;
  let digest: string;
  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry);
    blob = randomBytes(6 * 1024 * 1024 + 123);
    ({ digest } = await pushBlob(registry.url, 'tests/proxy', blob));
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  afterEach(() => {
    proxy.setFaults([]);
    proxy.requests.length = 0;
  });

  const blobUrl = () => `${proxy.url}/v2/tests/proxy/blobs/${digest}`;

  it('passes a multi-MiB push and pull through byte for byte, keeping uploads on the proxy', async () => {
    expect(proxy.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const data = randomBytes(5 * 1024 * 1024 + 7);
    const pushed = await pushBlob(proxy.url, 'tests/through', data);
    expect(pushed).toMatchObject({ postStatus: 202, putStatus: 201 });
    // The registry's absolute Location was rewritten to the proxy, so the PUT came through it.
    expect(pushed.location!.startsWith(`${proxy.url}/v2/tests/through/blobs/uploads/`)).toBe(true);
    expect(proxy.requests.map((r) => [r.method, r.status])).toEqual([
      ['POST', 202],
      ['PUT', 201],
    ]);
    const res = await fetch(`${proxy.url}/v2/tests/through/blobs/${pushed.digest}`);
    expect(res.status).toBe(200);
    const back = Buffer.from(await res.arrayBuffer());
    expect(back.length).toBe(data.length);
    expect(sha256(back)).toBe(pushed.digest);
  });

  it('carries a chunked upload (POST, PATCH, PATCH, PUT) through', async () => {
    const data = randomBytes(300_000);
    const start = await fetch(`${proxy.url}/v2/tests/chunked/blobs/uploads/`, { method: 'POST' });
    let location = start.headers.get('location')!;
    for (const [from, to] of [[0, 100_000], [100_000, 300_000]] as const) {
      expect(location.startsWith(proxy.url)).toBe(true);
      const patch = await fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-range': `${from}-${to - 1}` }, body: data.subarray(from, to) });
      expect(patch.status).toBe(202);
      location = patch.headers.get('location')!;
    }
    const put = await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${sha256(data)}`, { method: 'PUT' });
    expect(put.status).toBe(201);
    expect(proxy.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PUT']);
  });

  it('answers a status with Retry-After instead of forwarding, for the first `times` matching requests', async () => {
    proxy.setFaults([{ method: 'GET', path: /\/blobs\/sha256:/, times: 2, action: { status: 503, retryAfter: 2 } }]);
    const first = await fetch(blobUrl());
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(((await first.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('UNAVAILABLE');
    expect((await fetch(blobUrl())).status).toBe(503);
    const third = await fetch(blobUrl());
    expect(third.status).toBe(200);
    expect(Buffer.from(await third.arrayBuffer()).equals(blob)).toBe(true);
    expect(proxy.requests.map((r) => [r.status, r.fault])).toEqual([
      [503, 'status'],
      [503, 'status'],
      [200, undefined],
    ]);
  });

  it('keeps client connections alive across forwarded and faked answers', async () => {
    const front = await startFaultProxy(registry, [{ method: 'GET', path: /\/v2\/$/, action: { status: 502 } }]);
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = () =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest(`${front.url}/v2/`, { agent }, (res) => {
            res.resume();
            res.once('end', () => resolve(res.statusCode ?? 0));
          });
          req.once('error', reject);
          req.end();
        });
      expect([await get(), await get(), await get()]).toEqual([502, 200, 200]);
      expect(front.connections).toBe(1);
    } finally {
      agent.destroy();
      await front.stop();
    }
  });

  it('answers 429 to an upload start, and matches only the named method', async () => {
    proxy.setFaults([{ method: 'POST', path: /\/blobs\/uploads\/$/, action: { status: 429 } }]);
    expect((await fetch(blobUrl(), { method: 'HEAD' })).status).toBe(200);
    const refused = await pushBlob(proxy.url, 'tests/limited', randomBytes(10));
    expect(refused.postStatus).toBe(429);
    const again = await pushBlob(proxy.url, 'tests/limited', randomBytes(10));
    expect(again.putStatus).toBe(201);
  });

  it('discards the body of a refused PUT and keeps serving', async () => {
    proxy.setFaults([{ method: 'PUT', path: /digest=/, action: { status: 500 } }]);
    const refused = await pushBlob(proxy.url, 'tests/put500', randomBytes(2 * 1024 * 1024));
    expect(refused.putStatus).toBe(500);
    expect((await fetch(blobUrl(), { method: 'HEAD' })).status).toBe(200);
  });

  it('cuts a download after N body bytes, and a ranged retry gets the rest', async () => {
    proxy.setFaults([{ path: /\/blobs\/sha256:/, action: { dropAfterBytes: 1_000_000 } }]);
    const cut = await rawRequest(blobUrl());
    expect(cut.status).toBe(200);
    expect(cut.headers!['content-length']).toBe(String(blob.length));
    expect(cut.complete).toBe(false);
    expect(cut.body.length).toBe(1_000_000);
    expect(cut.body.equals(blob.subarray(0, 1_000_000))).toBe(true);

    const rest = await rawRequest(blobUrl(), { headers: { range: `bytes=${cut.body.length}-` } });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([cut.body, rest.body]).equals(blob)).toBe(true);
    expect(proxy.requests.map((r) => [r.status, r.fault, r.range])).toEqual([
      [200, 'drop', undefined],
      [206, undefined, 'bytes=1000000-'],
    ]);
  });

  it('cuts right after the headers with dropAfterBytes 0', async () => {
    proxy.setFaults([{ path: /\/blobs\/sha256:/, action: { dropAfterBytes: 0 } }]);
    const cut = await rawRequest(blobUrl());
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.body.length).toBe(0);
  });

  it('resets the connection before any response', async () => {
    proxy.setFaults([{ path: /\/v2\/$/, action: { resetBeforeResponse: true } }]);
    const reset = await rawRequest(`${proxy.url}/v2/`);
    expect(reset.status).toBeUndefined();
    expect(reset.error).toBe('ECONNRESET');
    const next = await rawRequest(`${proxy.url}/v2/`);
    expect(next.status).toBe(200);
    expect(proxy.requests.map((r) => [r.path, r.status, r.fault])).toEqual([
      ['/v2/', undefined, 'reset'],
      ['/v2/', 200, undefined],
    ]);
  });

  it('answers 502 when the upstream is gone', async () => {
    const lonely = await startRegistry();
    const front = await startFaultProxy(lonely.url);
    await lonely.stop();
    try {
      const res = await fetch(`${front.url}/v2/`);
      expect(res.status).toBe(502);
      expect(front.requests).toEqual([{ method: 'GET', path: '/v2/', status: 502 }]);
    } finally {
      await front.stop();
    }
  });
});

describeWithPeers(['docker-registry', 'openssl'], 'startFaultProxy in front of a TLS registry', () => {
  it('speaks https upstream with the registry CA and rewrites https Locations to itself', async () => {
    const registry = await startRegistry({ tls: true });
    const proxy = await startFaultProxy(registry);
    try {
      const data = randomBytes(100_000);
      const pushed = await pushBlob(proxy.url, 'tests/tls', data);
      expect(pushed).toMatchObject({ postStatus: 202, putStatus: 201 });
      expect(pushed.location!.startsWith(`${proxy.url}/`)).toBe(true);
      const back = await fetch(`${proxy.url}/v2/tests/tls/blobs/${pushed.digest}`);
      expect(Buffer.from(await back.arrayBuffer()).equals(data)).toBe(true);
    } finally {
      await proxy.stop();
      await registry.stop();
    }
  });
});
