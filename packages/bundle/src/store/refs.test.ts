import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleErrorCode } from '../errors.js';
import { makeImage, makeIndex } from '../test-support/image.js';
import { checkRefName } from './refs.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('refs');

const indexText = () => readFileSync(path.join(s.dir, 'index.json'), 'utf8');

describe('tag', () => {
  it('points a new name at what a name selects, replacing what the new name named', async () => {
    const { layout, manifest } = await makeImage(s.dir, [[{ name: 'a', content: 'a' }]], { ref: 'v1' });
    const other = await makeImage(s.dir, [[{ name: 'b', content: 'b' }]], { ref: 'stable' });
    const tagged = await layout.tag('v1', 'stable');
    expect(tagged.map((d) => d.digest)).toEqual([manifest.digest]);
    const refs = Object.fromEntries((await layout.listRefs()).map((r) => [r.name, r.descriptor.digest]));
    expect(refs).toEqual({ v1: manifest.digest, stable: manifest.digest });
    expect(refs['stable']).not.toBe(other.manifest.digest);
  });

  it('tags by digest: a descriptor of index.json, or a manifest only an index lists', async () => {
    const { layout, index, manifests } = await makeIndex(s.dir, ['linux/amd64', 'linux/arm64/v8'], 'multi');
    await layout.tag({ digest: index.digest }, 'again');
    await layout.tag({ digest: manifests[1]!.digest }, 'arm');
    const refs = Object.fromEntries((await layout.listRefs()).map((r) => [r.name, r.descriptor]));
    expect(refs['again']).toMatchObject({ digest: index.digest, mediaType: 'application/vnd.oci.image.index.v1+json', size: index.size });
    expect(refs['arm']).toMatchObject({ digest: manifests[1]!.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: manifests[1]!.size });
    expect((await layout.resolve('arm')).config.architecture).toBe('arm64');
  });

  it('refuses a name outside the ref.name grammar, and a source that names nothing, writing nothing', async () => {
    const { layout, manifests } = await makeIndex(s.dir, ['linux/amd64'], 'v1');
    const before = indexText();
    await expect(layout.tag('v1', 'bad/ref!')).rejects.toMatchObject({ code: BundleErrorCode.InvalidRefName, message: expect.stringContaining('separated by "/"') });
    await expect(layout.tag('nope', 'x')).rejects.toMatchObject({ code: BundleErrorCode.RefNotFound, message: expect.stringContaining('(names: "v1")') });
    // A blob that is no manifest (a layer) is not taggable by its digest.
    const layer = (await layout.resolve('v1')).manifest.layers[0]!;
    await expect(layout.tag({ digest: layer.digest }, 'x')).rejects.toMatchObject({ code: BundleErrorCode.RefNotFound });
    await expect(layout.tag({ digest: manifests[0]!.digest.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, 'x')).rejects.toMatchObject({ code: BundleErrorCode.RefNotFound });
    expect(indexText()).toBe(before);
  });

  it('checkRefName follows isRefName', () => {
    for (const good of ['v1.0', 'a--b', 'registry:5000/repo@sha256+x']) expect(() => checkRefName(good)).not.toThrow();
    for (const bad of ['', '-a', 'a//b', 'v1.0!', 'a b']) expect(() => checkRefName(bad)).toThrow(expect.objectContaining({ code: BundleErrorCode.InvalidRefName }));
  });
});

describe('removeRef', () => {
  it('removes by name or by digest (unnamed descriptors included); with mustExist, a miss is REF_NOT_FOUND and nothing is written', async () => {
    const { layout, manifest } = await makeImage(s.dir, [[{ name: 'a' }]], { ref: 'v1' });
    await layout.updateIndex((i) => ({ ...i, manifests: [...i.manifests, { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size }] }));
    await layout.setRef('v2', manifest);
    expect(await layout.removeRef('v2', { mustExist: true })).toBe(1);
    const before = indexText();
    await expect(layout.removeRef('v2', { mustExist: true })).rejects.toMatchObject({ code: BundleErrorCode.RefNotFound });
    expect(indexText()).toBe(before);
    expect(await layout.removeRef('v2')).toBe(0);
    expect(await layout.removeRef({ digest: manifest.digest }, { mustExist: true })).toBe(2);
    expect((await layout.readIndex()).manifests).toEqual([]);
  });
});
