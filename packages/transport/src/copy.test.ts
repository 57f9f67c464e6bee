import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Layout, openLayout, validateLayout } from '@ocikit/bundle';
import { DigestMismatchError } from '@ocikit/digest';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { describeWithPeers, peerPath, testScratch } from '@ocikit/testkit';
import { copy, copyImage, type CopyProgress } from './index.js';
import { TransportError, TransportErrorCode } from './errors.js';
import { openDestination, openSource } from './open.js';
import { makeImage, makeIndex, writeImage, writeReferrer } from './test-support/images.js';

const work = testScratch('transport-copy');

const at = (name: string) => path.join(work.dir, name);

/** Every blob digest of the layout at `dir`. */
async function blobsOf(dir: string): Promise<string[]> {
  return (await (await Layout.open(dir)).listBlobs()).sort();
}

/** Names in `dir` that are ocikit scratch (temp files, work trees). */
function strays(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('.ocikit-') && n !== '.ocikit-lock');
}

/** Flip one byte of a blob: same size, so only its digest can tell. */
function corrupt(dir: string, d: Descriptor): void {
  const file = path.join(dir, 'blobs/sha256', d.digest.slice(7));
  const bytes = readFileSync(file);
  const i = bytes.length - 10;
  bytes[i] = bytes[i]! ^ 0xff;
  writeFileSync(file, bytes);
}

