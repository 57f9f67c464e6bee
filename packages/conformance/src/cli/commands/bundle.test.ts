import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleDigest } from '@ocikit/bundle';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';
import { scratchDir, writeHelloBundle } from '../../test-support/scratch.js';

describe('ocikit bundle digest / verify (built bin)', () => {
  let tmp: string;
  let a: string;
  beforeAll(() => {
    tmp = scratchDir('cli-bundle');
    a = writeHelloBundle(path.join(tmp, 'a'), { ociVersion: '1.2.0', root: { path: 'rootfs' } });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the digest, which is the sha256 of the --manifest record, the same at another path', async () => {
    const d = await runCli(['bundle', 'digest', a]);
    expect([d.code, d.stderr]).toEqual([ExitCode.Ok, '']);
    expect(d.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const m = await runCli(['bundle', 'digest', '--manifest', a]);
    expect(m.code).toBe(ExitCode.Ok);
    expect(`sha256:${createHash('sha256').update(m.stdout).digest('hex')}\n`).toBe(d.stdout);
    expect(m.stdout).toContain('/etc/hello type=file mode=0644');
    const b = path.join(tmp, 'elsewhere-b');
    execFileSync('cp', ['-a', a, b]);
    expect((await runCli(['bundle', 'digest', b])).stdout).toBe(d.stdout);
    // The bin scans on worker threads; the library here runs the same scan inline.
    expect(d.stdout.trim()).toBe(await bundleDigest(a, { threads: 0 }));
    const withTimes = await runCli(['bundle', 'digest', '--mtimes', a]);
    expect(withTimes.stdout).not.toBe(d.stdout);
  });

  it('verify: 0 on a match, 1 naming the first differing entry on a mismatch', async () => {
    const b = path.join(tmp, 'verify-b');
    execFileSync('cp', ['-a', a, b]);
    const digest = (await runCli(['bundle', 'digest', b])).stdout.trim();
    const record = path.join(tmp, 'b.record');
    writeFileSync(record, (await runCli(['bundle', 'digest', '--manifest', b])).stdout);
    const ok = await runCli(['bundle', 'verify', b, digest]);
    expect([ok.code, ok.stdout]).toEqual([ExitCode.Ok, `${b}: OK\n`]);
    expect((await runCli(['bundle', 'verify', b, record])).code).toBe(ExitCode.Ok);

    chmodSync(path.join(b, 'rootfs/etc/hello'), 0o600);
    const bad = await runCli(['bundle', 'verify', b, record]);
    expect(bad.code).toBe(ExitCode.Failure);
    expect(bad.stderr).toMatch(/does not match: expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}; first difference: \/etc\/hello changed \(mode: 0644 -> 0600\)\n$/);
    const fromStdin = await runCli(['bundle', 'verify', b, '-'], { input: (await runCli(['bundle', 'digest', '--manifest', a])).stdout });
    expect(fromStdin.code).toBe(ExitCode.Failure);
    const byDigest = await runCli(['bundle', 'verify', b, digest]);
    expect(byDigest.code).toBe(ExitCode.Failure);
    expect(byDigest.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on usage errors and 1 on an unusable bundle, one line each', async () => {
    for (const args of [['bundle'], ['bundle', 'hash', a], ['bundle', 'digest'], ['bundle', 'verify', a], ['bundle', 'verify', a, path.join(tmp, 'no-such-record')]]) {
      const r = await runCli(args);
      expect([args, r.code]).toEqual([args, ExitCode.Usage]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const r = await runCli(['bundle', 'digest', path.join(tmp, 'missing')]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/^ocikit: bundle digest: bundle .* has no readable config.json \[INVALID_BUNDLE\]\n$/);
  });
});
