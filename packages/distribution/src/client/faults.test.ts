/**
 * Retries, resumption and typed failures, with faults injected by the
 * testkit's proxy in front of a real docker-registry.
 */
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { describeWithPeers, rejection, type RunningProxy, type RunningRegistry, startFaultProxy, startRegistry } from '@ocikit/testkit';
import { RegistryErrorCode } from '../errors.js';
import { collect, EMPTY_CONFIG, manifestOf, testBlob } from '../test-support/content.js';
import { RegistryClient } from './registry-client.js';

describeWithPeers(['docker-registry'], 'faults between the client and the registry', () => {
  let registry: RunningRegistry;
  let proxy: RunningProxy;
  let direct: RegistryClient;
  let client: RegistryClient;
  const blob = testBlob(1024 * 1024);
  const m = manifestOf([blob.desc]);

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry);
    direct = new RegistryClient(registry.host, { tlsVerify: false });
    client = new RegistryClient(proxy.host, { tlsVerify: false, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 2_000 } });
    const repo = direct.repository('faults/a');
    await repo.pushBlob(blob.desc, blob.open);
    await repo.pushBlob(EMPTY_CONFIG.desc, EMPTY_CONFIG.open);
    await repo.putManifest('v1', m.bytes, m.mediaType);
    await client.ping();
  });
  afterEach(() => proxy.setFaults([]));
  afterAll(async () => {
    direct?.close();
    client?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  function since(start: number) {
    return proxy.requests.slice(start);
  }

  it('retries a 500 and succeeds', async () => {
    proxy.setFaults([{ method: 'GET', path: /\/manifests\/v1$/, action: { status: 500 } }]);
    const start = proxy.requests.length;
    await expect(client.repository('faults/a').getManifest('v1')).resolves.toMatchObject({ bytes: m.bytes });
    expect(since(start).map((r) => r.status)).toEqual([500, 200]);
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    proxy.setFaults([{ method: 'HEAD', path: /\/manifests\/v1$/, action: { status: 429, retryAfter: 1 } }]);
    const start = proxy.requests.length;
    await expect(client.repository('faults/a').resolve('v1')).resolves.toMatchObject({ size: m.bytes.length });
    expect(since(start).map((r) => r.status)).toEqual([429, 200]);
  });

  it('retries a connection reset before any response', async () => {
    proxy.setFaults([{ path: /^\/v2\/$/, action: { resetBeforeResponse: true } }]);
    const start = proxy.requests.length;
    await expect(client.ping()).resolves.toBeUndefined();
    expect(since(start).map((r) => r.fault ?? r.status)).toEqual(['reset', 200]);
  });

  it('resumes a blob download dropped mid-body with Range, and verifies the whole', async () => {
    proxy.setFaults([{ method: 'GET', path: /\/blobs\/sha256:/, action: { dropAfterBytes: 300_000 } }]);
    const start = proxy.requests.length;
    const got = await collect(client.repository('faults/a').fetchBlob(blob.desc));
    expect(got.equals(blob.bytes)).toBe(true);
    const gets = since(start).filter((r) => r.method === 'GET');
    expect(gets[0]).toMatchObject({ fault: 'drop', status: 200 });
    expect(gets[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/bytes=(\d+)-/.exec(gets[1]!.range!)![1])).toBeGreaterThan(0);
    expect(gets[1]!.status).toBe(206);
  });

  it('resumes on either read path: large blobs read from the socket, small ones through the pool', async () => {
    // 4 MiB dropped after 1 MiB: the first read and the resumed one (3 MiB left) are both large.
    const large = testBlob(4 * 1024 * 1024);
    const small = testBlob(200_000);
    const repo = direct.repository('faults/paths');
    await repo.pushBlob(large.desc, large.open);
    await repo.pushBlob(small.desc, small.open);
    for (const [b, dropAt] of [
      [large, 1024 * 1024],
      [small, 50_000],
    ] as const) {
      proxy.setFaults([{ method: 'GET', path: /\/blobs\/sha256:/, action: { dropAfterBytes: dropAt } }]);
      const start = proxy.requests.length;
      expect((await collect(client.repository('faults/paths').fetchBlob(b.desc))).equals(b.bytes)).toBe(true);
      const gets = since(start).filter((r) => r.method === 'GET');
      expect(gets.map((r) => r.fault ?? r.status)).toEqual(['drop', 206]);
      expect(Number(/bytes=(\d+)-/.exec(gets[1]!.range!)![1])).toBeGreaterThan(0);
    }
  });

  it('gives up after the bounded attempts with a typed error naming the URL', async () => {
    proxy.setFaults([{ method: 'GET', path: /\/manifests\/v1$/, times: 10, action: { status: 503 } }]);
    const start = proxy.requests.length;
    const err = await rejection(client.repository('faults/a').getManifest('v1'));
    expect(err).toMatchObject({ code: RegistryErrorCode.Server, status: 503 });
    expect(err.message).toContain(`http://${proxy.host}/v2/faults/a/manifests/v1`);
    expect(since(start)).toHaveLength(3);

    proxy.setFaults([{ method: 'GET', path: /\/manifests\/v1$/, times: 10, action: { status: 429, retryAfter: 0 } }]);
    expect(await rejection(client.repository('faults/a').getManifest('v1'))).toMatchObject({ code: RegistryErrorCode.TooManyRequests, status: 429 });

    proxy.setFaults([{ path: /^\/v2\/$/, times: 10, action: { resetBeforeResponse: true } }]);
    expect(await rejection(client.ping())).toMatchObject({ code: RegistryErrorCode.Network });
  });

  it('starts a monolithic upload over after its PUT fails', async () => {
    const b = testBlob(100_000);
    proxy.setFaults([{ method: 'PUT', path: /\/blobs\/uploads\//, action: { status: 503 } }]);
    await expect(client.repository('faults/up').pushBlob(b.desc, b.open)).resolves.toBe('uploaded');
    expect(b.opened).toEqual([0, 0]);
    expect(await collect(direct.repository('faults/up').fetchBlob(b.desc))).toEqual(b.bytes);
  });

  it('continues a chunked upload from the Range the upload URL reports after a failed PATCH', async () => {
    const b = testBlob(300_000, undefined, 25_000);
    const start = proxy.requests.length;
    let armed = false;
    const onProgress = (n: number): void => {
      // The first PATCH has been answered (chunks go one after another): the second or the third PATCH fails,
      // depending on whether the proxy saw the second's headers before this line ran.
      if (!armed && n > 100_000) {
        armed = true;
        proxy.setFaults([{ method: 'PATCH', path: /\/blobs\/uploads\//, action: { status: 500 } }]);
      }
    };
    await expect(client.repository('faults/chunks').pushBlob(b.desc, b.open, { chunkSize: 100_000, onProgress })).resolves.toBe('uploaded');
    expect(b.opened).toHaveLength(2);
    expect([100_000, 200_000]).toContain(b.opened[1]);
    const sent = since(start).map((r) => `${r.method} ${r.status ?? ''}`);
    expect(sent).toContain('PATCH 500');
    expect(sent).toContain('GET 204');
    expect(await collect(direct.repository('faults/chunks').fetchBlob(b.desc))).toEqual(b.bytes);
  });
});