async function expectValid(dir: string): Promise<void> {
  const result = await validateLayout(dir, { deep: true });
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

async function refOf(dir: string, name: string): Promise<Descriptor | undefined> {
  return (await (await Layout.open(dir)).listRefs()).find((r) => r.name === name)?.descriptor;
}

describe('copyImage between layouts', () => {
  it('copies an image byte for byte and names it at the destination', async () => {
    const src = await makeImage(at('src'), 'v1');
    const events: CopyProgress[] = [];
    const result = await copy('oci:' + at('src') + ':v1', 'oci:' + at('dst') + ':copied', { onProgress: (p) => events.push(p) });
    expect(result.descriptor.digest).toBe(src.manifest.digest);
    expect(result).toMatchObject({ manifests: 1, blobs: { copied: 2, skipped: 0, mounted: 0 } });
    expect(result.bytes).toBe(src.layer.size + src.config.size + src.manifest.size);
    expect((await refOf(at('dst'), 'copied'))?.digest).toBe(src.manifest.digest);
    expect(await blobsOf(at('dst'))).toEqual(await blobsOf(at('src')));
    for (const d of [src.manifest, src.layer, src.config]) {
      expect(readFileSync(path.join(at('dst'), 'blobs/sha256', d.digest.slice(7)))).toEqual(readFileSync(path.join(at('src'), 'blobs/sha256', d.digest.slice(7))));
    }
    await expectValid(at('dst'));
    // Per blob: copying first, done last; nothing printed.
    for (const d of [src.layer, src.config]) {
      const mine = events.filter((e) => e.digest === d.digest).map((e) => e.state);
      expect(mine[0]).toBe('copying');
      expect(mine[mine.length - 1]).toBe('done');
    }
  });

  it('skips every blob the second time', async () => {
    await makeImage(at('src'));
    await copy(`oci:${at('src')}`, `oci:${at('dst')}`);
    const states: string[] = [];
    const again = await copy(`oci:${at('src')}`, `oci:${at('dst')}:again`, { onProgress: (p) => states.push(p.state) });
    expect(again.blobs).toEqual({ copied: 0, skipped: 2, mounted: 0 });
    expect(again.bytes).toBe(0);
    expect(states).toEqual(['skipped', 'skipped']);
    expect((await refOf(at('dst'), 'again'))?.digest).toBe(again.descriptor.digest);
  });

  it('copies an index whole: every platform, nested indexes too', async () => {
    const { layout, index, manifests } = await makeIndex(at('src'), ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    // An index of that index, as some registries serve.
    const outer = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [index] }, MediaType.ImageIndex);
    await layout.setRef('nested', outer);
    const result = await copy(`oci:${at('src')}:nested`, `oci:${at('dst')}:all`, { jobs: 2 });
    expect(result.descriptor.digest).toBe(outer.digest);
    expect(result.manifests).toBe(5);
    expect(result.blobs.copied).toBe(6);
    expect((await refOf(at('dst'), 'all'))?.digest).toBe(outer.digest);
    const have = await blobsOf(at('dst'));
    for (const d of [outer, index, ...manifests]) expect(have).toContain(d.digest);
    expect(have).toEqual(await blobsOf(at('src')));
    await expectValid(at('dst'));
  });

  it('copies one platform out of an index, and names what an index offers when none matches', async () => {
    const { manifests } = await makeIndex(at('src'), ['linux/amd64', 'linux/arm64/v8']);
    const arm = manifests[1]!;
    const result = await copy(`oci:${at('src')}`, `oci:${at('dst')}:arm`, { platform: 'linux/arm64' });
    expect(result.descriptor.digest).toBe(arm.digest);
    expect(result).toMatchObject({ manifests: 1, blobs: { copied: 2 } });
    const named = await refOf(at('dst'), 'arm');
    expect(named?.digest).toBe(arm.digest);
    expect(named?.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(await blobsOf(at('dst'))).not.toContain(manifests[0]!.digest);
    await expectValid(at('dst'));

    const before = readFileSync(path.join(at('dst'), 'index.json'));
    const err = await copy(`oci:${at('src')}`, `oci:${at('dst')}:s390x`, { platform: 'linux/s390x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe(TransportErrorCode.NoMatchingPlatform);
    expect((err as Error).message).toMatch(/linux\/amd64, linux\/arm64\/v8/);
    expect(readFileSync(path.join(at('dst'), 'index.json'))).toEqual(before);
    await expect(copy(`oci:${at('src')}`, `oci-archive:${at('never.tar')}`, { platform: 'linux/s390x' })).rejects.toBeInstanceOf(TransportError);
    expect(existsSync(at('never.tar'))).toBe(false);
    expect(strays(work.dir)).toEqual([]);
  });

  it('carries referrers, recursively, only when asked', async () => {
    const { layout, manifest } = await makeImage(at('src'));
    const sig = await writeReferrer(layout, manifest, 'application/vnd.example.signature', 'signed');
    const sigOfSig = await writeReferrer(layout, sig, 'application/vnd.example.countersignature', 'countersigned');

    const plain = await copy(`oci:${at('src')}`, `oci:${at('plain')}`);
    expect(plain.manifests).toBe(1);
    expect(await blobsOf(at('plain'))).not.toContain(sig.digest);

    const withRefs = await copy(`oci:${at('src')}`, `oci:${at('dst')}`, { referrers: true });
    expect(withRefs.manifests).toBe(3);
    const dst = await Layout.open(at('dst'));
    const referrers = await dst.referrers();
    expect(referrers.get(manifest.digest)?.map((d) => d.digest)).toEqual([sig.digest]);
    expect(referrers.get(sig.digest)?.map((d) => d.digest)).toEqual([sigOfSig.digest]);
    expect(referrers.get(manifest.digest)?.[0]?.artifactType).toBe('application/vnd.example.signature');
    expect(await blobsOf(at('dst'))).toEqual(await blobsOf(at('src')));
    await expectValid(at('dst'));
  });

  it('refuses a corrupt source blob and adds nothing to the destination index', async () => {
    const { layer } = await makeImage(at('src'));
    await makeImage(at('dst'), 'existing', 'linux/arm64');
    corrupt(at('src'), layer);
    const before = readFileSync(path.join(at('dst'), 'index.json'));
    const blobsBefore = await blobsOf(at('dst'));
    const err = await copy(`oci:${at('src')}`, `oci:${at('dst')}:broken`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as Error).message).toContain(layer.digest);
    expect(readFileSync(path.join(at('dst'), 'index.json'))).toEqual(before);
    expect(await blobsOf(at('dst'))).not.toContain(layer.digest);
    // The config (a sound blob) may have landed by rename; nothing half-written did.
    expect((await blobsOf(at('dst'))).filter((d) => !blobsBefore.includes(d)).length).toBeLessThanOrEqual(1);
    expect(strays(at('dst'))).toEqual([]);
  });

  it('refuses a manifest media type outside the known set', async () => {
    const layout = await Layout.create(at('src'));
    const { manifest } = await writeImage(layout);
    const odd = { ...manifest, mediaType: 'application/vnd.example.manifest.v1+json' };
    await layout.setRef('odd', odd);
    const err = await copy(`oci:${at('src')}:odd`, `oci:${at('dst')}`).catch((e: unknown) => e);
    expect((err as TransportError).code).toBe(TransportErrorCode.UnsupportedMediaType);
    expect((err as Error).message).toContain('application/vnd.example.manifest.v1+json');
    // Refused while the graph was read: the destination was never created.
    expect(existsSync(at('dst'))).toBe(false);
  });

  it('says what a layout names when the source ref is not there', async () => {
    await makeImage(at('src'), 'v1');
    const err = await copy(`oci:${at('src')}:nope`, `oci:${at('dst')}`).catch((e: unknown) => e);
    expect((err as TransportError).code).toBe(TransportErrorCode.NotFound);
    expect((err as Error).message).toContain('"v1"');
    expect(existsSync(at('dst'))).toBe(false);
  });

  it('refuses a digest as the destination name', async () => {
    await makeImage(at('src'));
    const err = await copy(`oci:${at('src')}`, `oci:${at('dst')}@sha256:${'b'.repeat(64)}`).catch((e: unknown) => e);
    expect((err as TransportError).code).toBe(TransportErrorCode.InvalidDestination);
  });
});

describe('copyImage with oci-archive files', () => {
  it('copies layout -> archive -> layout with digests unchanged', async () => {
    const { index, manifests } = await makeIndex(at('src'), ['linux/amd64', 'linux/arm64/v8']);
    const toArchive = await copy(`oci:${at('src')}`, `oci-archive:${at('out.tar')}:v1`);
    expect(toArchive.descriptor.digest).toBe(index.digest);
    expect(strays(work.dir)).toEqual([]);
    const opened = await openLayout(at('out.tar'));
    try {
      expect((await opened.layout.listRefs()).map((r) => [r.name, r.descriptor.digest])).toEqual([['v1', index.digest]]);
      await expectValid(opened.layout.dir);
    } finally {
      opened.close();
    }
    const back = await copy(`oci-archive:${at('out.tar')}:v1`, `oci:${at('back')}:v1`);
    expect(back.descriptor.digest).toBe(index.digest);
    expect(await blobsOf(at('back'))).toEqual(await blobsOf(at('src')));
    for (const m of manifests) expect(await blobsOf(at('back'))).toContain(m.digest);
    await expectValid(at('back'));
  });

  it('adds to an existing archive, skipping what it holds, and leaves it untouched on failure', async () => {
    const first = await makeImage(at('src'), 'one');
    await copy(`oci:${at('src')}:one`, `oci-archive:${at('out.tar')}:one`);
    const again = await copy(`oci:${at('src')}:one`, `oci-archive:${at('out.tar')}:two`);
    expect(again.blobs.skipped).toBe(2);
    const opened = await openLayout(at('out.tar'));
    try {
      expect((await opened.layout.listRefs()).map((r) => r.name).sort()).toEqual(['one', 'two']);
    } finally {
      opened.close();
    }
    // Corrupt the layer, then copy a new image that shares it: the archive stays as it was.
    const layout = await Layout.open(at('src'));
    const second = await writeImage(layout, 'linux/arm64', 'other');
    await layout.setRef('three', second.manifest);
    corrupt(at('src'), second.layer);
    const archiveBefore = readFileSync(at('out.tar'));
    await expect(copy(`oci:${at('src')}:three`, `oci-archive:${at('out.tar')}:three`)).rejects.toBeInstanceOf(DigestMismatchError);
    expect(readFileSync(at('out.tar'))).toEqual(archiveBefore);
    expect(strays(work.dir)).toEqual([]);
    expect(first.manifest.digest).toBeDefined();
  });

  it('opens and aborts a destination without leaving anything', async () => {
    const dest = await openDestination(`oci-archive:${at('never.tar')}`);
    await dest.abort();
    expect(existsSync(at('never.tar'))).toBe(false);
    expect(strays(work.dir)).toEqual([]);
  });
});

describe('copyImage with Docker schema 2 and a concurrent archive writer', () => {
  it('copies a Docker manifest list and its manifests byte for byte', async () => {
    const layout = await Layout.create(at('src'));
    const children: Descriptor[] = [];
    for (const arch of ['amd64', 'arm64']) {
      const layer = await layout.writeBlob(Buffer.from(`not really a layer for ${arch}`));
      const config = await layout.writeJson({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }, MediaType.DockerImageConfig);
      const manifest = await layout.writeJson(
        { schemaVersion: 2, mediaType: MediaType.DockerManifest, config, layers: [{ mediaType: MediaType.DockerLayerGzip, ...layer }] },
        MediaType.DockerManifest,
      );
      children.push({ ...manifest, platform: { os: 'linux', architecture: arch } });
    }
    const list = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: children }, MediaType.DockerManifestList);
    await layout.setRef('docker', list);
    const whole = await copy(`oci:${at('src')}:docker`, `oci:${at('dst')}:docker`);
    expect(whole).toMatchObject({ descriptor: { digest: list.digest, mediaType: MediaType.DockerManifestList }, manifests: 3, blobs: { copied: 4 } });
    expect(await blobsOf(at('dst'))).toEqual(await blobsOf(at('src')));
    const one = await copy(`oci:${at('src')}:docker`, `oci:${at('one')}`, { platform: 'linux/arm64' });
    expect(one.descriptor.digest).toBe(children[1]!.digest);
  });

  it('keeps both images when another writer replaced the archive during the copy', async () => {
    const a = await makeImage(at('a'), 'latest', 'linux/amd64');
    await writeReferrer(a.layout, a.manifest, 'application/vnd.example.signature', 'for a');
    const b = await makeIndex(at('b'), ['linux/arm64/v8', 'linux/s390x']);
    // A opens the archive first; B copies in and replaces it; then A finishes.
    const source = await openSource(`oci:${at('a')}`);
    const destination = await openDestination(`oci-archive:${at('shared.tar')}:a`);
    await copy(`oci:${at('b')}`, `oci-archive:${at('shared.tar')}:b`);
    try {
      await copyImage(source, destination, { referrers: true });
    } finally {
      await source.close();
    }
    const opened = await openLayout(at('shared.tar'));
    try {
      const refs = Object.fromEntries((await opened.layout.listRefs()).map((r) => [r.name, r.descriptor.digest]));
      expect(refs).toEqual({ a: a.manifest.digest, b: b.index.digest });
      const blobs = await opened.layout.listBlobs();
      for (const d of [...(await blobsOf(at('a'))), ...(await blobsOf(at('b')))]) expect(blobs).toContain(d);
      await expectValid(opened.layout.dir);
    } finally {
      opened.close();
    }
    expect(strays(work.dir)).toEqual([]);
  });
});

