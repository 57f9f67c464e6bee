/**
 * Simple signatures of images in OCI layouts: one referrer per signature,
 * the OpenPGP signed message as its layer; signed with a key file
 * (openpgp.js) and with the keyring (gpg), verified with key files, and
 * every way a stored signature can be wrong refused with its own code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { validateLayout } from '@ocikit/bundle';
import { describeWithPeers, makeGnupgHome, rejection, suiteScratch, type GnupgHome } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import { listLayoutSignatureArtifacts } from '../layout/artifacts.js';
import { makeLayoutImage } from '../test-support/layout-image.js';
import { SIMPLE_SIGNATURE_ARTIFACT_TYPE, SIMPLE_SIGNATURE_LAYER_MEDIA_TYPE, signLayoutImageSimple, verifyLayoutImageSimple } from './images.js';
import { IdentityPolicy } from './verify.js';

const IDENTITY = 'registry.example/team/app:1.0';
const PASSPHRASE = 'layout key passphrase';

describeWithPeers(['gpg'], 'simple signatures in an OCI layout', () => {
  const scratch = suiteScratch('simple-layout');
  let keys: GnupgHome;
  let secretFile: string;
  let publicFile: string;
  let strangerFile: string;

  beforeAll(async () => {
    keys = await makeGnupgHome(['Layout Signer <layout@example.com>', 'Stranger <stranger@example.com>'], { passphrase: PASSPHRASE });
    secretFile = path.join(scratch.dir, 'signer.sec.asc');
    publicFile = path.join(scratch.dir, 'signer.asc');
    strangerFile = path.join(scratch.dir, 'stranger.asc');
    keys.exportSecret(keys.fingerprints[0]!, secretFile);
    keys.exportPublic(keys.fingerprints[0]!, publicFile);
    keys.exportPublic(keys.fingerprints[1]!, strangerFile);
  });
  afterAll(() => keys?.dispose());

  const signer = () => ({ keyFile: secretFile, passphrase: PASSPHRASE });

  it('stores each signature as a referrer whose layer is the signed message, verifies it, and leaves a valid layout', async () => {
    const dir = path.join(scratch.dir, 'one');
    const { layout, manifest } = await makeLayoutImage(dir);
    const signed = await signLayoutImageSimple({ layout, reference: 'v1', dockerReference: IDENTITY, signer: signer(), optional: { build: '7' } });
    expect([signed.manifestDigest, signed.added, signed.signatureCount]).toEqual([manifest.digest, true, 1]);
    const [artifact] = await listLayoutSignatureArtifacts(layout, manifest.digest, SIMPLE_SIGNATURE_ARTIFACT_TYPE);
    expect(artifact!.manifest).toMatchObject({ artifactType: SIMPLE_SIGNATURE_ARTIFACT_TYPE, subject: { digest: manifest.digest }, layers: [{ mediaType: SIMPLE_SIGNATURE_LAYER_MEDIA_TYPE, size: signed.signature.byteLength }] });

    // Signed with the keyring through gpg too: both verify from the public key file.
    await signLayoutImageSimple({ layout, reference: manifest.digest, dockerReference: IDENTITY, signer: { signBy: keys.fingerprints[0]!, gnupgHome: keys.home, passphraseFile: writePass() } });
    const verified = await verifyLayoutImageSimple({ layout: dir, reference: 'v1', expectedReference: IDENTITY, trustedKeys: { keyFiles: [publicFile] } });
    expect([verified.manifestDigest, verified.signatureCount, verified.verified.length]).toEqual([manifest.digest, 2, 2]);
    expect(verified.verified[0]!.payload.optional).toMatchObject({ build: '7' });
    expect(verified.verified.map((v) => v.primaryKeyFingerprint)).toEqual([keys.fingerprints[0], keys.fingerprints[0]]);

    const report = await validateLayout(dir, { deep: true });
    expect([report.valid, report.errors, report.warnings]).toEqual([true, [], []]);
  });

  function writePass(): string {
    const file = path.join(scratch.dir, 'pass');
    writeFileSync(file, `${PASSPHRASE}\n`);
    return file;
  }

  it('refuses an unsigned image, another key, another identity, and a changed signature, each with its own code', async () => {
    const dir = path.join(scratch.dir, 'refusals');
    const { layout, manifest } = await makeLayoutImage(dir);
    const verify = (options: Partial<Parameters<typeof verifyLayoutImageSimple>[0]> = {}) =>
      rejection(verifyLayoutImageSimple({ layout, reference: 'v1', expectedReference: IDENTITY, trustedKeys: { keyFiles: [publicFile] }, ...options }));
    expect(await verify()).toMatchObject({ code: SignatureErrorCode.NotSigned });

    const signed = await signLayoutImageSimple({ layout, reference: 'v1', dockerReference: IDENTITY, signer: signer() });
    expect(await verify({ trustedKeys: { keyFiles: [strangerFile] } })).toMatchObject({ code: SignatureErrorCode.UntrustedKey });
    expect(await verify({ expectedReference: 'registry.example/team/app:2.0' })).toMatchObject({ code: SignatureErrorCode.IdentityMismatch });
    await expect(verifyLayoutImageSimple({ layout, reference: 'v1', expectedReference: 'registry.example/team/app:2.0', trustedKeys: { keyFiles: [publicFile] }, identityPolicy: IdentityPolicy.MatchRepository })).resolves.toMatchObject({
      manifestDigest: manifest.digest,
    });

    // The signature blob changed in place: the layout's own digest check refuses it before OpenPGP sees it.
    const [artifact] = await listLayoutSignatureArtifacts(layout, manifest.digest, SIMPLE_SIGNATURE_ARTIFACT_TYPE);
    const layer = (artifact!.manifest).layers[0]!;
    const blob = path.join(dir, 'blobs', 'sha256', layer.digest.slice('sha256:'.length));
    const bytes = readFileSync(blob);
    bytes[bytes.length - 5]! ^= 0x01;
    writeFileSync(blob, bytes);
    expect(await verify()).toMatchObject({ code: SignatureErrorCode.PayloadInvalid });
    expect(signed.signature.byteLength).toBe(bytes.byteLength);
  });
});
