/**
 * cosign signatures in OCI layouts: one referrer per signature, listed in
 * index.json; verified with the refusals of the registry; left in a layout
 * that umoci, skopeo and ocikit's deep validation still accept.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { validateLayout } from '@ocikit/bundle';
import { EMPTY_DESCRIPTOR, MediaType, type ImageIndex, type ImageManifest } from '@ocikit/image-spec';
import { describeWithPeers, rejection, testScratch } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import { listLayoutSignatureArtifacts } from '../layout/artifacts.js';
import { IdentityPolicy } from '../simple-signing/verify.js';
import { handMadeCosignSignature, handMadeKey, sha256Digest } from '../test-support/cosign.js';
import { makeLayoutImage } from '../test-support/layout-image.js';
import { signLayoutImageCosign, verifyLayoutImageCosign } from './layout.js';
import { COSIGN_SIGNATURE_ANNOTATION, COSIGN_SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';
import { COSIGN_SIGNATURE_ARTIFACT_TYPE } from './stored.js';

const IDENTITY = 'registry.example/team/app:1.0';

function readIndex(dir: string): ImageIndex {
  return JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as ImageIndex;
}

function blobFile(dir: string, digest: string): string {
  return path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

describe('cosign signatures in an OCI layout', () => {
  const scratch = testScratch('cosign-layout');
  const alice = handMadeKey();
  const bob = handMadeKey();

  it('stores each signature as a referrer listed in index.json, and verifies it', async () => {
    const { layout, manifest } = await makeLayoutImage(scratch.dir);
    const signed = await signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: IDENTITY, optional: { by: 'alice' } });
    expect(signed).toMatchObject({ manifestDigest: manifest.digest, added: true, signatureCount: 1 });

    // cosign's OCI 1.1 shape: artifactType, the empty config, one payload layer with its signature, the subject.
    const doc = JSON.parse(readFileSync(blobFile(scratch.dir, signed.signatureManifest.digest), 'utf8')) as ImageManifest;
    expect(doc).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE,
      config: { mediaType: MediaType.EmptyJSON, digest: EMPTY_DESCRIPTOR.digest, size: 2 },
      layers: [{ mediaType: COSIGN_SIMPLE_SIGNING_MEDIA_TYPE, digest: sha256Digest(signed.payload), size: signed.payload.byteLength, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signed.signature } }],
      subject: { mediaType: MediaType.ImageManifest, digest: manifest.digest, size: manifest.size },
    });
    expect(readFileSync(blobFile(scratch.dir, EMPTY_DESCRIPTOR.digest), 'utf8')).toBe('{}');
    // Listed in index.json by its artifact type, with no name: the image keeps its one name.
    const index = readIndex(scratch.dir);
    expect(index.manifests).toHaveLength(2);
    expect(index.manifests[1]).toEqual({ ...signed.signatureManifest, artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE });
    expect((await layout.listRefs()).map((r) => r.name)).toEqual(['v1']);

    const v = await verifyLayoutImageCosign({ layout: scratch.dir, reference: 'v1', publicKey: alice.publicPem, expectedReference: IDENTITY });
    expect(v).toMatchObject({ manifestDigest: manifest.digest, signatureCount: 1, signatureManifests: [signed.signatureManifest] });
    expect(v.verified[0]!.payload).toMatchObject({ dockerReference: IDENTITY, manifestDigest: manifest.digest, optional: { by: 'alice' } });
    // By digest too.
    await expect(verifyLayoutImageCosign({ layout, reference: manifest.digest, publicKey: alice.publicKey, expectedReference: IDENTITY })).resolves.toMatchObject({ signatureCount: 1 });
  });

  it('refuses another key, a wrong identity and an unsigned image, each with its own code', async () => {
    const { layout } = await makeLayoutImage(scratch.dir);
    const verify = (over: Partial<Parameters<typeof verifyLayoutImageCosign>[0]>) =>
      rejection(verifyLayoutImageCosign({ layout, reference: 'v1', publicKey: alice.publicKey, expectedReference: IDENTITY, ...over }));
    expect(await verify({})).toMatchObject({ name: 'SignatureError', code: SignatureErrorCode.NotSigned });

    await signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: IDENTITY });
    expect(await verify({ publicKey: bob.publicKey })).toMatchObject({ code: SignatureErrorCode.BadSignature });
    const wrong = await verify({ expectedReference: 'registry.example/team/other:1.0' });
    expect(wrong).toMatchObject({ code: SignatureErrorCode.IdentityMismatch });
    expect(wrong.message).toContain('none of the 1 cosign signatures of layout');
    // Another tag of the same repository: only repository matching accepts it.
    expect(await verify({ expectedReference: 'registry.example/team/app:2.0' })).toMatchObject({ code: SignatureErrorCode.IdentityMismatch });
    await expect(verifyLayoutImageCosign({ layout, reference: 'v1', publicKey: alice.publicKey, expectedReference: 'registry.example/team/app:2.0', identityPolicy: IdentityPolicy.MatchRepository })).resolves.toBeDefined();

    // With a foreign signature beside a good one for another identity, the closest refusal is reported.
    await signLayoutImageCosign({ layout, reference: 'v1', privateKey: bob.privateKey, dockerReference: IDENTITY });
    expect(await verify({ expectedReference: 'registry.example/team/other:1.0' })).toMatchObject({ code: SignatureErrorCode.IdentityMismatch });
  });

  it('refuses a payload blob changed in the layout', async () => {
    const { layout } = await makeLayoutImage(scratch.dir);
    const signed = await signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: IDENTITY });
    const file = blobFile(scratch.dir, sha256Digest(signed.payload));
    const data = readFileSync(file);
    // Same length, another identity: `team` becomes `tean`.
    data[data.indexOf('team/app') + 3] = 'n'.charCodeAt(0);
    writeFileSync(file, data);
    const err = await rejection(verifyLayoutImageCosign({ layout, reference: 'v1', publicKey: alice.publicKey, expectedReference: IDENTITY }));
    expect(err).toMatchObject({ name: 'SignatureError', code: SignatureErrorCode.PayloadInvalid });
    expect(err.message).toContain(`the blob ${sha256Digest(signed.payload)} is not as its descriptor names it`);
  });

  it('refuses a signature annotation replaced in a rewritten artifact, and an artifact edited in place', async () => {
    const { layout, manifest } = await makeLayoutImage(scratch.dir);
    const signed = await signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: IDENTITY });
    const doc = JSON.parse(readFileSync(blobFile(scratch.dir, signed.signatureManifest.digest), 'utf8')) as ImageManifest;
    // A signature of other bytes by the same key: well-formed, and wrong for this payload.
    const other = handMadeCosignSignature(alice.privateKey, IDENTITY, manifest.digest);
    doc.layers[0]!.annotations = { [COSIGN_SIGNATURE_ANNOTATION]: other.signature };
    const forged = await layout.writeJson(doc, MediaType.ImageManifest);
    await layout.updateIndex((index) => ({ ...index, manifests: index.manifests.map((d) => (d.digest === signed.signatureManifest.digest ? { ...forged, artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE } : d)) }));
    // The original manifest is still in the store as a referrer: remove it, so only the forged one is there.
    rmSync(blobFile(scratch.dir, signed.signatureManifest.digest));
    expect(await rejection(verifyLayoutImageCosign({ layout, reference: 'v1', publicKey: alice.publicKey, expectedReference: IDENTITY }))).toMatchObject({ code: SignatureErrorCode.BadSignature });

    // Edited in place, the artifact no longer has the digest it is stored under: the storage is refused.
    const file = blobFile(scratch.dir, forged.digest);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(other.signature) + 2;
    bytes[at] = bytes[at]! ^ 1;
    writeFileSync(file, bytes);
    expect(await rejection(verifyLayoutImageCosign({ layout, reference: 'v1', publicKey: alice.publicKey, expectedReference: IDENTITY }))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
  });

  it('does not store the same signature twice, and keeps every signer', async () => {
    const { layout, manifest } = await makeLayoutImage(scratch.dir);
    const first = await signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: IDENTITY });
    const before = readFileSync(path.join(scratch.dir, 'index.json'), 'utf8');
    const again = await signLayoutImageCosign({ layout, reference: manifest.digest, privateKey: alice.privateKey, dockerReference: IDENTITY });
    expect(again).toMatchObject({ added: false, signatureCount: 1, signatureManifest: first.signatureManifest });
    expect(readFileSync(path.join(scratch.dir, 'index.json'), 'utf8')).toBe(before);
    // Another identity is another signature.
    await expect(signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: 'registry.example/team/app:latest' })).resolves.toMatchObject({ added: true, signatureCount: 2 });
    await expect(signLayoutImageCosign({ layout, reference: 'v1', privateKey: bob.privateKey, dockerReference: IDENTITY })).resolves.toMatchObject({ added: true, signatureCount: 3 });
    expect(await listLayoutSignatureArtifacts(layout, manifest.digest, COSIGN_SIGNATURE_ARTIFACT_TYPE)).toHaveLength(3);
  });

  it('lands every signature of signers working at once (the layout lock)', async () => {
    const { layout, manifest } = await makeLayoutImage(scratch.dir);
    const keys = [alice, bob, handMadeKey(), handMadeKey()];
    const results = await Promise.all(keys.map((k) => signLayoutImageCosign({ layout: scratch.dir, reference: 'v1', privateKey: k.privateKey, dockerReference: IDENTITY })));
    expect(results.every((r) => r.added)).toBe(true);
    expect(readIndex(scratch.dir).manifests.filter((d) => d.artifactType === COSIGN_SIGNATURE_ARTIFACT_TYPE)).toHaveLength(keys.length);
    for (const k of keys) {
      await expect(verifyLayoutImageCosign({ layout, reference: 'v1', publicKey: k.publicKey, expectedReference: IDENTITY })).resolves.toMatchObject({ manifestDigest: manifest.digest, signatureCount: keys.length });
    }
    // The same signer twice at once: one lands.
    const twice = await Promise.all([0, 1].map(() => signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: 'registry.example/team/app:twice' })));
    expect(twice.filter((r) => r.added)).toHaveLength(1);
  });

  it('leaves a layout that validates deep, without a finding of any level', async () => {
    const { layout } = await makeLayoutImage(scratch.dir);
    await signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: IDENTITY });
    await signLayoutImageCosign({ layout, reference: 'v1', privateKey: bob.privateKey, dockerReference: IDENTITY });
    const result = await validateLayout(scratch.dir, { deep: true });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([]);
  });
});

describeWithPeers(['umoci', 'skopeo'], 'a layout signed with cosign keys, read by umoci and skopeo', () => {
  const scratch = testScratch('cosign-layout-peers');
  const alice = handMadeKey();

  const run = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
    return r.stdout;
  };

  it('is still an image umoci and skopeo list, inspect, copy and collect garbage in', async () => {
    const dir = path.join(scratch.dir, 'L');
    run('umoci', ['init', '--layout', dir]);
    run('umoci', ['new', '--image', `${dir}:t`]);
    const signed = await signLayoutImageCosign({ layout: dir, reference: 't', privateKey: alice.privateKey, dockerReference: IDENTITY });

    expect(run('umoci', ['ls', '--layout', dir]).split('\n').filter(Boolean)).toEqual(['t']);
    expect(run('umoci', ['stat', '--image', `${dir}:t`])).toContain('LAYER');
    const inspected = JSON.parse(run('skopeo', ['inspect', `oci:${dir}:t`])) as { Digest: string };
    expect(inspected.Digest).toBe(signed.manifestDigest);
    const copy = path.join(scratch.dir, 'copy');
    run('skopeo', ['--insecure-policy', 'copy', `oci:${dir}:t`, `oci:${copy}:t`]);
    expect(JSON.parse(run('skopeo', ['inspect', `oci:${copy}:t`]))).toMatchObject({ Digest: signed.manifestDigest });

    // umoci gc keeps what index.json lists: the signature stays and still verifies.
    run('umoci', ['gc', '--layout', dir]);
    await expect(verifyLayoutImageCosign({ layout: dir, reference: 't', publicKey: alice.publicKey, expectedReference: IDENTITY })).resolves.toMatchObject({ signatureCount: 1 });
    expect((await validateLayout(dir, { deep: true })).errors).toEqual([]);
  });
});
