import { it, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConfigBuilder, validateBundle } from '../index.js';
import { describeWithPeers, peerPath } from '@ocikit/testkit';

// The Linux default is not only valid on paper: real runc runs it. Needs root
// (CI runs as root) and Debian's runc and busybox-static.

function busyboxBundle(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-runc-'));
  const bin = path.join(dir, 'rootfs', 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(peerPath('busybox'), path.join(bin, 'busybox'));
  for (const name of ['sh', 'echo', 'cat', 'id']) symlinkSync('busybox', path.join(bin, name));
  return dir;
}

describeWithPeers(['root', 'runc', 'busybox'], 'the Linux default runs under runc', () => {
  it.each([false, true])('rootless %s', async (rootless) => {
    const bundle = busyboxBundle();
    const id = `ocikit-test-${randomUUID()}`;
    try {
      const spec = new ConfigBuilder({ os: 'linux', rootless })
        .terminal(false)
        .args('sh', '-c', 'echo "hello $GREETING from $(cat /etc/hostname 2>/dev/null || hostname)"; id -u')
        .env('GREETING', 'ocikit')
        .build();
      writeFileSync(path.join(bundle, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`);
      const checked = await validateBundle(bundle);
      expect(checked.errors).toEqual([]);
      const r = spawnSync('runc', ['run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('hello ocikit from');
      expect(r.stdout.trim().split('\n').pop()).toBe('0');
    } finally {
      spawnSync('runc', ['delete', '--force', id], { timeout: 120_000 });
      rmSync(bundle, { recursive: true, force: true });
    }
  });
});
