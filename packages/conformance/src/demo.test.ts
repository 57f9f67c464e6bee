import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The README's first command runs examples/demo.sh: keep it true.
const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/demo.sh');

describe('npm run demo (examples/demo.sh)', () => {
  it('packs, validates, unpacks and digests the embedded example', () => {
    const r = spawnSync('bash', [DEMO], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('7 checked, 7 valid, 0 invalid');
    expect(r.stdout).toMatch(/layout: image-layout: valid$/m);
    expect(r.stdout).toMatch(/bundle: bundle: valid$/m);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}$/m);
  }, 60_000);
});
