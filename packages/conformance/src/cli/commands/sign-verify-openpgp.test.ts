/**
 * `ocikit sign`, `ocikit verify` and `ocikit copy --sign-by` with
 * containers/image simple signing (OpenPGP), against the real thing: a
 * docker-registry on loopback, gpg keys in a throwaway GNUPGHOME, lookaside
 * storage named by a registries.d directory, and skopeo on the other side
 * (`skopeo copy --sign-by` signing, `skopeo copy` under a policy.json
 * `signedBy` requirement verifying). Then signatures in layouts (both
 * formats as referrers), checked by umoci and skopeo, carried to the
 * registry by `copy --referrers`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithPeers, makeGnupgHome, type GnupgHome } from '@ocikit/testkit';
import { packImage } from '../../test-support/layouts.js';
import { expectOneLine, registrySuite } from '../../test-support/registry-suite.js';
import { runCli, type CliResult } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const FILE_KEY_PASSPHRASE = 'file key passphrase 7';
const COSIGN_PASSPHRASE = 'cosign passphrase 8';

/** A program's status and stderr; never throws for a non-zero exit. */
function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      if (err === null) resolve({ status: 0, stdout, stderr });
      else if (typeof err.code === 'number') resolve({ status: err.code, stdout, stderr });
      else reject(new Error(`${program} ${args.join(' ')}: ${err.message}`, { cause: err }));
    });
  });
}

function expectNoSecrets(r: CliResult): void {
  for (const secret of [FILE_KEY_PASSPHRASE, COSIGN_PASSPHRASE]) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
}

