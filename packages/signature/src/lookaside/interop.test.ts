/**
 * Lookaside signatures against the real thing: skopeo (containers/image)
 * signing into and verifying from the storage that registries.d names, a
 * real docker-registry holding the images, gpg holding the keys. The
 * `lookaside` URL is a web server publishing the `lookaside-staging`
 * directory, the workflow signature-protocols.md describes.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RegistryClient } from '@ocikit/distribution';
import { describeWithPeers, type GnupgHome, makeGnupgHome, rejection, type RunningRegistry, startRegistry, suiteScratch } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import { signSimple, verifySimpleSignature } from '../simple-signing/verify.js';
import { startStaticServer, type StaticServer } from '../test-support/static-server.js';
import { getSimpleSignatures, putSimpleSignature } from './signatures.js';

describeWithPeers(['docker-registry', 'skopeo', 'gpg', 'umoci'], 'lookaside signatures with skopeo', () => {
  const scratch = suiteScratch('lookaside-skopeo');
  let keys: GnupgHome;
  let registry: RunningRegistry;
  let client: RegistryClient;
  let web: StaticServer;
  /** registries.d: staging is a directory, lookaside the web server publishing it. */
  let registriesD: string;
  /** registries.d reading the staging directory itself. */
  let localD: string;
  let staging: string;
  let layout: string;
  let trustedKey: string;
  let strangerKey: string;

  const trusted = () => keys.fingerprints[0]!;
  const stranger = () => keys.fingerprints[1]!;
  /** skopeo, run without blocking: the lookaside web server it reads from lives in this process. */
  const skopeo = (args: string[]) =>
    new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      execFile('skopeo', args, { env: keys.env, encoding: 'utf8', timeout: 120_000 }, (err, _stdout, stderr) => {
        if (err === null) resolve({ status: 0, stderr });
        else if (typeof err.code === 'number') resolve({ status: err.code, stderr });
        else reject(new Error(`skopeo ${args.join(' ')}: ${err.message}`, { cause: err }));
      });
    });
  /** Push the umoci-made image to `HOST/repo:tag`, signing it with `signBy` when given. */
  const push = async (repoTag: string, signBy?: string) => {
    const r = await skopeo([
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--registries.d',
      registriesD,
      ...(signBy !== undefined ? ['--sign-by', signBy] : []),
      `oci:${layout}:t`,
      `docker://${registry.host}/${repoTag}`,
    ]);
    expect(r.stderr).not.toMatch(/level=(error|fatal)/);
    expect(r.status).toBe(0);
  };
  const manifestOf = async (repo: string, tag: string) => {
    const { descriptor, bytes } = await client.repository(repo).getManifest(tag);
    return { digest: descriptor.digest, bytes };
  };
  /** A policy.json that lets images from the registry in only when signed by the key in `keyPath`. */
  const policy = (name: string, keyPath: string) => {
    const file = path.join(scratch.dir, `${name}.policy.json`);
    writeFileSync(
      file,
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: { docker: { [registry.host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }] } },
      }),
    );
    return file;
  };
  /** skopeo pulls `HOST/repoTag` under `policyFile`; its result. */
  const pull = async (policyFile: string, repoTag: string) =>
    skopeo([
      '--policy',
      policyFile,
      'copy',
      '--src-tls-verify=false',
      '--registries.d',
      registriesD,
      '--remove-signatures',
      `docker://${registry.host}/${repoTag}`,
      `oci:${path.join(scratch.dir, 'pulled')}:${repoTag.replace(/[/:]/g, '-')}`,
    ]);

  beforeAll(async () => {
    keys = await makeGnupgHome(['Ocikit Trusted <trusted@example.com>', 'Ocikit Stranger <stranger@example.com>']);
    registry = await startRegistry();
    client = new RegistryClient(registry.host, { tlsVerify: false });
    staging = path.join(scratch.dir, 'staging');
    mkdirSync(staging);
    web = await startStaticServer(staging);
    registriesD = path.join(scratch.dir, 'registries.d');
    localD = path.join(scratch.dir, 'registries.d-local');
    mkdirSync(registriesD);
    mkdirSync(localD);
    writeFileSync(path.join(registriesD, 'test.yaml'), `docker:\n  ${registry.host}:\n    lookaside: ${web.url}/sigs\n    lookaside-staging: ${pathToFileURL(path.join(staging, 'sigs')).href}\n`);
    writeFileSync(path.join(localD, 'test.yaml'), `docker:\n  ${registry.host}:\n    lookaside: ${pathToFileURL(path.join(staging, 'sigs')).href}\n`);
    trustedKey = path.join(scratch.dir, 'trusted.asc');
    strangerKey = path.join(scratch.dir, 'stranger.asc');
    keys.exportPublic(trusted(), trustedKey);
    keys.exportPublic(stranger(), strangerKey);
    // The image: an empty one made by umoci.
    layout = path.join(scratch.dir, 'layout');
    for (const args of [['init', '--layout', layout], ['new', '--image', `${layout}:t`]]) {
      const r = spawnSync('umoci', args, { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
    }
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await web?.close();
    await registry?.stop();
    await keys?.dispose();
  });

  it('reads and verifies what skopeo copy --sign-by wrote, and refuses it for another key', async () => {
    await push('team/app:signed', trusted());
    const manifest = await manifestOf('team/app', 'signed');
    const reference = `${registry.host}/team/app:signed`;
    // skopeo wrote the staging directory in the layout BASE/REPO@ALGO=HEX/signature-N.
    const file = path.join(staging, 'sigs', `team/app@${manifest.digest.replace(':', '=')}`, 'signature-1');
    expect(existsSync(file)).toBe(true);

    const got = await getSimpleSignatures({ registriesDir: registriesD, reference, manifestDigest: manifest.digest });
    expect(got.base).toMatchObject({ key: 'lookaside', scope: registry.host });
    expect(got.signatures.map((s) => s.location)).toEqual([`${web.url}/sigs/team/app@${manifest.digest.replace(':', '=')}/signature-1`]);
    expect(Buffer.from(got.signatures[0]!.signature)).toEqual(readFileSync(file));
    const local = await getSimpleSignatures({ registriesDir: localD, reference, manifestDigest: manifest.digest });
    expect(local.signatures.map((s) => s.location)).toEqual([file]);

    const signature = got.signatures[0]!.signature;
    const verified = await verifySimpleSignature({ signature, manifest: manifest.bytes, expectedReference: reference, trustedKeys: { keyFiles: [trustedKey] } });
    expect(verified).toMatchObject({ primaryKeyFingerprint: trusted(), manifestDigest: manifest.digest });
    expect(verified.payload.dockerReference).toBe(reference);
    expect(await rejection(verifySimpleSignature({ signature, manifest: manifest.bytes, expectedReference: reference, trustedKeys: { keyFiles: [strangerKey] } }))).toMatchObject({
      code: SignatureErrorCode.UntrustedKey,
    });
    expect(
      await rejection(verifySimpleSignature({ signature, manifest: manifest.bytes, expectedReference: reference, trustedKeys: { gnupgHome: keys.home, fingerprints: [stranger()] } })),
    ).toMatchObject({ code: SignatureErrorCode.UntrustedKey });
  }, 180_000);

  it('stores signatures that skopeo accepts under a signedBy policy, and skopeo refuses another key and an unsigned image', async () => {
    await push('team/ours:1');
    const manifest = await manifestOf('team/ours', '1');
    const reference = `${registry.host}/team/ours:1`;
    const trustedPolicy = policy('trusted', trustedKey);
    const strangerPolicy = policy('stranger', strangerKey);

    // Unsigned so far: skopeo refuses it.
    const before = await pull(trustedPolicy, 'team/ours:1');
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/Source image rejected: A signature was required, but no signature exists/);

    const signed = await signSimple({ manifest: manifest.bytes, dockerReference: reference, signBy: trusted(), gnupgHome: keys.home });
    expect(signed.manifestDigest).toBe(manifest.digest);
    const put = await putSimpleSignature({ registriesDir: registriesD, reference, manifestDigest: manifest.digest, signature: signed.signature });
    expect(put).toMatchObject({ index: 1, base: { key: 'lookaside-staging' } });
    expect(put.location).toBe(path.join(staging, 'sigs', `team/ours@${manifest.digest.replace(':', '=')}`, 'signature-1'));

    const accepted = await pull(trustedPolicy, 'team/ours:1');
    expect(accepted.stderr).not.toMatch(/level=(error|fatal)/);
    expect(accepted.status).toBe(0);
    // skopeo read it from the published lookaside URL.
    expect(web.requests).toContain(`/sigs/team/ours@${manifest.digest.replace(':', '=')}/signature-1`);

    const refused = await pull(strangerPolicy, 'team/ours:1');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/Source image rejected: Invalid GPG signature/);

    // Another image, never signed, is refused under the same policy.
    await push('team/unsigned:1');
    const unsigned = await pull(trustedPolicy, 'team/unsigned:1');
    expect(unsigned.status).not.toBe(0);
    expect(unsigned.stderr).toMatch(/Source image rejected: A signature was required, but no signature exists/);
  }, 180_000);

  it('appends to what skopeo wrote: skopeo then reads both, and ocikit lists them in order', async () => {
    await push('team/both:1', trusted());
    const manifest = await manifestOf('team/both', '1');
    const reference = `${registry.host}/team/both:1`;
    const strangerPolicy = policy('stranger-both', strangerKey);
    expect((await pull(strangerPolicy, 'team/both:1')).status).not.toBe(0);

    const bySigner = await signSimple({ manifest: manifest.bytes, dockerReference: reference, signBy: stranger(), gnupgHome: keys.home });
    expect((await putSimpleSignature({ registriesDir: registriesD, reference, manifestDigest: manifest.digest, signature: bySigner.signature })).index).toBe(2);

    // Now the second signature satisfies a policy trusting only the stranger's key; the first still satisfies the trusted one.
    expect((await pull(strangerPolicy, 'team/both:1')).status).toBe(0);
    expect((await pull(policy('trusted-both', trustedKey), 'team/both:1')).status).toBe(0);

    const got = await getSimpleSignatures({ registriesDir: registriesD, reference, manifestDigest: manifest.digest });
    expect(got.signatures.map((s) => s.index)).toEqual([1, 2]);
    const signers = [];
    for (const s of got.signatures) {
      const v = await verifySimpleSignature({ signature: s.signature, manifest: manifest.bytes, expectedReference: reference, trustedKeys: { keyFiles: [trustedKey, strangerKey] } });
      signers.push(v.primaryKeyFingerprint);
    }
    expect(signers).toEqual([trusted(), stranger()]);
  }, 180_000);
});
