import { describe, it, expect } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OCIKIT_BIN, runCli } from '../../test-support/run-cli.js';
import { ALL_CHECKS } from '../../runtime-test/checks/index.js';
import { selectChecks } from '../../runtime-test/select.js';
import { describeWithPeers, findPeer } from '@ocikit/testkit';

// End to end through the built bin (`npx turbo run build --filter=@ocikit/conformance...`).
const RUNC_PEERS = ['root', 'runc', 'busybox'] as const;
const RUNC = findPeer('runc') ?? 'runc';

/** Containers runc still lists whose bundle lies under `dir` (other suites may run containers meanwhile). */
function containersUnder(dir: string): string[] {
  const r = spawnSync(RUNC, ['list', '--format', 'json'], { encoding: 'utf8' });
  const list = (JSON.parse(r.stdout || 'null') ?? []) as { id: string; bundle: string }[];
  return list.filter((c) => c.bundle.startsWith(`${dir}/`)).map((c) => c.id);
}

describe('ocikit runtime-test: usage', () => {
  it('needs --runtime', async () => {
    const r = await runCli(['runtime-test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--runtime NAME|PATH is required');
  });
  it('takes one of --tap and --json', async () => {
    const r = await runCli(['runtime-test', '--runtime', RUNC, '--tap', '--json']);
    expect(r.code).toBe(2);
  });
  it('refuses an --oci-version that is not a release', async () => {
    const r = await runCli(['runtime-test', '--runtime', RUNC, '--oci-version', '1.0.2-dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--oci-version must be one of 1.0.0, 1.0.1, 1.0.2, 1.1.0, 1.2.0, 1.2.1, 1.3.0');
  });
  it('refuses an --only that selects nothing', async () => {
    const r = await runCli(['runtime-test', '--runtime', RUNC, '--only', 'no.such-check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no check matches');
  });
  it('lists the checks as data', async () => {
    const r = await runCli(['runtime-test', '--list']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((c) => c[0])).toEqual(ALL_CHECKS.map((c) => c.id));
    expect(rows.every((c) => c.length === 4 && ['MUST', 'SHOULD', 'MAY'].includes(c[1]!) && c[3]!.startsWith('https://'))).toBe(true);
  });
  it('exits 2 when the runtime cannot be run', async () => {
    const r = await runCli(['runtime-test', '--runtime', '/nonexistent/runtime']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected an executable runtime at \/nonexistent\/runtime/);
  });
  it('exits 2 naming a runtime that is neither on PATH nor in the sbin directories', async () => {
    const r = await runCli(['runtime-test', '--runtime', 'no-such-runtime-ocikit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'ocikit: runtime-test: expected a runtime named "no-such-runtime-ocikit" on PATH or in /usr/local/sbin, /usr/sbin, /sbin, found none (install it, e.g. apt-get install no-such-runtime-ocikit, or give its path) [RUNTIME_NOT_FOUND]\n',
    );
  });
});

describeWithPeers(RUNC_PEERS, 'ocikit runtime-test against runc', () => {
  it('takes the runtime by name, found in /usr/sbin even when PATH lacks it (Debian puts runc there)', async () => {
    const r = await runCli(['runtime-test', '--runtime', 'runc', '--only', 'version', '--json'], { env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(['/usr/local/sbin/runc', '/usr/sbin/runc', '/sbin/runc']).toContain(doc.runtime);
    expect(doc.summary.fail).toBe(0);
  });

  it('prints --json in the documented shape and exits 0 when no MUST fails', async () => {
    const r = await runCli(['runtime-test', '--runtime', RUNC, '--only', 'lifecycle.create-status,cli,version', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['runtime', 'version', 'ociVersion', 'results', 'summary']);
    expect(doc.runtime).toBe(RUNC);
    expect(doc.ociVersion).toBe('1.0.2');
    expect(doc.version).toMatch(/^\d+\.\d+/);
    expect(doc.results.map((x: { id: string }) => x.id)).toEqual(selectChecks(ALL_CHECKS, ['lifecycle.create-status', 'cli', 'version']).map((c) => c.id));
    for (const x of doc.results) expect(Object.keys(x)).toEqual(['id', 'level', 'ref', 'status', 'message']);
    expect(doc.summary).toEqual({ pass: 5, fail: 0, skip: 0 });
  });

  it('prints TAP 13 with a YAML block for a failed MUST and exits 1', async () => {
    // runc 1.1.5 runs poststart hooks during create (see README): a real MUST failure.
    const r = await runCli(['runtime-test', '--runtime', RUNC, '--only', 'hooks.poststart,hooks.poststop', '--tap']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('TAP version 13');
    expect(lines).toContain('1..2');
    expect(lines).toContain('not ok 1 - hooks.poststart [MUST]');
    expect(lines[lines.indexOf('not ok 1 - hooks.poststart [MUST]') + 1]).toBe('  ---');
    expect(r.stdout).toContain('  reference: "https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#poststart"');
    expect(lines.some((l) => l.startsWith('ok 2 - hooks.poststop [MUST]'))).toBe(true);
  });

  it('on Ctrl-C removes its containers and work directory and exits 130', async () => {
    // A private TMPDIR: the work directory and every bundle of this run live there.
    const tmp = mkdtempSync(path.join(tmpdir(), 'ocikit-sigint-'));
    const child = spawn(process.execPath, [OCIKIT_BIN, 'runtime-test', '--runtime', RUNC, '--tap'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        // Interrupt in the middle of the lifecycle checks, with containers alive.
        if (/^(not )?ok 8 /m.test(out) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(err).toContain('interrupted');
    expect(out).toContain('Bail out! interrupted');
    expect(containersUnder(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });
});
