/**
 * Simple signing against the real thing: signatures made by skopeo verify
 * here, signatures made here verify with skopeo, and each way a signature can
 * be wrong is refused with its own code.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { digestOf } from '@ocikit/digest';
import { describeWithPeers, type GnupgHome, makeGnupgHome } from '@ocikit/testkit';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignatureErrorCode } from '../errors.js';
import { codeOf } from '../test-support/code-of.js';
import { gpgSign } from './gpg.js';
import { buildSimpleSigningPayload } from './payload.js';
import { verifySimpleSignature, signSimple } from './verify.js';

const MANIFEST = new TextEncoder().encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);
const REF = 'localhost:5000/ocikit/signed:1.0';

describeWithPeers(['gpg', 'skopeo'], 'simple signing interop with skopeo', () => {
  let keys: GnupgHome;
  let dir: string;
  let trusted: string;
  let stranger: string;
  const skopeo = (args: string[]) => spawnSync('skopeo', args, { env: keys.env, encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    keys = await makeGnupgHome(['Ocikit Trusted <trusted@example.com>', 'Ocikit Stranger <stranger@example.com>']);
    dir = await mkdtemp(path.join(tmpdir(), 'ocikit-sig-'));
    await writeFile(path.join(dir, 'manifest.json'), MANIFEST);
    trusted = path.join(dir, 'trusted.asc');
    stranger = path.join(dir, 'stranger.asc');
    keys.exportPublic(keys.fingerprints[0]!, trusted);
    keys.exportPublic(keys.fingerprints[1]!, stranger);
  }, 120_000);

  afterAll(async () => {
    await keys?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const fpr = () => keys.fingerprints[0]!;

  it('verifies a signature made by skopeo standalone-sign', async () => {
    const sig = path.join(dir, 'skopeo.sig');
    const r = skopeo(['standalone-sign', path.join(dir, 'manifest.json'), REF, fpr(), '-o', sig]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Trusted through a key file: openpgp.js verifies, no gpg involved.
    const v = await verifySimpleSignature({ signature: await readFile(sig), manifest: MANIFEST, expectedReference: REF, trustedKeys: { keyFiles: [trusted] } });
    expect(v.primaryKeyFingerprint).toBe(fpr());
    expect(await codeOf(verifySimpleSignature({ signature: await readFile(sig), manifest: MANIFEST, expectedReference: REF, trustedKeys: { keyFiles: [stranger] } }))).toBe(
      SignatureErrorCode.UntrustedKey,
    );
    expect(v.payload.dockerReference).toBe(REF);
    expect(v.payload.creator).toMatch(/^atomic /);
    // The same signature, trusted by fingerprint in the signer's own keyring.
    const w = await verifySimpleSignature({ signature: await readFile(sig), manifest: MANIFEST, expectedReference: REF, trustedKeys: { gnupgHome: keys.home, fingerprints: [fpr()] } });
    expect(w.manifestDigest).toBe(v.manifestDigest);
  });

  it('makes signatures that skopeo standalone-verify accepts', async () => {
    const signed = await signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: fpr(), gnupgHome: keys.home, creator: 'ocikit test' });
    const sig = path.join(dir, 'ours.sig');
    await writeFile(sig, signed.signature);
    const r = skopeo(['standalone-verify', path.join(dir, 'manifest.json'), REF, fpr(), sig]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(signed.manifestDigest);
    // skopeo refuses it for another reference, as we do.
    expect(skopeo(['standalone-verify', path.join(dir, 'manifest.json'), 'localhost:5000/ocikit/other:1.0', fpr(), sig]).status).not.toBe(0);
  });

  it('makes signatures from a passphrase-protected key file (openpgp.js) that skopeo standalone-verify accepts', async () => {
    const locked = await makeGnupgHome(['Ocikit Key File <keyfile@example.com>', 'Ocikit Other <other@example.com>'], { passphrase: 'open sesame' });
    try {
      const [own, other] = locked.fingerprints as [string, string];
      const keyFile = path.join(dir, 'keyfile-secret.asc');
      locked.exportSecret(own, keyFile);
      const signed = await signSimple({ manifest: MANIFEST, dockerReference: REF, keyFile, passphrase: 'open sesame', creator: 'ocikit test' });
      const sig = path.join(dir, 'keyfile.sig');
      await writeFile(sig, signed.signature);
      const run = (fingerprint: string) => spawnSync('skopeo', ['standalone-verify', path.join(dir, 'manifest.json'), REF, fingerprint, sig], { env: locked.env, encoding: 'utf8', timeout: 120_000 });
      const r = run(own);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(signed.manifestDigest);
      // skopeo refuses it for another key of the same keyring.
      expect(run(other).status).not.toBe(0);
      // And the gpg route reads it as the openpgp.js route does.
      const byGpg = await verifySimpleSignature({ signature: signed.signature, manifest: MANIFEST, expectedReference: REF, trustedKeys: { gnupgHome: locked.home, fingerprints: [own] } });
      expect(byGpg.payload.creator).toBe('ocikit test');
      expect(await codeOf(signSimple({ manifest: MANIFEST, dockerReference: REF, keyFile, passphrase: 'wrong' }))).toBe(SignatureErrorCode.WrongPassphrase);
    } finally {
      await locked.dispose();
    }
  }, 120_000);

  it('refuses a tampered manifest, a wrong reference, an untrusted key, a corrupted signature', async () => {
    const signed = await signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: fpr(), gnupgHome: keys.home });
    const base = { signature: signed.signature, manifest: MANIFEST, expectedReference: REF, trustedKeys: { keyFiles: [trusted] } };
    await expect(verifySimpleSignature(base)).resolves.toBeDefined();

    const tampered = new Uint8Array(MANIFEST);
    tampered[tampered.length - 2] = 0x20;
    expect(await codeOf(verifySimpleSignature({ ...base, manifest: tampered }))).toBe(SignatureErrorCode.DigestMismatch);
    expect(await codeOf(verifySimpleSignature({ ...base, expectedReference: 'localhost:5000/ocikit/signed:2.0' }))).toBe(SignatureErrorCode.IdentityMismatch);
    expect(await codeOf(verifySimpleSignature({ ...base, trustedKeys: { keyFiles: [stranger] } }))).toBe(SignatureErrorCode.UntrustedKey);
    expect(await codeOf(verifySimpleSignature({ ...base, trustedKeys: { gnupgHome: keys.home, fingerprints: [keys.fingerprints[1]!] } }))).toBe(SignatureErrorCode.UntrustedKey);

    const byStranger = await signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: keys.fingerprints[1]!, gnupgHome: keys.home });
    expect(await codeOf(verifySimpleSignature({ ...base, signature: byStranger.signature }))).toBe(SignatureErrorCode.UntrustedKey);

    // gpg compresses by default: a flipped byte near the end breaks the compressed stream or the signature value.
    const flipped = new Uint8Array(signed.signature);
    flipped[flipped.length - 10] = flipped[flipped.length - 10]! ^ 0x01;
    expect(await codeOf(verifySimpleSignature({ ...base, signature: flipped }))).toBe(SignatureErrorCode.BadSignature);
    // Uncompressed, a flipped byte inside the signed payload is gpg's BADSIG.
    const plain = spawnSync('gpg', ['--batch', '--no-tty', '--compress-algo', 'none', '--sign', '--local-user', fpr(), '--output', '-'], {
      env: keys.env,
      input: signed.payload,
      timeout: 60_000,
    });
    expect(plain.status).toBe(0);
    await expect(verifySimpleSignature({ ...base, signature: new Uint8Array(plain.stdout) })).resolves.toBeDefined();
    const inside = new Uint8Array(plain.stdout);
    const at = Buffer.from(inside).indexOf('docker-reference');
    expect(at).toBeGreaterThan(0);
    inside[at] = inside[at]! ^ 0x01;
    expect(await codeOf(verifySimpleSignature({ ...base, signature: inside }))).toBe(SignatureErrorCode.BadSignature);
    expect(await codeOf(verifySimpleSignature({ ...base, signature: signed.signature.subarray(0, 40) }))).toBe(SignatureErrorCode.BadSignature);
    expect(await codeOf(verifySimpleSignature({ ...base, signature: new TextEncoder().encode('not openpgp at all') }))).toBe(SignatureErrorCode.BadSignature);
  }, 120_000);

  it('refuses a signature by a key that was revoked since', async () => {
    const own = await makeGnupgHome(['Ocikit Revoked <revoked@example.com>']);
    try {
      const revoked = own.fingerprints[0]!;
      const signed = await signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: revoked, gnupgHome: own.home });
      const base = { signature: signed.signature, manifest: MANIFEST, expectedReference: REF, trustedKeys: { gnupgHome: own.home, fingerprints: [revoked] } };
      await expect(verifySimpleSignature(base)).resolves.toBeDefined();
      // gpg keeps a revocation certificate for each new key, its armor line disarmed with ":".
      const cert = (await readFile(path.join(own.home, 'openpgp-revocs.d', `${revoked}.rev`), 'utf8')).replace(/^:-----BEGIN/m, '-----BEGIN');
      const imported = spawnSync('gpg', ['--batch', '--no-tty', '--import'], { env: own.env, input: cert, timeout: 60_000 });
      expect(imported.status).toBe(0);
      expect(await codeOf(verifySimpleSignature(base))).toBe(SignatureErrorCode.KeyExpiredOrRevoked);
    } finally {
      await own.dispose();
    }
  }, 120_000);

  it('refuses a signature by a key that has expired since', async () => {
    // The key lived for one day in 2020 and signed then: no wall clock to wait on.
    const own = await makeGnupgHome(['Ocikit Expiring <expiring@example.com>'], { expire: '1d', createdAt: '20200101T000000' });
    try {
      const fp = own.fingerprints[0]!;
      const payload = buildSimpleSigningPayload({ dockerReference: REF, manifestDigest: digestOf(MANIFEST) });
      const signedThen = spawnSync('gpg', ['--batch', '--no-tty', '--faked-system-time', '20200101T000100!', '--sign', '--local-user', fp, '--output', '-'], {
        env: own.env,
        input: payload,
        timeout: 60_000,
      });
      expect(signedThen.status).toBe(0);
      const key = path.join(dir, 'expiring.asc');
      own.exportPublic(fp, key);
      const listing = spawnSync('gpg', ['--batch', '--with-colons', '--list-keys', fp], { env: own.env, encoding: 'utf8', timeout: 60_000 }).stdout;
      expect(listing).toMatch(/^pub:e:/m);
      expect(
        await codeOf(verifySimpleSignature({ signature: new Uint8Array(signedThen.stdout), manifest: MANIFEST, expectedReference: REF, trustedKeys: { keyFiles: [key] } })),
      ).toBe(SignatureErrorCode.KeyExpiredOrRevoked);
      // The same key signing now is refused by gpg itself.
      expect(await codeOf(signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: fp, gnupgHome: own.home }))).toBe(SignatureErrorCode.Gpg);
    } finally {
      await own.dispose();
    }
  }, 120_000);

  it('refuses an encrypted message and a huge signed payload without hanging or crashing', async () => {
    const base = { manifest: MANIFEST, expectedReference: REF, trustedKeys: { keyFiles: [trusted] } };
    const gpg = (args: string[], input: Uint8Array) => {
      const r = spawnSync('gpg', ['--batch', '--no-tty', ...args], { env: keys.env, input, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
      expect(r.status).toBe(0);
      return new Uint8Array(r.stdout);
    };
    const encrypted = gpg(['--pinentry-mode', 'loopback', '--passphrase', 'secret', '--symmetric', '--output', '-'], new TextEncoder().encode('{}'));
    expect(await codeOf(verifySimpleSignature({ ...base, signature: encrypted }))).toBe(SignatureErrorCode.BadSignature);
    const huge = gpg(['--sign', '--local-user', fpr(), '--output', '-'], new Uint8Array(8 * 1024 * 1024).fill(0x20));
    expect(await codeOf(verifySimpleSignature({ ...base, signature: huge }))).toBe(SignatureErrorCode.BadSignature);
  }, 120_000);

  it('matches identities as matchRepoDigestOrExact does', async () => {
    const byDigest = `localhost:5000/ocikit/signed@${(await signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: fpr(), gnupgHome: keys.home })).manifestDigest}`;
    const signed = await signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: fpr(), gnupgHome: keys.home });
    const base = { signature: signed.signature, manifest: MANIFEST, trustedKeys: { keyFiles: [trusted] } };
    // Pulled by digest: the repository must match, any tag.
    await expect(verifySimpleSignature({ ...base, expectedReference: byDigest })).resolves.toBeDefined();
    expect(await codeOf(verifySimpleSignature({ ...base, expectedReference: byDigest.replace('signed@', 'other@') }))).toBe(SignatureErrorCode.IdentityMismatch);
    // Familiar names normalise: docker.io/library/busybox:1 is busybox:1.
    const hub = await signSimple({ manifest: MANIFEST, dockerReference: 'docker.io/library/busybox:1', signBy: fpr(), gnupgHome: keys.home });
    await expect(verifySimpleSignature({ ...base, signature: hub.signature, expectedReference: 'busybox:1' })).resolves.toBeDefined();
  }, 120_000);

  it('refuses a signed payload with an unknown critical key, and one of another type', async () => {
    const digest = (await signSimple({ manifest: MANIFEST, dockerReference: REF, signBy: fpr(), gnupgHome: keys.home })).manifestDigest;
    const doc = (critical: Record<string, unknown>) =>
      new TextEncoder().encode(JSON.stringify({ critical: { identity: { 'docker-reference': REF }, image: { 'docker-manifest-digest': digest }, type: 'atomic container signature', ...critical }, optional: {} }));
    const base = { manifest: MANIFEST, expectedReference: REF, trustedKeys: { keyFiles: [trusted] } };
    const extra = await gpgSign(doc({ 'new-rule': true }), { signBy: fpr(), gnupgHome: keys.home });
    expect(await codeOf(verifySimpleSignature({ ...base, signature: extra }))).toBe(SignatureErrorCode.UnknownCriticalKey);
    const cosign = await gpgSign(doc({ type: 'cosign container image signature' }), { signBy: fpr(), gnupgHome: keys.home });
    expect(await codeOf(verifySimpleSignature({ ...base, signature: cosign }))).toBe(SignatureErrorCode.WrongType);
    // skopeo refuses the unknown critical key too.
    const sig = path.join(dir, 'extra.sig');
    await writeFile(sig, extra);
    expect(skopeo(['standalone-verify', path.join(dir, 'manifest.json'), REF, fpr(), sig]).status).not.toBe(0);
  }, 120_000);
});
