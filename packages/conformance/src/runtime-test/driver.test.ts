import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RuntimeDriver, clampSpecVersion, reasonLine, spokenSpecVersion } from './driver.js';
import { RuntimeTestError } from './errors.js';
import { describeWithPeers, peerPath } from '@ocikit/testkit';

// A fake runtime: containers are files in $DIR/state; every call is logged.
let dir: string;
let fake: string;
const log = () => readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ocikit-driver-'));
  fake = path.join(dir, 'fake-runtime');
  writeFileSync(
    fake,
    `#!/bin/sh
d=${dir}
echo "$*" >> $d/calls
while [ "$1" = --root ]; do shift 2; done
mkdir -p $d/state
eval "id=\\\${$#}"
case "$1" in
  --version) echo "fake version 0.1.0"; echo "spec: 1.0.2" ;;
  hang) exec sleep 3600 ;;
  create) echo "from the container"; touch $d/state/$id ;;
  state) [ -e $d/state/$id ] || { echo "no such container" >&2; exit 1; }; echo "{\\"id\\": \\"$id\\", \\"status\\": \\"created\\"}" ;;
  delete) [ -e $d/state/$id ] || exit 1; rm $d/state/$id ;;
  *) exit 3 ;;
esac
`,
  );
  chmodSync(fake, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RuntimeDriver', () => {
  it('kills a call that outlives its timeout and says so', async () => {
    // `hang` sleeps for an hour: only the driver's own timeout can end it
    // before jest's (which would fail the test as hung, not pass it).
    const driver = new RuntimeDriver({ runtime: fake, timeoutMs: 300 });
    const call = await driver.raw(['hang']);
    expect(call.timedOut).toBe(true);
    expect(call.signal).toBe('SIGKILL');
  });

  it('connects create to the given files and passes the runc form of the arguments', async () => {
    const driver = new RuntimeDriver({ runtime: fake, globalArgs: ['--root', '/tmp/x'] });
    const out = path.join(dir, 'out');
    writeFileSync(out, '');
    const call = await driver.create('c1', { bundle: '/b', pidFile: '/p', stdout: out });
    expect(call.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('from the container\n');
    expect(log()).toContain('--root /tmp/x create --bundle /b --pid-file /p c1');
    await driver.kill('c1', 'KILL');
    expect(log()).toContain('--root /tmp/x kill c1 KILL');
    await driver.delete('c1', { force: true });
  });

  it('parses state and reports failures without throwing', async () => {
    const driver = new RuntimeDriver({ runtime: fake });
    await driver.create('c2', { bundle: '/b' });
    expect((await driver.state('c2')).state).toEqual({ id: 'c2', status: 'created' });
    const missing = await driver.state('nope');
    expect(missing.call.code).toBe(1);
    expect(missing.call.stderr).toContain('no such container');
    expect(missing.state).toBeUndefined();
    await driver.delete('c2');
  });

  it('cleans up every container it created and not yet deleted, across scoped views', async () => {
    const driver = new RuntimeDriver({ runtime: fake });
    const view = driver.scope();
    await view.create('keep-a', { bundle: '/b' });
    await driver.create('keep-b', { bundle: '/b' });
    await view.create('gone', { bundle: '/b' });
    await view.delete('gone');
    expect(driver.live.sort()).toEqual(['keep-a', 'keep-b']);
    expect(view.calls.map((c) => c.args[0])).toEqual(['create', 'create', 'delete']);
    const report = await driver.cleanup();
    expect(report.removed.sort()).toEqual(['keep-a', 'keep-b']);
    expect(report.leftovers).toEqual([]);
    expect(log()).toEqual(expect.arrayContaining(['delete --force keep-a', 'delete --force keep-b']));
    expect(driver.live).toEqual([]);
  });

  it('refuses new calls once aborted, kills the one in flight, and still cleans up', async () => {
    const controller = new AbortController();
    // The driver's own timeout is out of reach (an hour): a kill can only come from the abort.
    const driver = new RuntimeDriver({ runtime: fake, signal: controller.signal, timeoutMs: 3_600_000 });
    await driver.create('aborted', { bundle: '/b' });
    const hanging = driver.raw(['hang']);
    setTimeout(() => controller.abort(), 100);
    const call = await hanging;
    expect(call.signal).toBe('SIGKILL');
    expect(call.timedOut).toBe(false);
    await expect(driver.state('aborted')).rejects.toThrow(RuntimeTestError);
    const report = await driver.cleanup();
    expect(report.removed).toEqual(['aborted']);
  });

  it('reports a runtime that cannot be started', async () => {
    const driver = new RuntimeDriver({ runtime: path.join(dir, 'no-such-runtime') });
    const call = await driver.version();
    expect(call.error).toMatch(/ENOENT/);
    expect(call.code).toBeNull();
  });
});

