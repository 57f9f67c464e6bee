/**
 * The format-agnostic store of signature artifacts in a layout: what it
 * writes, what it finds (index.json and referrers only in the store), what
 * it refuses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Layout } from '@ocikit/bundle';
import { MediaType, type ImageIndex } from '@ocikit/image-spec';
import { rejection, testScratch } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import { listLayoutSignatureArtifacts, putLayoutSignatureArtifact, readLayoutArtifactLayer } from './artifacts.js';

const SIG = 'application/vnd.example.signature';
const OTHER = 'application/vnd.example.sbom';

async function twoSubjects(dir: string) {
  const layout = await Layout.create(dir);
  const config = await layout.writeJson({}, MediaType.EmptyJSON);
  const a = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.ImageManifest, artifactType: 'application/vnd.example.a', config, layers: [config] }, MediaType.ImageManifest);
  const b = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.ImageManifest, artifactType: 'application/vnd.example.b', config, layers: [config] }, MediaType.ImageManifest);
  await layout.setRef('a', a);
  await layout.setRef('b', b);
  return { layout, a, b };
}

describe('signature artifacts in a layout', () => {
  const scratch = testScratch('layout-artifacts');

  it('lists the artifacts of one type for one subject, from index.json and from the store', async () => {
    const { layout, a, b } = await twoSubjects(scratch.dir);
    const layer = { mediaType: 'application/vnd.example.sig.data', bytes: Buffer.from('signature one'), annotations: { 'org.example.k': 'v' } };
    const put = await putLayoutSignatureArtifact(layout, { subject: a, artifactType: SIG, layers: [layer], annotations: { 'org.example.made-by': 'test' } });
    expect(put).toMatchObject({ added: true, descriptor: { mediaType: MediaType.ImageManifest, artifactType: SIG } });
    await putLayoutSignatureArtifact(layout, { subject: b, artifactType: SIG, layers: [{ mediaType: 'x/y', bytes: Buffer.from('for b') }] });
    await putLayoutSignatureArtifact(layout, { subject: a, artifactType: OTHER, layers: [{ mediaType: 'x/y', bytes: Buffer.from('an sbom') }] });

    const index = JSON.parse(readFileSync(path.join(scratch.dir, 'index.json'), 'utf8')) as ImageIndex;
    expect(index.manifests.filter((d) => d.artifactType === SIG)).toHaveLength(2);
    expect(index.manifests.filter((d) => d.annotations?.['org.opencontainers.image.ref.name'] !== undefined)).toHaveLength(2);

    const found = await listLayoutSignatureArtifacts(layout, a.digest, SIG);
    expect(found.map((f) => f.descriptor)).toEqual([put.descriptor]);
    expect(found[0]!.manifest).toMatchObject({ artifactType: SIG, subject: { digest: a.digest }, annotations: { 'org.example.made-by': 'test' }, layers: [{ annotations: { 'org.example.k': 'v' } }] });
    expect(await readLayoutArtifactLayer(layout, found[0]!.manifest.layers[0]!, 1024)).toEqual(layer.bytes);
    await expect(rejection(readLayoutArtifactLayer(layout, found[0]!.manifest.layers[0]!, 4))).resolves.toMatchObject({ code: SignatureErrorCode.PayloadInvalid });

    // A referrer copied in without an index.json entry is found too.
    const config = await layout.writeJson({}, MediaType.EmptyJSON);
    const data = await layout.writeBlob(Buffer.from('copied in'));
    const unlisted = await layout.writeJson(
      { schemaVersion: 2, mediaType: MediaType.ImageManifest, artifactType: SIG, config, layers: [{ mediaType: 'x/y', ...data }], subject: { mediaType: a.mediaType, digest: a.digest, size: a.size } },
      MediaType.ImageManifest,
    );
    expect((await listLayoutSignatureArtifacts(layout, a.digest, SIG)).map((f) => f.descriptor.digest)).toEqual([put.descriptor.digest, unlisted.digest]);
  });

  it('writes nothing for an artifact already there, or one the caller calls a duplicate', async () => {
    const { layout, a } = await twoSubjects(scratch.dir);
    const options = { subject: a, artifactType: SIG, layers: [{ mediaType: 'x/y', bytes: Buffer.from('same') }] };
    const first = await putLayoutSignatureArtifact(layout, options);
    await expect(putLayoutSignatureArtifact(layout, options)).resolves.toMatchObject({ added: false, descriptor: first.descriptor });
    const other = { ...options, layers: [{ mediaType: 'x/y', bytes: Buffer.from('other') }] };
    await expect(putLayoutSignatureArtifact(layout, { ...other, isDuplicate: () => true })).resolves.toMatchObject({ added: false, descriptor: first.descriptor, artifacts: [{ descriptor: first.descriptor }] });
    await expect(putLayoutSignatureArtifact(layout, { ...other, isDuplicate: () => false })).resolves.toMatchObject({ added: true });
  });

  it('refuses no layers, a subject not in the layout, and an artifact that is not what index.json says', async () => {
    const { layout, a } = await twoSubjects(scratch.dir);
    expect(await rejection(putLayoutSignatureArtifact(layout, { subject: a, artifactType: SIG, layers: [] }))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    const absent = { mediaType: MediaType.ImageManifest, digest: `sha256:${'0'.repeat(64)}`, size: 2 };
    expect(await rejection(putLayoutSignatureArtifact(layout, { subject: absent, artifactType: SIG, layers: [{ mediaType: 'x/y', bytes: Buffer.from('x') }] }))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    // index.json says SIG, the manifest says otherwise.
    const liar = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.ImageManifest, artifactType: OTHER, config: (await layout.writeJson({}, MediaType.EmptyJSON)), layers: [], subject: a }, MediaType.ImageManifest);
    await layout.updateIndex((index) => ({ ...index, manifests: [...index.manifests, { ...liar, artifactType: SIG }] }));
    expect(await rejection(listLayoutSignatureArtifacts(layout, a.digest, SIG))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
  });
});
