import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '@ocikit/testkit';

// The README's first command runs examples/demo.sh: keep it true.
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DEMO = path.join(REPO, 'examples/demo.sh');

function runDemo(env: NodeJS.ProcessEnv) {
  return spawnSync('bash', [DEMO], { encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
}

function expectDemoOutput(r: ReturnType<typeof runDemo>): void {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('7 checked, 7 valid, 0 invalid');
  expect(r.stdout).toMatch(/layout: image-layout: valid$/m);
  expect(r.stdout).toMatch(/bundle: bundle: valid$/m);
  expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}$/m);
}

describe('npm run demo (examples/demo.sh)', () => {
  it('packs, validates, unpacks and digests the embedded example', () => {
    expectDemoOutput(runDemo(process.env));
  });

  it('needs nothing but Node and the shell basics: no runc, umoci, skopeo or apt on PATH', () => {
    // A PATH that holds node and the few coreutils the script itself calls, nothing else.
    const bin = mkdtempSync(path.join(tmpdir(), 'ocikit-demo-path-'));
    try {
      symlinkSync(process.execPath, path.join(bin, 'node'));
      for (const tool of ['bash', 'mktemp', 'cp', 'rm', 'dirname']) symlinkSync(findExecutable(tool)!, path.join(bin, tool));
      expectDemoOutput(runDemo({ ...process.env, PATH: bin }));
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('installs nothing first: npm run demo has no pre-script (only npm test installs Debian peers)', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts['predemo']).toBeUndefined();
    expect(scripts['pretest']).toContain('debian-packages.sh');
  });
});
