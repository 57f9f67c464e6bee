/** `ocikit key generate` (built bin): cosign's encrypted key pair, read back with @ocikit/signature. */
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readCosignPrivateKey, readCosignPublicKey, SignatureErrorCode, SIGSTORE_PRIVATE_KEY_PEM_TYPE } from '@ocikit/signature';
import { rejection, testScratch } from '@ocikit/testkit';
import { expectOneLine } from '../../test-support/registry-suite.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const PASSPHRASE = 'tr0ub4dor & 3';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('ocikit key generate (built bin)', () => {
  const scratch = testScratch('cli-key');
  // COSIGN_PASSWORD of whoever runs the tests must not leak in.
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: scratch.dir, env: { COSIGN_PASSWORD: undefined, ...env } });

  it('writes PREFIX.key (0600, encrypted with the first line of --passphrase-file) and PREFIX.pub (0644), and prints their paths', async () => {
    writeFileSync(path.join(scratch.dir, 'pass'), `${PASSPHRASE}\nsecond line is not the passphrase\n`);
    const r = await cli(['key', 'generate', '--output', 'keys-a', '--passphrase-file', 'pass']);
    expect([r.code, r.stderr, r.stdout]).toEqual([ExitCode.Ok, '', 'Private key written to keys-a.key\nPublic key written to keys-a.pub\n']);
    const keyFile = path.join(scratch.dir, 'keys-a.key');
    const pubFile = path.join(scratch.dir, 'keys-a.pub');
    expect([mode(keyFile), mode(pubFile)]).toEqual([0o600, 0o644]);
    expect(readFileSync(keyFile, 'utf8')).toMatch(new RegExp(`^-----BEGIN ${SIGSTORE_PRIVATE_KEY_PEM_TYPE}-----\n`));
    // The private key opens with the first line alone, and it is the public key's pair.
    const privateKey = await readCosignPrivateKey(keyFile, PASSPHRASE);
    const publicKey = await readCosignPublicKey(pubFile);
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
    expect(await rejection(readCosignPrivateKey(keyFile, `${PASSPHRASE}\n`))).toMatchObject({ code: SignatureErrorCode.WrongPassphrase });
  });

  it('takes $COSIGN_PASSWORD, empty too (as cosign does); --json prints the paths', async () => {
    const r = await cli(['key', 'generate', '--json', '-o', 'empty'], { COSIGN_PASSWORD: '' });
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(r.stdout)).toEqual({ privateKey: 'empty.key', publicKey: 'empty.pub' });
    await expect(readCosignPrivateKey(path.join(scratch.dir, 'empty.key'), '')).resolves.toBeDefined();
  });

  it('defaults to cosign.key and cosign.pub, as cosign does', async () => {
    const r = await cli(['key', 'generate'], { COSIGN_PASSWORD: PASSPHRASE });
    expect([r.code, r.stdout]).toEqual([ExitCode.Ok, 'Private key written to cosign.key\nPublic key written to cosign.pub\n']);
    await expect(readCosignPrivateKey(path.join(scratch.dir, 'cosign.key'), PASSPHRASE)).resolves.toBeDefined();
  });

  it('refuses to replace a key file (exit 2, files untouched) unless --force', async () => {
    const env = { COSIGN_PASSWORD: PASSPHRASE };
    expect((await cli(['key', 'generate', '-o', 'k'], env)).code).toBe(ExitCode.Ok);
    const before = readFileSync(path.join(scratch.dir, 'k.key'), 'utf8');
    const again = await cli(['key', 'generate', '-o', 'k'], env);
    expectOneLine(again, ExitCode.Usage);
    expect(again.stderr).toBe('ocikit: key generate: k.key exists; --force replaces it\n');
    expect(readFileSync(path.join(scratch.dir, 'k.key'), 'utf8')).toBe(before);
    // Only the public key there: still refused, and no private key appears.
    writeFileSync(path.join(scratch.dir, 'lone.pub'), 'x');
    expectOneLine(await cli(['key', 'generate', '-o', 'lone'], env), ExitCode.Usage);
    expect(existsSync(path.join(scratch.dir, 'lone.key'))).toBe(false);

    const forced = await cli(['key', 'generate', '--force', '-o', 'k'], env);
    expect([forced.code, forced.stderr]).toEqual([ExitCode.Ok, '']);
    expect(readFileSync(path.join(scratch.dir, 'k.key'), 'utf8')).not.toBe(before);
    expect(mode(path.join(scratch.dir, 'k.key'))).toBe(0o600);
  });

  it('without a passphrase and no terminal, says where one comes from (exit 2) and writes nothing', async () => {
    const r = await cli(['key', 'generate', '-o', 'none']);
    expectOneLine(r, ExitCode.Usage);
    expect(r.stderr).toBe('ocikit: key generate: no passphrase for the private key: give --passphrase-file FILE or set COSIGN_PASSWORD (standard input is not a terminal)\n');
    expect(existsSync(path.join(scratch.dir, 'none.key'))).toBe(false);
    const json = await cli(['key', 'generate', '--json', '-o', 'none']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { status: ExitCode.Usage, code: 'USAGE' } });
  });

  it('usage errors: no subcommand, an argument, an unreadable --passphrase-file', async () => {
    expect((await cli(['key'])).stderr).toBe('ocikit: key: expected "generate", not nothing\n');
    expectOneLine(await cli(['key', 'generate', 'extra'], { COSIGN_PASSWORD: PASSPHRASE }), ExitCode.Usage);
    const missing = await cli(['key', 'generate', '--passphrase-file', 'no-such-file']);
    expectOneLine(missing, ExitCode.Usage);
    expect(missing.stderr).toMatch(/^ocikit: key generate: .*no-such-file: ENOENT/);
  });
});
