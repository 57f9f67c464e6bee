import { describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { makeImage, makeIndex, writeImage } from '../test-support/image.js';
import { listImages } from './list.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('list');

describe('listImages', () => {
  it('lists named and unnamed descriptors, an index followed by its platform manifests, with sizes', async () => {
    const { layout, index, manifests } = await makeIndex(s.dir, ['linux/amd64', 'linux/arm64/v8'], 'multi');
    const single = await writeImage(layout, [[{ name: 'x', content: 'xyz' }]], { architecture: 'riscv64' });
    await layout.updateIndex((i) => ({ ...i, manifests: [...i.manifests, single.manifest] }));
    const sizeOf = async (digest: string) => {
      const { manifest } = await layout.readImage({ ...manifests.concat(single.manifest).find((m) => m.digest === digest)! });
      return [manifest.config, ...manifest.layers].reduce((n, d) => n + d.size, 0);
    };
    const lines = await listImages(s.dir);
    expect(lines).toEqual([
      { ref: 'multi', digest: index.digest, mediaType: index.mediaType, platform: null, size: index.size + manifests[0]!.size + manifests[1]!.size + (await sizeOf(manifests[0]!.digest)) + (await sizeOf(manifests[1]!.digest)), index: null },
      { ref: 'multi', digest: manifests[0]!.digest, mediaType: manifests[0]!.mediaType, platform: 'linux/amd64', size: manifests[0]!.size + (await sizeOf(manifests[0]!.digest)), index: index.digest },
      { ref: 'multi', digest: manifests[1]!.digest, mediaType: manifests[1]!.mediaType, platform: 'linux/arm64/v8', size: manifests[1]!.size + (await sizeOf(manifests[1]!.digest)), index: index.digest },
      { ref: null, digest: single.manifest.digest, mediaType: single.manifest.mediaType, platform: 'linux/riscv64', size: single.manifest.size + (await sizeOf(single.manifest.digest)), index: null },
    ]);
  });

  it('counts a blob shared by two images of an index once', async () => {
    const { layout } = await makeImage(s.dir, [[{ name: 'same', content: 'same' }]], { ref: 'one' });
    const a = (await layout.resolve('one')).descriptor;
    const b = await writeImage(layout, [[{ name: 'same', content: 'same' }]], { architecture: 'arm64' });
    const index = await layout.writeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [a, b.manifest] }, 'application/vnd.oci.image.index.v1+json');
    await layout.setRef('both', index);
    const lines = await listImages(s.dir);
    const [layer] = b.layers;
    const sizes = Object.fromEntries(lines.map((l) => [`${l.ref}:${l.platform}:${l.index === null ? 'top' : 'in'}`, l.size]));
    expect(sizes['both:null:top']).toBe(index.size + sizes['both:linux/amd64:in']! + sizes['both:linux/arm64:in']! - layer!.size);
  });

  it('shows a manifest that is missing without a size instead of failing', async () => {
    const { manifests } = await makeIndex(s.dir, ['linux/amd64', 'linux/s390x'], 'multi');
    rmSync(path.join(s.dir, 'blobs', ...manifests[1]!.digest.split(':')));
    const lines = await listImages(s.dir);
    expect(lines.map((l) => [l.platform, l.size === null])).toEqual([
      [null, true],
      ['linux/amd64', false],
      ['linux/s390x', true],
    ]);
  });
});
