import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');

/** Runs test/sample.peers.ts in its own jest with the given environment. */
function runSample(env: Record<string, string | undefined>) {
  const r = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(repo, 'node_modules/jest/bin/jest.js'), '--config', path.join(repo, 'jest.config.js'), '--testMatch', '**/test/sample.peers.ts', '--json'],
    { cwd: path.resolve(here, '..'), encoding: 'utf8', env: { ...process.env, ...env } },
  );
  const report = JSON.parse(r.stdout) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; testResults: { message: string }[] };
  return { status: r.status, stderr: r.stderr, report };
}

describe('describeWithPeers / itWithPeers', () => {
  it('run the tests when the peer is there', () => {
    const { status, report } = runSample({ CI: 'true', OCIKIT_TEST_HIDE_PEERS: '' });
    expect(status).toBe(0);
    expect(report.numPassedTests).toBe(1);
  });

  it('fail loudly under CI, naming the peer and how to install it', () => {
    const { status, report } = runSample({ CI: 'true', OCIKIT_TEST_HIDE_PEERS: 'gzip' });
    expect(status).toBe(1);
    expect(report.numFailedTests).toBe(1);
    expect(report.testResults[0]!.message).toContain('missing test peer under CI: gzip (the gzip program; apt-get install gzip)');
  });

  it('skip outside CI with one line on stderr naming the peer and how to get it', () => {
    const { status, stderr, report } = runSample({ CI: undefined, OCIKIT_TEST_HIDE_PEERS: 'gzip' });
    expect(status).toBe(0);
    expect(report.numPendingTests).toBe(1);
    expect(stderr).toContain('ocikit tests: skipped "a suite that drives gzip": missing gzip (the gzip program; apt-get install gzip)');
  });
});