describeWithPeers(['docker-registry', 'skopeo', 'gpg', 'umoci'], 'ocikit sign and verify, OpenPGP simple signing and layouts (built bin, skopeo on the other side)', () => {
  const s = registrySuite('cli-sign-openpgp', { image: { content: 'openpgp image\n' } });
  /** Two keys in a keyring: `trusted` signs, `stranger` is someone else. */
  let keyring: GnupgHome;
  /** A key that lives in files only (its secret part protected by FILE_KEY_PASSPHRASE). */
  let fileKeys: GnupgHome;
  let registriesD: string;
  let env: NodeJS.ProcessEnv;
  const f = (name: string) => path.join(s.tmp, name);
  const image = (tag: string) => `docker://${s.registry.host}/app:${tag}`;
  const cli = async (args: string[]) => {
    const r = await runCli(args, { cwd: s.tmp, env });
    expectNoSecrets(r);
    return r;
  };
  const skopeo = (args: string[]) => run('skopeo', args, env);
  /** A policy.json that accepts only images signed by the keys in `keyFile`. */
  const policyFor = (name: string, keyFile: string) => {
    const file = f(`${name}.policy.json`);
    const requirement = [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: keyFile }];
    writeFileSync(file, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }], transports: { docker: { '': requirement } } }));
    return file;
  };
  /** `skopeo copy` from the registry under `policy` (the policy judges the source; the signatures are not carried into the layout): what podman pull would accept. */
  const skopeoPull = (policy: string, tag: string) =>
    skopeo(['--policy', policy, '--registries.d', registriesD, 'copy', '--remove-signatures', '--src-tls-verify=false', image(tag), `oci:${f('pulled')}:${tag}`]);
  /** skopeo accepted the image: exit 0, its reason shown when not. */
  const expectAccepted = async (r: Promise<{ status: number | null; stderr: string }>) => expect(await r).toMatchObject({ status: 0, stderr: expect.not.stringMatching(/level=(error|fatal)/) });
  /** Push an image of its own (lookaside signatures are per digest) to `app:TAG`, signed by skopeo with `signBy` when given; its digest. */
  const digests: Record<string, string> = {};
  const push = async (tag: string, signBy?: string, from = tag) => {
    if (digests[from] === undefined) digests[from] = (await packImage(`${s.src}:${from}`, s.tmp, { content: `image ${from}\n` })).digest;
    const r = await skopeo([
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--registries.d',
      registriesD,
      ...(signBy !== undefined ? ['--sign-by', signBy] : []),
      `oci:${s.src}:${from}`,
      image(tag),
    ]);
    expect([tag, r.status, r.stderr]).toEqual([tag, 0, expect.not.stringMatching(/level=(error|fatal)/)]);
    return digests[from];
  };

  beforeAll(async () => {
    keyring = await makeGnupgHome(['Trusted Signer <trusted@example.com>', 'Stranger <stranger@example.com>']);
    fileKeys = await makeGnupgHome(['File Key <file@example.com>'], { passphrase: FILE_KEY_PASSPHRASE });
    keyring.exportPublic(keyring.fingerprints[0]!, f('trusted.asc'));
    keyring.exportPublic(keyring.fingerprints[1]!, f('stranger.asc'));
    fileKeys.exportPublic(fileKeys.fingerprints[0]!, f('file.asc'));
    fileKeys.exportSecret(fileKeys.fingerprints[0]!, f('file.sec.asc'));
    writeFileSync(f('file.pass'), `${FILE_KEY_PASSPHRASE}\n`);
    writeFileSync(f('wrong.pass'), 'not it\n');
    writeFileSync(f('cosign.pass'), `${COSIGN_PASSPHRASE}\n`);
    // One lookaside directory for every registry: where skopeo --sign-by writes and reads.
    const lookaside = f('lookaside');
    mkdirSync(lookaside);
    registriesD = f('registries.d');
    mkdirSync(registriesD);
    writeFileSync(path.join(registriesD, 'default.yaml'), `default-docker:\n  lookaside: ${pathToFileURL(lookaside).href}\n`);
    env = { ...s.env, GNUPGHOME: keyring.home, COSIGN_PASSWORD: undefined };
    const made = await cli(['key', 'generate', '--output', 'cosign', '--passphrase-file', 'cosign.pass']);
    expect([made.code, made.stderr]).toEqual([ExitCode.Ok, '']);
    await push('unsigned');
  });
  afterAll(async () => {
    await keyring?.dispose();
    await fileKeys?.dispose();
  });

  it('accepts what skopeo copy --sign-by signed (exit 0, naming the key), and refuses it under another key (exit 1)', async () => {
    const digest = await push('by-skopeo', keyring.fingerprints[0]);
    const ok = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'trusted.asc', image('by-skopeo')]);
    expect([ok.code, ok.stderr]).toEqual([ExitCode.Ok, '']);
    expect(ok.stdout).toBe(`verified ${digest} with trusted.asc: 1 of 1 signature\n  ${s.registry.host}/app:by-skopeo  key ${keyring.fingerprints[0]}\n`);

    const other = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'stranger.asc', image('by-skopeo')]);
    expectOneLine(other, ExitCode.Failure);
    expect(other.stderr).toMatch(/\[SIGNATURE_UNTRUSTED_KEY\]\n$/);

    // The same signature names app:by-skopeo: under another tag of the same digest it is another identity.
    await push('elsewhere', undefined, 'by-skopeo');
    const elsewhere = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'trusted.asc', '--json', image('elsewhere')]);
    expect(elsewhere.code).toBe(ExitCode.Failure);
    expect(JSON.parse(elsewhere.stderr).error.code).toBe('SIGNATURE_IDENTITY_MISMATCH');
    const repo = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'trusted.asc', '--match-repository', image('elsewhere')]);
    expect([repo.code, repo.stderr]).toEqual([ExitCode.Ok, '']);
  });

  it('signs with --sign-by so that skopeo copy under a signedBy policy accepts it, and refuses it for another key or unsigned', async () => {
    const digest = await push('by-ocikit');
    const signed = await cli(['sign', '--tls-verify=false', '--registries.d', registriesD, '--sign-by', keyring.fingerprints[0]!, '--json', '-a', 'build=42', image('by-ocikit')]);
    expect([signed.code, signed.stderr]).toEqual([ExitCode.Ok, '']);
    const result = JSON.parse(signed.stdout);
    expect(result).toMatchObject({ digest, identity: `${s.registry.host}/app:by-ocikit`, format: 'simple-signing', signatures: 1, annotations: { build: '42' } });
    expect(result.location).toMatch(/\/app@sha256=[0-9a-f]{64}\/signature-1$/);

    await expectAccepted(skopeoPull(policyFor('trusted', f('trusted.asc')), 'by-ocikit'));
    const stranger = await skopeoPull(policyFor('stranger', f('stranger.asc')), 'by-ocikit');
    expect(stranger.status).not.toBe(0);
    expect(stranger.stderr).toMatch(/signature|rejected|Source image rejected/i);
    const unsigned = await skopeoPull(policyFor('trusted', f('trusted.asc')), 'unsigned');
    expect(unsigned.status).not.toBe(0);

    const verified = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'trusted.asc', image('by-ocikit')]);
    expect(verified.stdout).toContain(`  annotations {"build":"42"}`);
    const none = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'trusted.asc', image('unsigned')]);
    expectOneLine(none, ExitCode.Failure);
    expect(none.stderr).toMatch(/\[SIGNATURE_NOT_FOUND\]\n$/);
  });

  it('signs with an OpenPGP key file (--gpg-key): its passphrase from a file, a wrong one refused before anything is signed (exit 2)', async () => {
    const digest = await push('by-file');
    const wrong = await cli(['sign', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'file.sec.asc', '--passphrase-file', 'wrong.pass', image('by-file')]);
    expectOneLine(wrong, ExitCode.Usage);
    expect(wrong.stderr).toMatch(/\[SIGNATURE_WRONG_PASSPHRASE\]\n$/);
    const unsignedYet = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'file.asc', image('by-file')]);
    expect(unsignedYet.stderr).toMatch(/\[SIGNATURE_NOT_FOUND\]\n$/);
    // No terminal and no passphrase: said in one line, never a hang.
    const noPass = await cli(['sign', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'file.sec.asc', image('by-file')]);
    expectOneLine(noPass, ExitCode.Usage);

    const signed = await cli(['sign', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'file.sec.asc', '--passphrase-file', 'file.pass', image('by-file')]);
    expect([signed.code, signed.stderr]).toEqual([ExitCode.Ok, '']);
    expect(signed.stdout).toMatch(new RegExp(`^signed ${digest} as ${s.registry.host}/app:by-file: stored as .*/signature-1\\n$`));
    const ok = await cli(['verify', '--tls-verify=false', '--registries.d', registriesD, '--gpg-key', 'file.asc', image('by-file')]);
    expect([ok.code, ok.stderr]).toEqual([ExitCode.Ok, '']);
    await expectAccepted(skopeoPull(policyFor('file', f('file.asc')), 'by-file'));
    expect((await skopeoPull(policyFor('trusted-for-file', f('trusted.asc')), 'by-file')).status).not.toBe(0);
  });

  it('copy --sign-by signs what it copied, where skopeo finds it; a key file that does not open copies nothing', async () => {
    const wrong = await cli(['copy', '--dest-tls-verify=false', '--sign-gpg-key', 'file.sec.asc', '--sign-passphrase-file', 'wrong.pass', `oci:${s.src}:v1`, image('never')]);
    expectOneLine(wrong, ExitCode.Usage);
    expect(wrong.stderr).toMatch(/\[SIGNATURE_WRONG_PASSPHRASE\]\n$/);
    expect((await skopeo(['inspect', '--tls-verify=false', image('never')])).status).not.toBe(0);

    const copied = await cli(['copy', '--dest-tls-verify=false', '--registries.d', registriesD, '--sign-by', keyring.fingerprints[0]!, `oci:${s.src}:v1`, image('copied')]);
    expect([copied.code, copied.stderr]).toEqual([ExitCode.Ok, '']);
    expect(copied.stdout).toContain(`signed ${s.image.digest} as ${s.registry.host}/app:copied, stored as `);
    await expectAccepted(skopeoPull(policyFor('trusted', f('trusted.asc')), 'copied'));
  });

  it('refuses two keys, no key, and a layout without --identity, in one line (exit 2)', async () => {
    for (const args of [
      ['sign', '--key', 'cosign.key', '--sign-by', keyring.fingerprints[0]!, image('unsigned')],
      ['sign', image('unsigned')],
      ['verify', '--key', 'cosign.pub', '--gpg-key', 'trusted.asc', image('unsigned')],
      ['sign', '--sign-by', keyring.fingerprints[0]!, `oci:${s.src}:v1`],
      ['verify', '--gpg-key', 'trusted.asc', `oci:${s.src}:v1`],
    ]) {
      expectOneLine(await cli(args), ExitCode.Usage);
    }
  });

  it('signs a layout in both formats as referrers: verify accepts each, umoci, skopeo and validate --deep still accept the layout, and copy --referrers carries them', async () => {
    const layout = f('signed-layout');
    expect((await cli(['copy', `oci:${s.src}:v1`, `oci:${layout}:v1`])).code).toBe(ExitCode.Ok);
    const identity = ['--identity', 'registry.example.com/team/app:v1'];
    const cosign = await cli(['sign', '--key', 'cosign.key', '--passphrase-file', 'cosign.pass', ...identity, `oci:${layout}:v1`]);
    expect([cosign.code, cosign.stderr]).toEqual([ExitCode.Ok, '']);
    expect(cosign.stdout).toBe(`signed ${s.image.digest} as registry.example.com/team/app:v1: 1 signature as referrers in the layout's index\n`);
    const again = await cli(['sign', '--key', 'cosign.key', '--passphrase-file', 'cosign.pass', ...identity, `oci:${layout}:v1`]);
    expect(again.stdout).toContain('nothing added');
    const pgp = await cli(['sign', '--gpg-key', 'file.sec.asc', '--passphrase-file', 'file.pass', ...identity, `oci:${layout}:v1`]);
    expect([pgp.code, pgp.stderr]).toEqual([ExitCode.Ok, '']);

    for (const key of [['--key', 'cosign.pub'], ['--gpg-key', 'file.asc']]) {
      const ok = await cli(['verify', ...key, ...identity, `oci:${layout}:v1`]);
      expect([key, ok.code, ok.stderr]).toEqual([key, ExitCode.Ok, '']);
      const otherName = await cli(['verify', ...key, '--identity', 'registry.example.com/team/app:v2', `oci:${layout}:v1`]);
      expect([key, otherName.code]).toEqual([key, ExitCode.Failure]);
      expect(otherName.stderr).toMatch(/\[SIGNATURE_IDENTITY_MISMATCH\]\n$/);
    }
    const stranger = await cli(['verify', '--gpg-key', 'stranger.asc', ...identity, `oci:${layout}:v1`]);
    expect(stranger.stderr).toMatch(/\[SIGNATURE_UNTRUSTED_KEY\]\n$/);

    // Still a layout every tool reads.
    const validated = await cli(['validate', '--deep', layout]);
    expect([validated.code, validated.stderr]).toEqual([ExitCode.Ok, '']);
    expect(await run('umoci', ['stat', '--image', `${layout}:v1`], env)).toMatchObject({ status: 0 });
    expect(await run('skopeo', ['inspect', `oci:${layout}:v1`], env)).toMatchObject({ status: 0 });
    expect(await run('skopeo', ['--insecure-policy', 'copy', `oci:${layout}:v1`, `oci:${f('skopeo-copy')}:v1`], env)).toMatchObject({ status: 0 });

    // The referrers travel: to a registry (its referrers), and to an oci-archive, where verify reads them.
    const pushed = await cli(['copy', '--referrers', '--dest-tls-verify=false', `oci:${layout}:v1`, image('from-layout')]);
    expect([pushed.code, pushed.stderr]).toEqual([ExitCode.Ok, '']);
    const remote = await cli(['verify', '--tls-verify=false', '--key', 'cosign.pub', ...identity, image('from-layout')]);
    expect([remote.code, remote.stderr]).toEqual([ExitCode.Ok, '']);
    const archive = `oci-archive:${f('signed.tar')}:v1`;
    expect((await cli(['copy', '--referrers', `oci:${layout}:v1`, archive])).code).toBe(ExitCode.Ok);
    const fromArchive = await cli(['verify', '--gpg-key', 'file.asc', ...identity, archive]);
    expect([fromArchive.code, fromArchive.stderr]).toEqual([ExitCode.Ok, '']);
  });

  it('signs an oci-archive in place (rewritten whole), and copy signs into one; skopeo still reads it', async () => {
    const file = f('archive.tar');
    expect((await cli(['copy', `oci:${s.src}:v1`, `oci-archive:${file}:v1`])).code).toBe(ExitCode.Ok);
    const identity = ['--identity', 'registry.example.com/team/app:archived'];
    const signed = await cli(['sign', '--key', 'cosign.key', '--passphrase-file', 'cosign.pass', ...identity, `oci-archive:${file}:v1`]);
    expect([signed.code, signed.stderr]).toEqual([ExitCode.Ok, '']);
    const verified = await cli(['verify', '--key', 'cosign.pub', ...identity, `oci-archive:${file}:v1`]);
    expect([verified.code, verified.stderr]).toEqual([ExitCode.Ok, '']);
    expect(await run('skopeo', ['inspect', `oci-archive:${file}:v1`], env)).toMatchObject({ status: 0 });
    expect((await cli(['validate', '--deep', file])).code).toBe(ExitCode.Ok);

    const copiedTo = f('copied-signed.tar');
    const copied = await cli([
      'copy',
      '--sign-gpg-key',
      'file.sec.asc',
      '--sign-passphrase-file',
      'file.pass',
      '--sign-identity',
      'registry.example.com/team/app:copied',
      `oci:${s.src}:v1`,
      `oci-archive:${copiedTo}:v1`,
    ]);
    expect([copied.code, copied.stderr]).toEqual([ExitCode.Ok, '']);
    const ok = await cli(['verify', '--gpg-key', 'file.asc', '--identity', 'registry.example.com/team/app:copied', `oci-archive:${copiedTo}:v1`]);
    expect([ok.code, ok.stderr]).toEqual([ExitCode.Ok, '']);
  });
});