describeWithPeers(['umoci', 'skopeo'], 'copyImage with layouts umoci made and skopeo reads', () => {
  it('copies a umoci-made image into an archive that skopeo inspects with the same digest', async () => {
    const umoci = peerPath('umoci');
    execFileSync(umoci, ['init', '--layout', at('umoci')]);
    execFileSync(umoci, ['new', '--image', `${at('umoci')}:base`]);
    // One real layer, made by umoci.
    writeFileSync(at('hello'), 'hello from umoci\n');
    execFileSync(umoci, ['insert', '--image', `${at('umoci')}:base`, at('hello'), '/hello']);
    const made = await refOf(at('umoci'), 'base');
    expect(made).toBeDefined();
    const result = await copy(`oci:${at('umoci')}:base`, `oci-archive:${at('u.tar')}:copied`);
    expect(result.descriptor.digest).toBe(made!.digest);
    const inspected = JSON.parse(execFileSync(peerPath('skopeo'), ['inspect', '--raw', `oci-archive:${at('u.tar')}:copied`]).toString()) as unknown;
    expect(inspected).toEqual(JSON.parse(readFileSync(path.join(at('umoci'), 'blobs/sha256', made!.digest.slice(7))).toString()));
    const digest = JSON.parse(execFileSync(peerPath('skopeo'), ['inspect', `oci-archive:${at('u.tar')}:copied`]).toString()) as { Digest: string };
    expect(digest.Digest).toBe(made!.digest);
    // And umoci reads our copy as its own.
    await copy(`oci-archive:${at('u.tar')}:copied`, `oci:${at('back')}:again`);
    const stat = JSON.parse(execFileSync(umoci, ['stat', '--image', `${at('back')}:again`, '--json']).toString()) as { history: { layer?: Descriptor }[] };
    expect(stat.history.filter((h) => h.layer !== undefined)).toHaveLength(1);
    expect(result.blobs.copied).toBe(2);
    await expectValid(at('back'));
    // umoci unpacks our copy: the layer arrived whole.
    execFileSync(umoci, ['unpack', '--rootless', '--image', `${at('back')}:again`, at('bundle')]);
    expect(readFileSync(path.join(at('bundle'), 'rootfs/hello'), 'utf8')).toBe('hello from umoci\n');
  });

  it('writes a layout skopeo copies from, index and all', async () => {
    const { index } = await makeIndex(at('src'), ['linux/amd64', 'linux/arm64/v8']);
    await copy(`oci:${at('src')}`, `oci:${at('dst')}:v1`);
    execFileSync(peerPath('skopeo'), ['copy', '--all', '--quiet', `oci:${at('dst')}:v1`, `oci:${at('skopeo')}:v1`]);
    expect((await refOf(at('skopeo'), 'v1'))?.digest).toBe(index.digest);
  });
});

