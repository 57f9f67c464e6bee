/**
 * docker:// against a real docker-registry (v2.8: no referrers API, so the
 * fallback tag carries referrers), with skopeo making a Docker schema 2
 * image and a fault proxy watching what a cross-repository copy sends.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Layout, validateLayout } from '@ocikit/bundle';
import { RegistryClient } from '@ocikit/distribution';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { describeWithPeers, peerPath, startFaultProxy, startRegistry, testScratch, type RunningProxy, type RunningRegistry } from '@ocikit/testkit';
import { copy } from '../copy-references.js';
import { makeImage, makeIndex, writeReferrer } from '../test-support/images.js';
import { registryOpener, type ClosableRegistryOpener } from './registry.js';

const work = testScratch('transport-registry');
const at = (name: string) => path.join(work.dir, name);

async function refOf(dir: string, name: string): Promise<Descriptor | undefined> {
  return (await (await Layout.open(dir)).listRefs()).find((r) => r.name === name)?.descriptor;
}

function blobFile(dir: string, d: Pick<Descriptor, 'digest'>): Buffer {
  return readFileSync(path.join(dir, 'blobs/sha256', d.digest.slice(7)));
}

async function expectValid(dir: string): Promise<void> {
  const result = await validateLayout(dir, { deep: true });
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

describeWithPeers(['docker-registry', 'skopeo'], 'the docker:// transport', () => {
  let registry: RunningRegistry;
  let proxy: RunningProxy;
  let opener: ClosableRegistryOpener;
  let direct: RegistryClient;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry);
    // Plain http on loopback: tlsVerify false, as skopeo's --tls-verify=false.
    opener = registryOpener(() => ({ tlsVerify: false }));
    direct = new RegistryClient(registry.host, { tlsVerify: false });
  });
  afterAll(async () => {
    opener?.close();
    direct?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  it('copies layout -> registry -> layout byte for byte, and a second push skips every blob', async () => {
    const src = await makeImage(at('src'), 'v1');
    const pushed = await copy(`oci:${at('src')}:v1`, `docker://${registry.host}/lib/one:v1`, { registry: opener });
    expect(pushed.descriptor.digest).toBe(src.manifest.digest);
    expect(pushed).toMatchObject({ manifests: 1, blobs: { copied: 2, skipped: 0, mounted: 0 } });
    // The registry holds the manifest under the tag, byte for byte.
    const held = await direct.repository('lib/one').getManifest('v1');
    expect(held.descriptor.digest).toBe(src.manifest.digest);
    expect(held.bytes).toEqual(blobFile(at('src'), src.manifest));

    const pulled = await copy(`docker://${registry.host}/lib/one:v1`, `oci:${at('back')}:v1`, { registry: opener });
    expect(pulled.descriptor.digest).toBe(src.manifest.digest);
    expect((await refOf(at('back'), 'v1'))?.digest).toBe(src.manifest.digest);
    for (const d of [src.manifest, src.config, src.layer]) expect(blobFile(at('back'), d)).toEqual(blobFile(at('src'), d));
    await expectValid(at('back'));

    const again = await copy(`oci:${at('src')}:v1`, `docker://${registry.host}/lib/one:v1`, { registry: opener });
    expect(again.blobs).toEqual({ copied: 0, skipped: 2, mounted: 0 });
  });

  it('copies an index whole, and one platform out of it', async () => {
    const { index, manifests } = await makeIndex(at('src'), ['linux/amd64', 'linux/arm64/v8']);
    const pushed = await copy(`oci:${at('src')}`, `docker://${registry.host}/lib/multi:v1`, { registry: opener });
    expect(pushed.descriptor.digest).toBe(index.digest);
    expect(pushed.manifests).toBe(3);
    expect((await direct.repository('lib/multi').resolve('v1')).digest).toBe(index.digest);

    const whole = await copy(`docker://${registry.host}/lib/multi:v1`, `oci:${at('whole')}`, { registry: opener });
    expect(whole.descriptor).toMatchObject({ digest: index.digest, mediaType: MediaType.ImageIndex });
    await expectValid(at('whole'));

    const arm = await copy(`docker://${registry.host}/lib/multi:v1`, `oci:${at('arm')}:arm`, { registry: opener, platform: 'linux/arm64/v8' });
    expect(arm.descriptor.digest).toBe(manifests[1]!.digest);
    expect(arm.manifests).toBe(1);
    expect((await refOf(at('arm'), 'arm'))?.digest).toBe(manifests[1]!.digest);
    expect((await Layout.open(at('arm'))).hasBlob(manifests[0]!.digest)).toBe(false);
  });

  it('pulls a Docker schema 2 image that skopeo pushed, with the digest the registry names', async () => {
    await makeImage(at('src'), 'v1');
    execFileSync(peerPath('skopeo'), ['copy', '--quiet', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${at('src')}:v1`, `docker://${registry.host}/lib/docker:v1`]);
    const raw = execFileSync(peerPath('skopeo'), ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/lib/docker:v1`]);
    const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    expect(JSON.parse(raw.toString('utf8'))).toMatchObject({ mediaType: MediaType.DockerManifest });

    const pulled = await copy(`docker://${registry.host}/lib/docker:v1`, `oci:${at('back')}:v1`, { registry: opener });
    expect(pulled.descriptor).toMatchObject({ digest, mediaType: MediaType.DockerManifest });
    expect(blobFile(at('back'), pulled.descriptor)).toEqual(raw);
    // And back out to another repository, unchanged.
    const again = await copy(`oci:${at('back')}:v1`, `docker://${registry.host}/lib/docker2:v1`, { registry: opener });
    expect(again.descriptor.digest).toBe(digest);
    expect((await direct.repository('lib/docker2').getManifest('v1')).bytes).toEqual(raw);
  });

  it('carries referrers through the registry (its fallback tag) and back', async () => {
    const src = await makeImage(at('src'), 'v1');
    const sig = await writeReferrer(src.layout, src.manifest, 'application/vnd.example.sig', 'signed');
    const pushed = await copy(`oci:${at('src')}:v1`, `docker://${registry.host}/lib/signed:v1`, { registry: opener, referrers: true });
    expect(pushed.manifests).toBe(2);
    const fallback = `sha256-${src.manifest.digest.slice(7)}`;
    expect((await direct.repository('lib/signed').resolve(fallback)).mediaType).toBe(MediaType.ImageIndex);
    expect((await direct.repository('lib/signed').referrers(src.manifest.digest)).map((d) => d.digest)).toEqual([sig.digest]);

    const pulled = await copy(`docker://${registry.host}/lib/signed:v1`, `oci:${at('back')}:v1`, { registry: opener, referrers: true });
    expect(pulled.manifests).toBe(2);
    expect(blobFile(at('back'), sig)).toEqual(blobFile(at('src'), sig));
    const referrers = await (await Layout.open(at('back'))).referrers();
    expect(referrers.get(src.manifest.digest)?.map((d) => d.digest)).toEqual([sig.digest]);
  });

  it('mounts blobs between repositories of one registry instead of uploading them', async () => {
    const src = await makeImage(at('src'), 'v1');
    await copy(`oci:${at('src')}:v1`, `docker://${proxy.host}/team/base:v1`, { registry: opener });
    const start = proxy.requests.length;
    const result = await copy(`docker://${proxy.host}/team/base:v1`, `docker://${proxy.host}/team/app:v1`, { registry: opener });
    expect(result.descriptor.digest).toBe(src.manifest.digest);
    expect(result.blobs).toEqual({ copied: 0, skipped: 0, mounted: 2 });
    const sent = proxy.requests.slice(start);
    expect(sent.filter((r) => r.method === 'POST' && /\/v2\/team\/app\/blobs\/uploads\/\?.*mount=/.test(r.path) && r.status === 201)).toHaveLength(2);
    // No byte of a blob went up: no chunk, no upload close, no blob read from the source.
    expect(sent.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/')))).toEqual([]);
    expect(sent.filter((r) => r.method === 'GET' && r.path.includes('/blobs/'))).toEqual([]);
    expect((await direct.repository('team/app').getManifest('v1')).descriptor.digest).toBe(src.manifest.digest);
  });

  it('opens docker:// by default, verifying TLS (a plain-http registry is refused with the remedy)', async () => {
    await makeImage(at('src'), 'v1');
    const err = await copy(`oci:${at('src')}:v1`, `docker://${registry.host}/lib/default:v1`).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('REGISTRY_TLS');
    expect((err as Error).message).toContain('tlsVerify: false');
  });

  it('pushes to a destination named by the digest copied, and refuses another digest before writing', async () => {
    const src = await makeImage(at('src'), 'v1');
    const wrong = `sha256:${'a'.repeat(64)}`;
    const err = await copy(`oci:${at('src')}:v1`, `docker://${registry.host}/lib/bydigest@${wrong}`, { registry: opener }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('INVALID_DESTINATION');
    const none = await direct.repository('lib/bydigest').resolve(src.manifest.digest).catch((e: unknown) => e);
    expect((none as { code?: string }).code).toMatch(/^(MANIFEST_UNKNOWN|NAME_UNKNOWN)$/);
    const ok = await copy(`oci:${at('src')}:v1`, `docker://${registry.host}/lib/bydigest@${src.manifest.digest}`, { registry: opener });
    expect(ok.descriptor.digest).toBe(src.manifest.digest);
    expect((await direct.repository('lib/bydigest').resolve(src.manifest.digest)).digest).toBe(src.manifest.digest);
  });

  it('names the registry and repository when the source is not there, and leaves the layout unnamed', async () => {
    const err = await copy(`docker://${registry.host}/no/such:v1`, `oci:${at('dst')}:v1`, { registry: opener }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toMatch(/^(MANIFEST_UNKNOWN|NAME_UNKNOWN)$/);
    expect((err as Error).message).toContain(registry.host);
    expect((err as Error).message).toContain('no/such');
  });
});
