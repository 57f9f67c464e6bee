/**
 * `ocikit sign` and `ocikit verify` (cosign format) against a real
 * docker-registry with htpasswd auth, the keys made by `ocikit key
 * generate` and the images pushed by `ocikit copy`; cross-checked with
 * @ocikit/signature's own signImageCosign / verifyImageCosign.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { RegistryClient, sealCredentials } from '@ocikit/distribution';
import type { Descriptor } from '@ocikit/image-spec';
import { cosignSignatureTag, readCosignPrivateKey, readCosignPublicKey, signImageCosign, SignatureErrorCode, verifyImageCosign } from '@ocikit/signature';
import { describeWithPeers, rejection } from '@ocikit/testkit';
import { packImage } from '../../test-support/layouts.js';
import { expectOneLine, registrySuite } from '../../test-support/registry-suite.js';
import { runCli, type CliResult } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const USER = 'alice';
const PASSWORD = 'correct-horse-battery';
/** The passphrases of the three keys: none may ever be printed. */
const PASSPHRASES = { alice: 'alice passphrase 1', bob: 'bob passphrase 2', carol: 'carol passphrase 3' } as const;
const WRONG_PASSPHRASE = 'not the passphrase 4';

function expectNoSecrets(r: CliResult): void {
  for (const secret of [PASSWORD, WRONG_PASSPHRASE, ...Object.values(PASSPHRASES)]) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
}

