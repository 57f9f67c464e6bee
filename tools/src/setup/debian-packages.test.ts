import { describe, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { itWithPeers } from '@ocikit/testkit';
import { REPO_ROOT } from '../generate/generate.js';

// `npm test` installs the Debian peers first (pretest). A user who is not
// root and has no password-less sudo must get a clear list, not a failed run.
describe('tools/setup/debian-packages.sh', () => {
  itWithPeers(['root'], 'as a user without root or sudo, names every missing package and exits 0 without installing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ocikit-setup-'));
    try {
      chmodSync(dir, 0o755);
      const script = path.join(dir, 'debian-packages.sh');
      copyFileSync(path.join(REPO_ROOT, 'tools/setup/debian-packages.sh'), script);
      chmodSync(script, 0o755);
      // Every package looks missing; an apt-get that ran would leave a mark.
      const bin = path.join(dir, 'bin');
      spawnSync('mkdir', ['-m', '755', bin]);
      writeFileSync(path.join(bin, 'dpkg-query'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
      writeFileSync(path.join(bin, 'apt-get'), `#!/bin/sh\necho "apt-get ran" >&2\nexit 1\n`, { mode: 0o755 });
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', script], {
        encoding: 'utf8',
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir },
      });
      expect(r.status).toBe(0);
      expect(r.stderr).not.toContain('apt-get ran');
      expect(r.stderr).toMatch(/^ocikit setup: not root and no password-less sudo, so nothing was installed; .*runc .*umoci .*skopeo/m);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
