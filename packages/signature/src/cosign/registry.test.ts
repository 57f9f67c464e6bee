/**
 * cosign signatures in a real docker-registry on loopback: signing appends
 * to the `.sig` tag, verifying reads what cosign would have written.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Layout } from '@ocikit/bundle';
import { RegistryClient, type Repository } from '@ocikit/distribution';
import { MediaType, type Descriptor, type ImageManifest } from '@ocikit/image-spec';
import { describeWithPeers, rejection, scratch, startRegistry, type RunningRegistry } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import { IdentityPolicy } from '../simple-signing/verify.js';
import { handMadeCosignSignature, handMadeKey, sha256Digest } from '../test-support/cosign.js';
import { signLayoutImageCosign } from './layout.js';
import { cosignSignatureTag, signImageCosign, verifyImageCosign } from './registry.js';
import { COSIGN_SIGNATURE_ANNOTATION, COSIGN_SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';
import { COSIGN_SIGNATURE_ARTIFACT_TYPE } from './stored.js';

async function push(repo: Repository, bytes: Buffer, mediaType: string): Promise<Descriptor> {
  const desc = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
  await repo.pushBlob(desc, () =>
    (async function* () {
      await Promise.resolve();
      yield bytes;
    })(),
  );
  return desc;
}

/** A small image (empty config, one random layer) tagged `tag`; its manifest digest. */
async function pushImage(repo: Repository, tag: string): Promise<string> {
  const config = await push(repo, Buffer.from('{}'), MediaType.EmptyJSON);
  const layer = await push(repo, randomBytes(1024), MediaType.ImageLayer);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageManifest, artifactType: 'application/vnd.example.test', config, layers: [layer] }));
  return (await repo.putManifest(tag, manifest, MediaType.ImageManifest)).digest;
}

/** A signature manifest as these tests read it. */
interface SignatureManifest {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

async function getJson(repo: Repository, reference: string): Promise<SignatureManifest> {
  return JSON.parse((await repo.getManifest(reference)).bytes.toString('utf8'));
}

async function blobJson(repo: Repository, desc: Descriptor): Promise<{ rootfs: { diff_ids: string[] } }> {
  const parts: Buffer[] = [];
  for await (const c of repo.fetchBlob(desc)) parts.push(c);
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

/** Copy the manifest `desc` of `layout` and the blobs it names to `repo`, under `reference` (a tag, or its digest). */
async function copyManifest(layout: Layout, desc: Descriptor, repo: Repository, reference: string): Promise<Descriptor> {
  const bytes = await layout.readBlob(desc, 1 << 20);
  const doc = JSON.parse(bytes.toString('utf8')) as ImageManifest;
  for (const blob of [doc.config, ...doc.layers]) await push(repo, await layout.readBlob(blob, 1 << 20), blob.mediaType);
  return repo.putManifest(reference, bytes, desc.mediaType);
}

describeWithPeers(['docker-registry'], 'cosign signatures in docker-registry', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const alice = handMadeKey();
  const bob = handMadeKey();

  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient(registry.host, { tlsVerify: false });
  });
  afterAll(async () => {
    client?.close();
    await registry?.stop();
  });