describe('which runtime-spec release a runtime speaks', () => {
  it.each([
    ['1.0.2-dev', '1.0.2'],
    ['1.0.0', '1.0.0'],
    ['1.1.0-rc.1', '1.1.0'],
    ['1.2.9', '1.2.1'],
    ['1.3.0', '1.3.0'],
    ['1.4.0', '1.3.0'],
    ['0.5.0', '1.0.0'],
    ['2.0.0', undefined],
    ['1.0', undefined],
    ['', undefined],
  ])('clamps %j to %j', (declared, expected) => {
    expect(clampSpecVersion(declared)).toBe(expected);
  });

  it('prefers features ociVersionMax, then the spec: line of --version, then the newest release', () => {
    const features = JSON.stringify({ ociVersionMin: '1.0.0', ociVersionMax: '1.1.0+dev' });
    expect(spokenSpecVersion({ featuresText: features, versionText: 'x version 1\nspec: 1.0.0\n' })).toEqual({ version: '1.1.0', declared: '1.1.0+dev', source: 'features' });
    expect(spokenSpecVersion({ featuresText: 'not json', versionText: 'x version 1\nspec: 1.0.0\n' })).toEqual({ version: '1.0.0', declared: '1.0.0', source: 'version' });
    expect(spokenSpecVersion({ versionText: 'x version 1\n' })).toEqual({ version: '1.3.0', source: 'default' });
  });

  it('--oci-version overrides, and must be a release', () => {
    expect(spokenSpecVersion({ versionText: 'spec: 1.0.0' }, '1.2.0')).toEqual({ version: '1.2.0', source: 'override' });
    expect(() => spokenSpecVersion({}, '1.0.2-dev')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }));
  });

  it('asks a runtime without a features command for --version', async () => {
    expect(await new RuntimeDriver({ runtime: fake }).specVersion()).toEqual({ version: '1.0.2', declared: '1.0.2', source: 'version' });
  });

  // Debian 12's runc 1.1.5: `runc features` says ociVersionMax "1.0.2-dev" (and --version "spec: 1.0.2-dev").
  describeWithPeers(['runc'], 'real runc', () => {
    it('reads runc features and runc --version', async () => {
      const driver = new RuntimeDriver({ runtime: peerPath('runc') });
      expect(await driver.specVersion()).toEqual({ version: '1.0.2', declared: '1.0.2-dev', source: 'features' });
      const version = await driver.version();
      expect(spokenSpecVersion({ versionText: version.stdout })).toEqual({ version: '1.0.2', declared: '1.0.2-dev', source: 'version' });
    });
  });
  // Debian 12's crun 1.8.1 has no features command ("unknown command features") and says "spec: 1.0.0".
  describeWithPeers(['crun'], 'real crun', () => {
    it('falls back from crun features to crun --version', async () => {
      const driver = new RuntimeDriver({ runtime: peerPath('crun') });
      const features = await driver.features();
      expect(features.code).not.toBe(0);
      expect(await driver.specVersion()).toEqual({ version: '1.0.0', declared: '1.0.0', source: 'version' });
    });
  });
});

describe('reasonLine', () => {
  it("names runc's error, not the warnings logged before it", () => {
    const stderr = 'time="t" level=warning msg="unable to get oom kill count"\ntime="t" level=error msg="runc create failed: seccomp flags are not yet supported by runc"\n';
    expect(reasonLine(stderr)).toBe('time="t" level=error msg="runc create failed: seccomp flags are not yet supported by runc"');
    expect(reasonLine('crun: cannot open sd-bus\nsecond line')).toBe('crun: cannot open sd-bus');
    expect(reasonLine('')).toBe('');
  });
});