describeWithPeers(['docker-registry', 'htpasswd'], 'ocikit sign and verify, cosign format (built bin, htpasswd registry)', () => {
  const s = registrySuite('cli-sign-verify', { registry: { auth: { kind: 'htpasswd', users: [{ username: USER, password: PASSWORD }] } }, image: { content: 'image v1\n' } });
  let client: RegistryClient;
  const images: Record<'v1' | 'v2' | 'v3', Descriptor> = {} as never;
  const creds = () => ['--tls-verify=false', '--creds', `${USER}:${PASSWORD}`];
  const image = (ref: string) => `docker://${s.registry.host}/app${ref}`;
  /** `ocikit ARGS` in the scratch directory, so keys are named as users name them (`alice.key`); no COSIGN_PASSWORD of the user's. */
  const cli = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = await runCli(args, { cwd: s.tmp, env: { ...s.env, COSIGN_PASSWORD: undefined, ...extraEnv } });
    expectNoSecrets(r);
    return r;
  };
  const sign = (key: keyof typeof PASSPHRASES, ref: string, extra: string[] = []) => cli(['sign', ...creds(), '--key', `${key}.key`, '--passphrase-file', `${key}.pass`, ...extra, image(ref)]);
  const verify = (key: keyof typeof PASSPHRASES, ref: string, extra: string[] = []) => cli(['verify', ...creds(), '--key', `${key}.pub`, ...extra, image(ref)]);

  beforeAll(async () => {
    client = new RegistryClient(s.registry.host, { tlsVerify: false, credentials: sealCredentials({ username: USER, password: PASSWORD }) });
    for (const [name, passphrase] of Object.entries(PASSPHRASES)) {
      writeFileSync(path.join(s.tmp, `${name}.pass`), `${passphrase}\n`);
      const made = await cli(['key', 'generate', '--output', name, '--passphrase-file', `${name}.pass`]);
      expect([name, made.code, made.stderr]).toEqual([name, ExitCode.Ok, '']);
    }
    // v1 is also tagged `also` (same digest, so the same signatures); v2 stays unsigned; v3 is signed by the library.
    images.v1 = s.image;
    for (const [ref, tags] of [['v1', ['v1', 'also']], ['v2', ['v2']], ['v3', ['v3']]] as const) {
      if (ref !== 'v1') images[ref] = await packImage(`${s.src}:${ref}`, s.tmp, { content: `image ${ref}\n` });
      for (const tag of tags) {
        const pushed = await cli(['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, `oci:${s.src}:${ref}`, image(`:${tag}`)]);
        expect([tag, pushed.code, pushed.stderr]).toEqual([tag, ExitCode.Ok, '']);
      }
    }
  });
  afterAll(() => client?.close());

  it('signs the digest the tag names now, with annotations, and verify accepts it (exit 0) naming that digest', async () => {
    const { digest } = images.v1;
    const signed = await sign('alice', ':v1', ['-a', 'env=prod', '--annotations', 'team=a=b']);
    expect([signed.code, signed.stderr]).toEqual([ExitCode.Ok, '']);
    expect(signed.stdout).toBe(`signed ${digest} as ${s.registry.host}/app:v1: 1 signature under tag ${cosignSignatureTag(digest)}\n`);

    const verified = await verify('alice', ':v1');
    expect([verified.code, verified.stderr]).toEqual([ExitCode.Ok, '']);
    expect(verified.stdout).toBe(`verified ${digest} with alice.pub: 1 of 1 signature\n  ${s.registry.host}/app:v1  annotations {"env":"prod","team":"a=b"}\n`);
  });

  it('a second key signs too (passphrase from $COSIGN_PASSWORD, --json), and each key verifies its own', async () => {
    const { digest } = images.v1;
    const signed = await cli(['sign', ...creds(), '--json', '--key', 'bob.key', image(':v1')], { COSIGN_PASSWORD: PASSPHRASES.bob });
    expect([signed.code, signed.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(signed.stdout)).toEqual({ digest, identity: `${s.registry.host}/app:v1`, signatureTag: cosignSignatureTag(digest), format: 'cosign', signatures: 2, added: true, annotations: {} });

    for (const [key, annotations] of [['alice', { env: 'prod', team: 'a=b' }], ['bob', {}]] as const) {
      const r = await verify(key, ':v1', ['--json']);
      expect([key, r.code, r.stderr]).toEqual([key, ExitCode.Ok, '']);
      const out = JSON.parse(r.stdout) as { digest: string; signatureTag: string; signatures: number; verified: { identity: string; annotations: unknown; signature: string }[] };
      expect(out).toMatchObject({ digest, signatureTag: cosignSignatureTag(digest), signatures: 2 });
      expect(out.verified).toHaveLength(1);
      expect(out.verified[0]).toMatchObject({ identity: `${s.registry.host}/app:v1`, annotations });
      expect(out.verified[0]!.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }

    // Signing the same again with the same key adds nothing.
    const again = await sign('alice', ':v1', ['-a', 'env=prod', '-a', 'team=a=b']);
    expect([again.code, again.stdout]).toEqual([ExitCode.Ok, `${digest} as ${s.registry.host}/app:v1 already carries this key's signature: nothing added (2 signatures under tag ${cosignSignatureTag(digest)})\n`]);
  });

  it('another key verifies nothing: exit 1 and one line with the reason (also as JSON)', async () => {
    const r = await verify('carol', ':v1');
    expectOneLine(r, ExitCode.Failure);
    expect(r.stderr).toMatch(new RegExp(`^ocikit: verify: none of the 2 cosign signatures of ${s.registry.host}/app@${images.v1.digest} verifies: .*\\[${SignatureErrorCode.BadSignature}\\]\\n$`));
    const json = await verify('carol', ':v1', ['--json']);
    expect([json.code, json.stdout]).toEqual([ExitCode.Failure, '']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { status: ExitCode.Failure, code: SignatureErrorCode.BadSignature } });
  });

  it('an unsigned image: exit 1, SIGNATURE_NOT_FOUND', async () => {
    const r = await verify('alice', ':v2');
    expectOneLine(r, ExitCode.Failure);
    expect(r.stderr).toMatch(new RegExp(`^ocikit: verify: ${s.registry.host}/app@${images.v2.digest} has no cosign signature .*\\[${SignatureErrorCode.NotSigned}\\]\\n$`));
  });

  it('the identity: another tag of the same digest is refused (exit 1) unless --match-repository; @DIGEST accepts the repository', async () => {
    const other = await verify('alice', ':also');
    expectOneLine(other, ExitCode.Failure);
    expect(other.stderr).toMatch(new RegExp(`\\[${SignatureErrorCode.IdentityMismatch}\\]\\n$`));
    const matched = await verify('alice', ':also', ['--match-repository']);
    expect([matched.code, matched.stderr]).toEqual([ExitCode.Ok, '']);
    expect(matched.stdout).toMatch(new RegExp(`^verified ${images.v1.digest} with alice.pub: 1 of 2 signatures\\n`));
    const byDigest = await verify('alice', `@${images.v1.digest}`);
    expect([byDigest.code, byDigest.stderr]).toEqual([ExitCode.Ok, '']);
  });

  it('a wrong passphrase: exit 2, SIGNATURE_WRONG_PASSPHRASE, named in one line, and nothing pushed', async () => {
    writeFileSync(path.join(s.tmp, 'wrong.pass'), `${WRONG_PASSPHRASE}\n`);
    const r = await cli(['sign', ...creds(), '--key', 'alice.key', '--passphrase-file', 'wrong.pass', image(':v2')]);
    expectOneLine(r, ExitCode.Usage);
    expect(r.stderr).toMatch(/^ocikit: sign: \S*alice\.key did not decrypt with the passphrase given .*\[SIGNATURE_WRONG_PASSPHRASE\]\n$/);
    const json = await cli(['sign', ...creds(), '--json', '--key', 'alice.key', image(':v2')], { COSIGN_PASSWORD: WRONG_PASSPHRASE });
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { status: ExitCode.Usage, code: SignatureErrorCode.WrongPassphrase } });
    expect((await verify('alice', ':v2')).stderr).toMatch(/\[SIGNATURE_NOT_FOUND\]\n$/);
  });

  it('a signature the CLI made verifies with verifyImageCosign, and one verifyImageCosign accepts comes from signImageCosign', async () => {
    const repository = client.repository('app');
    const byCli = await verifyImageCosign({ repository, reference: 'v1', publicKey: await readCosignPublicKey(path.join(s.tmp, 'bob.pub')) });
    expect(byCli.manifestDigest).toBe(images.v1.digest);
    expect(byCli.verified.map((v) => v.payload.dockerReference)).toEqual([`${s.registry.host}/app:v1`]);

    const privateKey = await readCosignPrivateKey(path.join(s.tmp, 'carol.key'), PASSPHRASES.carol);
    const byLibrary = await signImageCosign({ repository, reference: 'v3', privateKey, optional: { by: 'library' } });
    expect(byLibrary.manifestDigest).toBe(images.v3.digest);
    const r = await verify('carol', ':v3');
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r.stdout).toBe(`verified ${images.v3.digest} with carol.pub: 1 of 1 signature\n  ${s.registry.host}/app:v3  annotations {"by":"library"}\n`);
    expect((await verify('alice', ':v3')).code).toBe(ExitCode.Failure);
    // And the library refuses what the CLI refuses.
    expect(await rejection(verifyImageCosign({ repository, reference: 'v2', publicKey: await readCosignPublicKey(path.join(s.tmp, 'alice.pub')) }))).toMatchObject({ code: SignatureErrorCode.NotSigned });
  });

  it('usage errors (exit 2): a layout image without --identity, no --key, a bad annotation, a public key to sign with, a private key to verify with', async () => {
    const layout = await cli(['sign', '--key', 'alice.key', `oci:${path.join(s.tmp, 'layout')}:v1`], { COSIGN_PASSWORD: PASSPHRASES.alice });
    expectOneLine(layout, ExitCode.Usage);
    expect(layout.stderr).toBe('ocikit: sign: an image in a layout has no registry name; say which the signature names with --identity HOST/REPO:TAG\n');
    expectOneLine(await cli(['verify', '--key', 'alice.pub', 'oci-archive:x.tar']), ExitCode.Usage);
    expect((await cli(['verify', ...creds(), image(':v1')])).stderr).toBe('ocikit: verify: give exactly one of --key PUB (a cosign public key) or --gpg-key PUB.asc (OpenPGP public keys)\n');
    expect((await cli(['sign', ...creds(), '--key', 'alice.key', '-a', 'novalue', image(':v1')])).stderr).toBe('ocikit: sign: --annotations takes KEY=VALUE, not "novalue"\n');
    const pubToSign = await cli(['sign', ...creds(), '--key', 'alice.pub', image(':v2')], { COSIGN_PASSWORD: PASSPHRASES.alice });
    expectOneLine(pubToSign, ExitCode.Usage);
    expect(pubToSign.stderr).toMatch(/\[SIGNATURE_KEY_INVALID\]\n$/);
    const keyToVerify = await cli(['verify', ...creds(), '--key', 'alice.key', image(':v1')]);
    expectOneLine(keyToVerify, ExitCode.Usage);
    expect(keyToVerify.stderr).toMatch(/\[SIGNATURE_KEY_INVALID\]\n$/);
  });

  it('the registry flags apply: without credentials the registry refuses (exit 1, UNAUTHORIZED), the password never shown', async () => {
    const r = await cli(['verify', '--tls-verify=false', '--key', 'alice.pub', image(':v1')]);
    expectOneLine(r, ExitCode.Failure);
    expect(r.stderr).toMatch(/\[UNAUTHORIZED\]\n$/);
    const wrong = await cli(['sign', '--tls-verify=false', '--creds', `${USER}:${WRONG_PASSPHRASE}`, '--key', 'alice.key', '--passphrase-file', 'alice.pass', image(':v2')]);
    expectOneLine(wrong, ExitCode.Failure);
    expect(wrong.stderr).toMatch(/\[UNAUTHORIZED\]\n$/);
  });
  it('copy --sign-key signs what it copied, for the identity DST names; a wrong passphrase copies nothing', async () => {
    const dest = ['--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`];
    const copied = await cli(['copy', '--json', ...dest, '--sign-key', 'carol.key', '--sign-passphrase-file', 'carol.pass', `oci:${s.src}:v2`, image(':copied')]);
    expect([copied.code, copied.stderr]).toEqual([ExitCode.Ok, '']);
    const out = JSON.parse(copied.stdout) as { descriptor: Descriptor; signature: { digest: string; identity: string; added: boolean } };
    expect(out.descriptor.digest).toBe(images.v2.digest);
    expect(out.signature).toMatchObject({ digest: images.v2.digest, identity: `${s.registry.host}/app:copied`, added: true });
    const verified = await verify('carol', ':copied');
    expect([verified.code, verified.stderr]).toEqual([ExitCode.Ok, '']);
    expect(verified.stdout).toContain(`verified ${images.v2.digest} with carol.pub`);
    // v2 is the same digest: carol's signature is there, but for the identity app:copied, not app:v2.
    expect((await verify('carol', ':v2')).stderr).toMatch(/\[SIGNATURE_IDENTITY_MISMATCH\]\n$/);

    const wrong = await cli(['copy', ...dest, '--sign-key', 'carol.key', `oci:${s.src}:v3`, image(':never')], { COSIGN_PASSWORD: WRONG_PASSPHRASE });
    expectOneLine(wrong, ExitCode.Usage);
    expect(wrong.stderr).toMatch(/\[SIGNATURE_WRONG_PASSPHRASE\]\n$/);
    expect(await rejection(client.repository('app').resolve('never'))).toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    const layout = await cli(['copy', '--sign-key', 'carol.key', `oci:${s.src}:v1`, `oci:${path.join(s.tmp, 'signed-layout')}:v1`], { COSIGN_PASSWORD: PASSPHRASES.carol });
    expectOneLine(layout, ExitCode.Usage);
    expect(layout.stderr).toContain('say which the signature names with --sign-identity HOST/REPO:TAG');
  });
});