  it('stores two signers side by side under sha256-HEX.sig, each verifying with its own key', async () => {
    const repo = client.repository('team/app');
    const digest = await pushImage(repo, '1.0');
    const first = await signImageCosign({ repository: repo, reference: '1.0', privateKey: alice.privateKey });
    expect(first).toMatchObject({ manifestDigest: digest, signatureTag: cosignSignatureTag(digest), added: true, signatureCount: 1 });
    expect(first.signatureTag).toBe(`sha256-${digest.slice('sha256:'.length)}.sig`);
    const second = await signImageCosign({ repository: repo, reference: '1.0', privateKey: bob.privateKey, optional: { by: 'bob' } });
    expect(second).toMatchObject({ added: true, signatureCount: 2 });

    // The shape cosign writes: an OCI manifest, an image config recording each payload, one annotated layer per signature.
    const sig = await getJson(repo, first.signatureTag);
    expect(sig.mediaType).toBe(MediaType.ImageManifest);
    expect(sig.config.mediaType).toBe(MediaType.ImageConfig);
    expect(sig.layers).toHaveLength(2);
    for (const [i, s] of [first, second].entries()) {
      expect(sig.layers[i]).toEqual({ mediaType: COSIGN_SIMPLE_SIGNING_MEDIA_TYPE, size: s.payload.byteLength, digest: sha256Digest(s.payload), annotations: { [COSIGN_SIGNATURE_ANNOTATION]: s.signature } });
    }
    const config = await blobJson(repo, sig.config);
    expect(config).toEqual({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }, { created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: [sha256Digest(first.payload), sha256Digest(second.payload)] },
      config: {},
    });

    for (const key of [alice, bob]) {
      const v = await verifyImageCosign({ repository: repo, reference: '1.0', publicKey: key.publicPem });
      expect(v).toMatchObject({ manifestDigest: digest, signatureCount: 2 });
      expect(v.verified).toHaveLength(1);
      expect(v.verified[0]!.payload.dockerReference).toBe(`${registry.host}/team/app:1.0`);
    }
    // By digest, the signature made for the tag names the same repository.
    await expect(verifyImageCosign({ repository: repo, reference: digest, publicKey: bob.publicKey })).resolves.toMatchObject({ manifestDigest: digest });
    // A third key verifies nothing.
    expect(await rejection(verifyImageCosign({ repository: repo, reference: '1.0', publicKey: handMadeKey().publicKey }))).toMatchObject({ code: SignatureErrorCode.BadSignature });
  });

  it('does not store the same signature twice', async () => {
    const repo = client.repository('team/dedupe');
    await pushImage(repo, 'v1');
    const first = await signImageCosign({ repository: repo, reference: 'v1', privateKey: alice.privateKey });
    const again = await signImageCosign({ repository: repo, reference: 'v1', privateKey: alice.privateKey });
    expect(again).toMatchObject({ added: false, signatureCount: 1, signatureManifest: first.signatureManifest });
    expect((await getJson(repo, first.signatureTag)).layers).toHaveLength(1);
  });

  it('refuses an unsigned image with its own code', async () => {
    const repo = client.repository('team/unsigned');
    await pushImage(repo, 'v1');
    expect(await rejection(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicKey }))).toMatchObject({
      name: 'SignatureError',
      code: SignatureErrorCode.NotSigned,
    });
  });

  it('refuses a payload blob changed in the registry storage', async () => {
    const repo = client.repository('team/tampered');
    await pushImage(repo, 'v1');
    const signed = await signImageCosign({ repository: repo, reference: 'v1', privateKey: alice.privateKey });
    await expect(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicKey })).resolves.toBeDefined();
    const hex = sha256Digest(signed.payload).slice('sha256:'.length);
    const file = path.join(registry.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const data = await readFile(file);
    // Same length, another identity: `team` becomes `tean`.
    const at = data.indexOf('team/tampered');
    data[at + 3] = 'n'.charCodeAt(0);
    await writeFile(file, data);
    const err = await rejection(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicKey }));
    expect(err).toMatchObject({ name: 'SignatureError', code: SignatureErrorCode.PayloadInvalid });
    expect(err.message).toContain(`the payload blob sha256:${hex} is not as its descriptor names it`);
  });

  it('verifies a signature stored by hand exactly as cosign stores it, and appends to it without losing it', async () => {
    const repo = client.repository('team/by-cosign');
    const digest = await pushImage(repo, 'v1');
    // What `cosign sign --key` pushes: payload naming the repository alone, "optional": null.
    const made = handMadeCosignSignature(alice.privateKey, `${registry.host}/team/by-cosign`, digest);
    const layer = await push(repo, made.payload, COSIGN_SIMPLE_SIGNING_MEDIA_TYPE);
    const config = await push(
      repo,
      Buffer.from(`{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["${layer.digest}"]},"config":{}}`),
      MediaType.ImageConfig,
    );
    const manifest = Buffer.from(
      `{"schemaVersion":2,"mediaType":"${MediaType.ImageManifest}","config":{"mediaType":"${config.mediaType}","size":${config.size},"digest":"${config.digest}"},"layers":[{"mediaType":"${COSIGN_SIMPLE_SIGNING_MEDIA_TYPE}","size":${layer.size},"digest":"${layer.digest}","annotations":{"${COSIGN_SIGNATURE_ANNOTATION}":"${made.signature}"}}]}`,
    );
    const tag = `sha256-${digest.slice('sha256:'.length)}.sig`;
    await repo.putManifest(tag, manifest, MediaType.ImageManifest);

    const byRepo = await verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicPem, identityPolicy: IdentityPolicy.MatchRepository });
    expect(byRepo.verified[0]!.payload.optional).toEqual({});
    // cosign names only the repository: the exact policy refuses that, and says so.
    expect(await rejection(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicPem }))).toMatchObject({ code: SignatureErrorCode.IdentityMismatch });

    await signImageCosign({ repository: repo, reference: 'v1', privateKey: bob.privateKey });
    const after = await getJson(repo, tag);
    expect(after.layers).toHaveLength(2);
    expect(after.layers[0]).toEqual((JSON.parse(manifest.toString()) as SignatureManifest).layers[0]);
    expect((await blobJson(repo, after.config)).rootfs.diff_ids).toEqual([layer.digest, after.layers[1]!.digest]);
    await expect(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicKey, identityPolicy: IdentityPolicy.MatchRepository })).resolves.toBeDefined();
    await expect(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: bob.publicKey })).resolves.toBeDefined();
  });

  it('verifies signatures stored as referrers (a layout signed by ocikit, copied with its referrers), beside the .sig tag', async () => {
    const repo = client.repository('team/referred');
    const digest = await pushImage(repo, 'v1');
    const identity = `${registry.host}/team/referred:v1`;
    // The image in a layout, signed there, then the image and its signature artifact copied to the registry.
    const dir = scratch('cosign-referrers');
    try {
      const layout = await Layout.create(dir.dir);
      const { descriptor, bytes } = await repo.getManifest('v1');
      const doc = JSON.parse(bytes.toString('utf8')) as ImageManifest;
      for (const blob of [doc.config, ...doc.layers]) {
        const parts: Buffer[] = [];
        for await (const c of repo.fetchBlob(blob)) parts.push(c);
        await layout.writeBlob(Buffer.concat(parts));
      }
      await layout.writeBlob(bytes);
      await layout.setRef('v1', descriptor);
      const signed = await signLayoutImageCosign({ layout, reference: 'v1', privateKey: alice.privateKey, dockerReference: identity });
      expect(signed.manifestDigest).toBe(digest);
      await copyManifest(layout, signed.signatureManifest, repo, signed.signatureManifest.digest);
    } finally {
      dir.cleanup();
    }
    // docker-registry has no referrers API: the client kept the fallback tag, which the verifier reads.
    const listed = await repo.referrers(digest, { artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE });
    expect(listed).toHaveLength(1);
    const byReferrer = await verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicKey });
    expect(byReferrer).toMatchObject({ manifestDigest: digest, signatureCount: 1, signatureManifests: [{ digest: listed[0]!.digest }] });
    expect(byReferrer.verified[0]!.payload.dockerReference).toBe(identity);
    expect(await rejection(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: bob.publicKey }))).toMatchObject({ code: SignatureErrorCode.BadSignature });

    // signImageCosign still writes the .sig tag (what `cosign verify` reads); both kinds count.
    const bySig = await signImageCosign({ repository: repo, reference: 'v1', privateKey: bob.privateKey });
    expect(bySig).toMatchObject({ added: true, signatureCount: 1 });
    for (const key of [alice, bob]) {
      await expect(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: key.publicKey })).resolves.toMatchObject({ signatureCount: 2 });
    }
  });

  it('passes over a referrer listed for the image that is not a signature of it', async () => {
    const repo = client.repository('team/stale-referrer');
    const digest = await pushImage(repo, 'v1');
    const other = await pushImage(repo, 'other');
    const empty = await push(repo, Buffer.from('{}'), MediaType.EmptyJSON);
    const made = handMadeCosignSignature(alice.privateKey, `${registry.host}/team/stale-referrer:v1`, digest);
    const payload = await push(repo, made.payload, COSIGN_SIMPLE_SIGNING_MEDIA_TYPE);
    // A good signature of this image whose manifest names another subject: pushed for `other`, then listed by hand under this image's fallback tag.
    const artifact = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE,
        config: empty,
        layers: [{ ...payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: made.signature } }],
        subject: { mediaType: MediaType.ImageManifest, digest: other, size: (await repo.getManifest(other)).bytes.length },
      }),
    );
    const pushed = await repo.putManifest(sha256Digest(artifact), artifact, MediaType.ImageManifest);
    const fallback = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [{ ...pushed, artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE }] }));
    await repo.putManifest(`sha256-${digest.slice('sha256:'.length)}`, fallback, MediaType.ImageIndex);
    expect(await repo.referrers(digest, { artifactType: COSIGN_SIGNATURE_ARTIFACT_TYPE })).toHaveLength(1);
    expect(await rejection(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicKey }))).toMatchObject({ code: SignatureErrorCode.NotSigned });
  });

  it('refuses a signature tag that holds something other than a signature manifest', async () => {
    const repo = client.repository('team/odd');
    const digest = await pushImage(repo, 'v1');
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [] }));
    await repo.putManifest(cosignSignatureTag(digest), index, MediaType.ImageIndex);
    expect(await rejection(verifyImageCosign({ repository: repo, reference: 'v1', publicKey: alice.publicKey }))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    expect(await rejection(signImageCosign({ repository: repo, reference: 'v1', privateKey: alice.privateKey }))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
  });
});