describe('copyImage as a walk', () => {
  it('hands the destination blobs before manifests and children before parents', async () => {
    const { index, manifests } = await makeIndex(at('src'), ['linux/amd64', 'linux/arm64/v8']);
    const source = await openSource(`oci:${at('src')}`);
    const inner = await openDestination(`oci:${at('dst')}`);
    const order: string[] = [];
    const recording = {
      name: inner.name,
      hasBlob: (d: Descriptor) => inner.hasBlob(d),
      hasManifest: (d: Descriptor) => inner.hasManifest(d),
      pushBlob: async (...args: Parameters<typeof inner.pushBlob>) => {
        order.push(`blob ${args[0].digest}`);
        return inner.pushBlob(...args);
      },
      pushManifest: async (d: Descriptor, b: Buffer) => {
        order.push(`manifest ${d.digest}`);
        return inner.pushManifest(d, b);
      },
      tag: (d: Descriptor, b: Buffer) => inner.tag(d, b),
      commit: () => inner.commit(),
      abort: () => inner.abort(),
    };
    try {
      await copyImage(source, recording, { jobs: 3 });
    } finally {
      await source.close();
    }
    const firstManifest = order.findIndex((o) => o.startsWith('manifest'));
    expect(order.slice(firstManifest).every((o) => o.startsWith('manifest'))).toBe(true);
    expect(order.slice(firstManifest)).toEqual([...manifests.map((m) => `manifest ${m.digest}`), `manifest ${index.digest}`]);
  });
});
