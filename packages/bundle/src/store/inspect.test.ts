import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleErrorCode } from '../errors.js';
import { makeImage, makeIndex } from '../test-support/image.js';
import { inspectImage, readConfigBytes, readManifestBytes } from './inspect.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('inspect');

const blob = (digest: string) => readFileSync(path.join(s.dir, 'blobs', ...digest.split(':')));

describe('inspectImage', () => {
  it('describes an image in skopeo inspect\'s shape', async () => {
    const { manifest, layers } = await makeImage(s.dir, [[{ name: 'a', content: 'a' }], [{ name: 'b', content: 'b' }]], {
      ref: 'v1',
      config: { Env: ['PATH=/bin', 'A=1'], Labels: { 'org.example.x': 'y' } },
      configExtra: { created: '2024-01-02T03:04:05Z', variant: 'v3' },
    });
    expect(await inspectImage(s.dir, 'v1')).toEqual({
      Name: `oci:${s.dir}:v1`,
      Digest: manifest.digest,
      RepoTags: ['v1'],
      Created: '2024-01-02T03:04:05Z',
      DockerVersion: '',
      Labels: { 'org.example.x': 'y' },
      Architecture: 'amd64',
      Variant: 'v3',
      Os: 'linux',
      Layers: layers.map((l) => l.digest),
      LayersData: layers.map((l) => ({ MIMEType: l.mediaType, Digest: l.digest, Size: l.size, Annotations: null })),
      Env: ['PATH=/bin', 'A=1'],
    });
  });

  it('gives null for what the config leaves out, and names the image as asked', async () => {
    const { manifest } = await makeImage(s.dir, [], { ref: 'v1' });
    const info = await inspectImage(s.dir, { digest: manifest.digest }, { name: 'oci:here@x' });
    expect(info).toMatchObject({ Name: 'oci:here@x', Digest: manifest.digest, Created: null, Labels: null, Env: null, Layers: [], LayersData: [] });
    expect('Variant' in info).toBe(false);
  });

  it('for an index: the index digest, the platform\'s image; a platform the index lacks is refused', async () => {
    const { index, manifests } = await makeIndex(s.dir, ['linux/amd64', 'linux/arm64/v8'], 'multi');
    const arm = await inspectImage(s.dir, 'multi', { platform: 'linux/arm64/v8', strictPlatform: true });
    expect(arm).toMatchObject({ Digest: index.digest, Architecture: 'arm64', Variant: 'v8' });
    await expect(inspectImage(s.dir, 'multi', { platform: 'linux/ppc64le', strictPlatform: true })).rejects.toMatchObject({ code: BundleErrorCode.NoMatchingPlatform });
    // Raw bytes: the index itself without a platform, the platform's manifest with one; the config of the chosen image.
    expect(await readManifestBytes(s.dir, 'multi')).toEqual(blob(index.digest));
    expect(await readManifestBytes(s.dir, 'multi', { platform: 'linux/arm64/v8' })).toEqual(blob(manifests[1]!.digest));
    const armManifest = JSON.parse(blob(manifests[1]!.digest).toString()) as { config: { digest: string } };
    expect(await readConfigBytes(s.dir, 'multi', { platform: 'linux/arm64' })).toEqual(blob(armManifest.config.digest));
  });
});
