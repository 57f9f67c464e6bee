/**
 * The client against a real docker-registry (v2.8) on loopback, plain http
 * (tlsVerify: false lets the client fall back from https, as skopeo does).
 */
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MediaType } from '@ocikit/image-spec';
import { describeWithPeers, rejection, type RunningProxy, type RunningRegistry, startFaultProxy, startRegistry } from '@ocikit/testkit';
import { RegistryErrorCode, isRegistryError } from '../errors.js';
import { referrersTag } from '../referrers.js';
import { collect, corruptStoredBlob, EMPTY_CONFIG, manifestOf, sha256, testBlob, toArray } from '../test-support/content.js';
import { RegistryClient } from './registry-client.js';

describeWithPeers(['docker-registry'], 'RegistryClient against docker-registry', () => {
  let registry: RunningRegistry;
  let proxy: RunningProxy;
  let client: RegistryClient;
  let watched: RegistryClient;

  beforeAll(async () => {
    registry = await startRegistry();
    // A proxy without faults: its request log shows what the client sent.
    proxy = await startFaultProxy(registry);
    client = new RegistryClient(registry.host, { tlsVerify: false });
    watched = new RegistryClient(proxy.host, { tlsVerify: false });
  });
  afterAll(async () => {
    client?.close();
    watched?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  it('pings the registry over plain http after the https attempt fails', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('sends parallel first requests over plain http too, not only the one that found https failing', async () => {
    const fresh = new RegistryClient(registry.host, { tlsVerify: false });
    try {
      const digests = [1, 2, 3, 4].map((n) => `sha256:${String(n).repeat(64)}`);
      await expect(Promise.all(digests.map((d) => fresh.repository('parallel/a').statBlob(d)))).resolves.toEqual([undefined, undefined, undefined, undefined]);
    } finally {
      fresh.close();
    }
  });

  it('pushes a blob monolithically (POST, one PUT), then finds it exists and sends nothing', async () => {
    const blob = testBlob(200_000);
    const repo = watched.repository('mono/a');
    const before = proxy.requests.length;
    const progress: number[] = [];
    await expect(repo.pushBlob(blob.desc, blob.open, { onProgress: (n) => progress.push(n) })).resolves.toBe('uploaded');
    const sent = proxy.requests.slice(before).map((r) => r.method);
    expect(sent.filter((m) => m === 'PATCH')).toEqual([]);
    expect(sent.filter((m) => m === 'PUT')).toHaveLength(1);
    expect(progress.at(-1)).toBe(blob.desc.size);
    expect(await collect(repo.fetchBlob(blob.desc))).toEqual(blob.bytes);
    const again = proxy.requests.length;
    await expect(repo.pushBlob(blob.desc, blob.open)).resolves.toBe('exists');
    expect(proxy.requests.slice(again).map((r) => r.method)).toEqual(['HEAD']);
    await expect(repo.statBlob(blob.desc.digest)).resolves.toEqual({ size: blob.desc.size });
  });

  it('pushes a blob in chunks (PATCH with Content-Range, following Location) and pulls it back verified', async () => {
    const blob = testBlob(250_001, MediaType.ImageLayerGzip, 30_000);
    const repo = watched.repository('chunked/a');
    const before = proxy.requests.length;
    await expect(repo.pushBlob(blob.desc, blob.open, { chunkSize: 100_000 })).resolves.toBe('uploaded');
    const patches = proxy.requests.slice(before).filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(3);
    expect(patches.every((r) => r.status === 202)).toBe(true);
    const progress: number[] = [];
    expect(await collect(repo.fetchBlob(blob.desc, { onProgress: (n) => progress.push(n) }))).toEqual(blob.bytes);
    expect(progress.at(-1)).toBe(blob.desc.size);
  });

  it('mounts a blob across repositories without uploading it', async () => {
    const blob = testBlob(50_000);
    await client.repository('mount/source').pushBlob(blob.desc, blob.open);
    const before = proxy.requests.length;
    const opened = blob.opened.length;
    await expect(watched.repository('mount/target').pushBlob(blob.desc, blob.open, { mountFrom: ['mount/elsewhere', 'mount/source'] })).resolves.toBe('mounted');
    const sent = proxy.requests.slice(before);
    expect(sent.some((r) => r.method === 'POST' && r.path.includes('from=mount%2Fsource') && r.status === 201)).toBe(true);
    expect(sent.filter((r) => r.method === 'PUT' || r.method === 'PATCH')).toEqual([]);
    expect(blob.opened.length).toBe(opened);
    expect(await collect(client.repository('mount/target').fetchBlob(blob.desc))).toEqual(blob.bytes);
  });

  it('refuses content whose size disagrees with the descriptor, on push and on pull', async () => {
    const blob = testBlob(10_000);
    const repo = client.repository('sizes/a');
    const short = { ...blob.desc, size: blob.desc.size + 5 };
    expect(await rejection(repo.pushBlob(short, blob.open))).toMatchObject({ code: RegistryErrorCode.SizeMismatch });
    await repo.pushBlob(blob.desc, blob.open);
    const err = await rejection(collect(repo.fetchBlob({ ...blob.desc, size: blob.desc.size - 1 })));
    expect(err).toMatchObject({ code: RegistryErrorCode.SizeMismatch });
  });

  it('pushes, resolves, gets and deletes manifests by tag and by digest', async () => {
    const repo = client.repository('manifests/a');
    const layer = testBlob(4096);
    await repo.pushBlob(layer.desc, layer.open);
    await repo.pushBlob(EMPTY_CONFIG.desc, EMPTY_CONFIG.open);
    const m = manifestOf([layer.desc]);
    const desc = await repo.putManifest('v1', m.bytes, m.mediaType);
    expect(desc).toEqual({ mediaType: MediaType.ImageManifest, digest: sha256(m.bytes), size: m.bytes.length });
    await expect(repo.resolve('v1')).resolves.toEqual(desc);
    await expect(repo.resolve(desc.digest)).resolves.toEqual(desc);
    const byTag = await repo.getManifest('v1');
    expect(byTag.bytes).toEqual(m.bytes);
    expect(byTag.descriptor).toEqual(desc);
    await expect(repo.getManifest(desc.digest)).resolves.toMatchObject({ descriptor: desc });

    const m2 = manifestOf([layer.desc], { annotations: { 'org.example.n': '2' } });
    const d2 = await repo.putManifest(sha256(m2.bytes), m2.bytes, m2.mediaType);
    await expect(repo.resolve(d2.digest)).resolves.toEqual(d2);
    await repo.deleteManifest(d2.digest);
    expect(await rejection(repo.getManifest(d2.digest))).toMatchObject({ code: RegistryErrorCode.ManifestUnknown, status: 404 });
    expect(await rejection(repo.resolve('no-such-tag'))).toMatchObject({ code: RegistryErrorCode.ManifestUnknown });
  });

  it('refuses to push a manifest under a digest that is not its own', async () => {
    const m = manifestOf([]);
    const err = await rejection(client.repository('manifests/b').putManifest(sha256(Buffer.from('other')), m.bytes, m.mediaType));
    expect(err).toMatchObject({ code: RegistryErrorCode.DigestMismatch });
  });

  it('refuses a manifest and a blob whose stored bytes no longer match their digest', async () => {
    const repo = client.repository('corrupt/a');
    const layer = testBlob(2048);
    await repo.pushBlob(layer.desc, layer.open);
    await repo.pushBlob(EMPTY_CONFIG.desc, EMPTY_CONFIG.open);
    const m = manifestOf([layer.desc], { annotations: { 'org.example.corrupt': 'yes' } });
    const desc = await repo.putManifest('bad', m.bytes, m.mediaType);
    await corruptStoredBlob(registry.storage, desc.digest, (data) => data.indexOf('"yes"') + 1);
    await corruptStoredBlob(registry.storage, layer.desc.digest);
    const byDigest = await rejection(repo.getManifest(desc.digest));
    expect(byDigest).toMatchObject({ code: RegistryErrorCode.DigestMismatch });
    const chunks: Buffer[] = [];
    const pulled = await rejection(async () => {
      for await (const c of repo.fetchBlob(layer.desc)) chunks.push(c);
    });
    expect(pulled).toMatchObject({ code: RegistryErrorCode.DigestMismatch });
    // The final chunk is withheld: the consumer never holds the whole (bad) blob.
    expect(Buffer.concat(chunks).length).toBeLessThan(layer.desc.size);
  });

  it('lists tags (asking for pages of n) and the catalog page by page, following Link', async () => {
    const repo = watched.repository('tags/a');
    await repo.pushBlob(EMPTY_CONFIG.desc, EMPTY_CONFIG.open);
    const m = manifestOf([]);
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const t of names) await repo.putManifest(t, m.bytes, m.mediaType);
    const before = proxy.requests.length;
    const tags = await toArray(repo.tags({ pageSize: 2 }));
    expect([...tags].sort()).toEqual(names);
    // docker-registry 2.8 answers the tag list whole; its catalog pages, so Link is followed there.
    const tagPages = proxy.requests.slice(before).filter((r) => r.path.includes('/tags/list'));
    expect(tagPages[0]!.path).toContain('n=2');
    expect(await toArray(repo.tags())).toHaveLength(names.length);
    const catalogStart = proxy.requests.length;
    const repos = await toArray(watched.catalog({ pageSize: 1 }));
    expect(repos).toEqual(expect.arrayContaining(['tags/a', 'manifests/a', 'mono/a']));
    expect(new Set(repos).size).toBe(repos.length);
    const catalogPages = proxy.requests.slice(catalogStart).filter((r) => r.path.includes('/_catalog'));
    expect(catalogPages.length).toBeGreaterThanOrEqual(repos.length);
    expect(catalogPages[1]!.path).toContain('last=');
    expect(await rejection(toArray(client.repository('no/such/repo').tags()))).toMatchObject({ code: RegistryErrorCode.NameUnknown, status: 404 });
  });

  it('keeps referrers in the fallback tag (v2.8 has no referrers API) and filters them by artifactType', async () => {
    const repo = client.repository('referrers/a');
    await repo.pushBlob(EMPTY_CONFIG.desc, EMPTY_CONFIG.open);
    const image = manifestOf([]);
    const subject = await repo.putManifest('image', image.bytes, image.mediaType);
    await expect(repo.referrers(subject.digest)).resolves.toEqual([]);

    const sig = manifestOf([EMPTY_CONFIG.desc], { artifactType: 'application/vnd.example.sig', subject, annotations: { 'org.example.kind': 'sig' } });
    const sbom = manifestOf([EMPTY_CONFIG.desc], { config: { ...EMPTY_CONFIG.desc, mediaType: 'application/vnd.example.sbom' }, subject });
    const sigDesc = await repo.putManifest(sha256(sig.bytes), sig.bytes, sig.mediaType);
    // Pushed twice: one entry (the spec: no duplicates).
    await repo.putManifest(sha256(sig.bytes), sig.bytes, sig.mediaType);
    const sbomDesc = await repo.putManifest(sha256(sbom.bytes), sbom.bytes, sbom.mediaType);

    const fallback = await repo.getManifest(referrersTag(subject.digest));
    expect(fallback.descriptor.mediaType).toBe(MediaType.ImageIndex);
    const all = await repo.referrers(subject.digest);
    expect(all).toEqual([
      { ...sigDesc, artifactType: 'application/vnd.example.sig', annotations: { 'org.example.kind': 'sig' } },
      { ...sbomDesc, artifactType: 'application/vnd.example.sbom' },
    ]);
    await expect(repo.referrers(subject.digest, { artifactType: 'application/vnd.example.sbom' })).resolves.toEqual([all[1]]);

    await repo.deleteManifest(sigDesc.digest);
    await expect(repo.referrers(subject.digest)).resolves.toEqual([all[1]]);
  });

  it('names the URL and the registry code when the registry says no', async () => {
    const err = await rejection(client.repository('nothing/here').getManifest('latest'));
    expect(isRegistryError(err, RegistryErrorCode.ManifestUnknown)).toBe(true);
    expect((err).message).toBe(`GET http://${registry.host}/v2/nothing/here/manifests/latest: 404 MANIFEST_UNKNOWN: manifest unknown`);
    expect(await rejection(client.repository('nothing/here').deleteBlob(sha256(Buffer.from('x'))))).toMatchObject({ code: RegistryErrorCode.BlobUnknown, status: 404 });
    await expect(client.repository('nothing/here').statBlob(sha256(Buffer.from('x')))).resolves.toBeUndefined();
  });
});

describe('RegistryClient without a registry', () => {
  it('fails with a typed timeout when the server accepts and never answers', async () => {
    // A listener that takes the connection and says nothing: what a hung registry looks like.
    const sockets: Socket[] = [];
    const silent = createNetServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const c = new RegistryClient(`127.0.0.1:${port}`, { timeoutMs: 300, retry: { attempts: 2, baseDelayMs: 1 } });
    const err = await rejection(c.ping());
    c.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    expect(err).toMatchObject({ code: RegistryErrorCode.Timeout });
    expect((err).message).toBe(`GET https://127.0.0.1:${port}/v2/: no progress within 300 ms`);
    expect(sockets).toHaveLength(2);
  });

  it('fails with a typed network error naming the URL when nothing listens', async () => {
    const c = new RegistryClient('127.0.0.1:9', { tlsVerify: true, retry: { attempts: 2, baseDelayMs: 1 } });
    const err = await rejection(c.ping());
    c.close();
    expect(err).toMatchObject({ code: RegistryErrorCode.Network });
    expect((err).message).toContain('https://127.0.0.1:9/v2/');
  });
});
