/** inspectRemoteImage and the raw reads against a real docker-registry on loopback. */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import path from 'node:path';
import { Readable } from 'node:stream';
import { hostPlatform, MediaType, type Descriptor } from '@ocikit/image-spec';
import { RegistryClient, type Repository } from '@ocikit/distribution';
import { describeWithPeers, rejection, startRegistry, suiteScratch, type RunningRegistry } from '@ocikit/testkit';
import type { Layout } from '@ocikit/bundle';
import { inspectRemoteImage, readRemoteConfigBytes, readRemoteManifestBytes } from './inspect.js';
import { makeIndex } from './test-support/images.js';

describeWithPeers(['docker-registry'], 'inspectRemoteImage (real registry)', () => {
  const scratch = suiteScratch('transport-inspect');
  let registry: RunningRegistry;
  let client: RegistryClient;
  let repo: Repository;
  let layout: Layout;
  let index: Descriptor;
  let manifests: Descriptor[];
  const MAX = 1 << 20;

  /** Push a manifest and what it names, by digest (tag when given). */
  async function pushManifest(desc: Descriptor, tag?: string): Promise<void> {
    const bytes = await layout.readBlob(desc, MAX);
    const doc = JSON.parse(bytes.toString()) as { config?: Descriptor; layers?: Descriptor[] };
    for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
      const content = await layout.readBlob(b, MAX);
      await repo.pushBlob(b, () => Readable.from([content]));
    }
    await repo.putManifest(tag ?? desc.digest, bytes, desc.mediaType);
  }

  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient(registry.host, { tlsVerify: false });
    repo = client.repository('team/app');
    // One image for the host's platform and one for another, so the default pick is visible.
    const host = hostPlatform();
    const other = host.architecture === 's390x' ? 'linux/ppc64le' : 'linux/s390x';
    ({ layout, index, manifests } = await makeIndex(path.join(scratch.dir, 'L'), [other, `${host.os}/${host.architecture}${host.variant ? `/${host.variant}` : ''}`]));
    for (const m of manifests) await pushManifest(m);
    await pushManifest(manifests[0]!, 'single');
    await pushManifest(index, 'multi');
  });
  afterAll(async () => {
    client?.close();
    await registry?.stop();
  });

  it('describes a single image as skopeo does: Name is the repository, RepoTags its tags', async () => {
    const info = await inspectRemoteImage(repo, 'single');
    const layers = (JSON.parse((await layout.readBlob(manifests[0]!, MAX)).toString()) as { layers: Descriptor[] }).layers;
    expect(info).toEqual({
      Name: `${registry.host}/team/app`,
      Digest: manifests[0]!.digest,
      RepoTags: ['multi', 'single'],
      Created: null,
      DockerVersion: '',
      Labels: null,
      Architecture: manifests[0]!.platform!.architecture,
      Os: 'linux',
      Layers: layers.map((l) => l.digest),
      LayersData: layers.map((l) => ({ MIMEType: MediaType.ImageLayerGzip, Digest: l.digest, Size: l.size, Annotations: null })),
      Env: null,
    });
    expect((await inspectRemoteImage(repo, 'single', { tags: false, name: 'x' })).RepoTags).toEqual([]);
  });

  it('an index: its digest, the host platform by default, another on request; raw reads follow the same choice', async () => {
    const byDefault = await inspectRemoteImage(repo, 'multi');
    expect(byDefault.Digest).toBe(index.digest);
    expect(byDefault.Architecture).toBe(manifests[1]!.platform!.architecture);
    const p0 = manifests[0]!.platform!;
    const other = await inspectRemoteImage(repo, 'multi', { platform: `${p0.os}/${p0.architecture}`, strictPlatform: true });
    expect([other.Digest, other.Architecture]).toEqual([index.digest, p0.architecture]);
    expect(await readRemoteManifestBytes(repo, 'multi')).toEqual(await layout.readBlob(index, MAX));
    expect(await readRemoteManifestBytes(repo, 'multi', { platform: `${p0.os}/${p0.architecture}` })).toEqual(await layout.readBlob(manifests[0]!, MAX));
    const config = (JSON.parse((await layout.readBlob(manifests[0]!, MAX)).toString()) as { config: Descriptor }).config;
    expect(await readRemoteConfigBytes(repo, 'multi', { platform: `${p0.os}/${p0.architecture}` })).toEqual(await layout.readBlob(config, MAX));
  });

  it('refuses a platform the index lacks, a single image for another platform asked for explicitly, and a platform that is none', async () => {
    expect(await rejection(inspectRemoteImage(repo, 'multi', { platform: 'plan9/mips64' }))).toMatchObject({ code: 'NO_MATCHING_PLATFORM' });
    expect(await rejection(inspectRemoteImage(repo, 'single', { platform: 'plan9/mips64', strictPlatform: true }))).toMatchObject({ code: 'NO_MATCHING_PLATFORM' });
    expect(await rejection(readRemoteConfigBytes(repo, 'single', { platform: 'linux' }))).toMatchObject({ code: 'INVALID_PLATFORM' });
    expect(await rejection(inspectRemoteImage(repo, 'nope'))).toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });
});
