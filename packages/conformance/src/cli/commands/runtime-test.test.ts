import { afterAll, describe, it, expect } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OCIKIT_BIN, runCli, runCliAsNobody } from '../../test-support/run-cli.js';
import { containersUnder, CRUN_DEVIATIONS, RUNC, RUNC_DEVIATIONS, RUNC_PEERS } from '../../test-support/runtimes.js';
import { ALL_CHECKS } from '../../runtime-test/checks/index.js';
import { selectChecks } from '../../runtime-test/select.js';
import { describeWithPeers, startRegistry, suiteScratch, type RunningRegistry } from '@ocikit/testkit';
import { buildBusyboxRootfs, findStaticBusybox } from '../../runtime-test/rootfs.js';
import { execFileSync } from 'node:child_process';

// End to end through the built bin (`npx turbo run build --filter=@ocikit/conformance...`).


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
    expect(Object.keys(doc)).toEqual(['runtime', 'version', 'ociVersion', 'preflight', 'results', 'summary']);
    expect(doc.preflight).toEqual({ ok: true });
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

describeWithPeers(RUNC_PEERS, 'ocikit runtime-test when its reader goes away', () => {
  it('stops, removes its containers and work directory, and exits 130 (`| head`)', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'ocikit-epipe-'));
    try {
      const child = spawn(process.execPath, [OCIKIT_BIN, 'runtime-test', '--runtime', RUNC, '--tap'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      // Like `head -3`: read until the first check's line, then close the pipe.
      let seen = '';
      child.stdout.on('data', (b: Buffer) => {
        seen += b.toString();
        if (/^ok 5 /m.test(seen)) child.stdout.destroy();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect([code, err]).toEqual([130, '']);
      expect(containersUnder(tmp)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describeWithPeers(RUNC_PEERS, 'ocikit runtime-test preflight: a host that cannot run containers', () => {
  it('says so once with the runtime\'s message, skips every check that needs a container, and exits 3', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-preflight-'));
    try {
      // A runc whose every create fails the way a broken host makes it fail (the message is runc's logrus form).
      const runtime = path.join(dir, 'runc-no-host');
      writeFileSync(runtime, `#!/bin/sh\nif [ "$1" = create ]; then echo 'time="2026-12-06T05:00:00Z" level=error msg="runc create failed: unable to apply cgroup configuration: mkdir /sys/fs/cgroup/pids/x: read-only file system"' >&2; exit 1; fi\nexec ${RUNC} "$@"\n`);
      chmodSync(runtime, 0o755);
      const r = await runCli(['runtime-test', '--runtime', runtime, '--tap'], { env: { ...process.env, TMPDIR: dir } });
      expect(r.code).toBe(3);
      const lines = r.stdout.split('\n');
      const problem = lines.filter((l) => l.includes('read-only file system'));
      expect(problem).toEqual(['# preflight: no container can start: create failed: runc create failed: unable to apply cgroup configuration: mkdir /sys/fs/cgroup/pids/x: read-only file system']);
      expect(lines.filter((l) => l.startsWith('not ok'))).toEqual([]);
      const standalone = new Set(ALL_CHECKS.filter((c) => c.standalone).map((c) => c.id));
      expect(standalone.size).toBeGreaterThan(3);
      for (const c of ALL_CHECKS) {
        const line = lines.find((l) => l.includes(` - ${c.id} [`));
        if (standalone.has(c.id)) expect(line).not.toContain('no container can start');
        // A rule newer than the release runc declares is skipped for that reason first.
        else expect(line).toMatch(/# SKIP (no container can start with this runtime on this host \(see the preflight line\)|a runtime-spec \S+ rule; testing runtime-spec)/);
      }
      expect(readdirSync(dir)).toEqual(['runc-no-host']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithPeers(['root', 'crun', 'unshare', 'busybox'], 'ocikit runtime-test against crun', () => {
  const hybrid = existsSync('/sys/fs/cgroup/unified/cgroup.controllers') && existsSync('/sys/fs/cgroup/memory');
  const mounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / - cgroup2? /.test(l)).map((l) => l.split(' ')[4]).sort();

  it('names the host problem instead of failing checks where crun refuses the host, and runs with --private-cgroup2', async () => {
    const before = mounts();
    const plain = await runCli(['runtime-test', '--runtime', 'crun', '--only', 'lifecycle,process.cwd,process.env', '--json']);
    const doc = JSON.parse(plain.stdout);
    if (hybrid) {
      // Debian's crun 1.8.1: "cgroups in hybrid mode not supported, drop all controllers from cgroupv2".
      expect(plain.code).toBe(3);
      expect(doc.preflight.ok).toBe(false);
      expect(doc.preflight.problem).toMatch(/^create failed: .*hybrid/);
      expect(doc.preflight.hint).toContain('--private-cgroup2');
      expect(doc.summary.fail).toBe(0);
    } else {
      expect(doc.preflight).toEqual({ ok: true });
    }
    if (!hybrid) return;
    // The whole catalogue: crun fails exactly its deviations (the README names each one's sentence).
    const hidden = await runCli(['runtime-test', '--runtime', 'crun', '--private-cgroup2', '--json']);
    const inside = JSON.parse(hidden.stdout);
    expect(inside.preflight).toEqual({ ok: true });
    expect(inside.results.filter((x: { status: string }) => x.status === 'fail').map((x: { id: string }) => x.id).sort()).toEqual([...CRUN_DEVIATIONS].sort());
    expect(hidden.code).toBe(1);
    // The unmount was private to the suite's namespace.
    expect(mounts()).toEqual(before);
  }, 120_000);
});

describeWithPeers(['root', 'runc', 'busybox', 'umoci', 'skopeo', 'docker-registry'], 'ocikit runtime-test --image', () => {
  const scratch = suiteScratch('cli-runtime-test-image');
  let registry: RunningRegistry | undefined;
  afterAll(() => registry?.stop());
  const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const listing = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

  it('runs the checks on an image from a layout and from a registry, and leaves both as they were', async () => {
    // An image of the static busybox with every applet, made by umoci.
    const layout = path.join(scratch.dir, 'layout');
    const build = path.join(scratch.dir, 'build');
    tool('umoci', ['init', '--layout', layout]);
    tool('umoci', ['new', '--image', `${layout}:v1`]);
    tool('umoci', ['unpack', '--image', `${layout}:v1`, build]);
    buildBusyboxRootfs(path.join(build, 'rootfs'), findStaticBusybox()!);
    tool('umoci', ['repack', '--image', `${layout}:v1`, build]);
    const before = listing(layout);
    const only = ['lifecycle.start-runs', 'process.cwd', 'process.env', 'mounts.tmpfs', 'mounts.bind', 'mounts.order', 'root.readonly'];
    const fromLayout = await runCli(['runtime-test', '--runtime', RUNC, '--image', `oci:${layout}:v1`, '--only', only.join(','), '--json'], { env: { ...process.env, TMPDIR: scratch.dir } });
    expect(fromLayout.stderr).toBe('');
    const doc = JSON.parse(fromLayout.stdout);
    expect(doc.preflight).toEqual({ ok: true });
    expect(doc.results.map((r: { status: string }) => r.status)).toEqual(selectChecks(ALL_CHECKS, only).map(() => 'pass'));
    expect(fromLayout.code).toBe(0);
    expect(listing(layout)).toEqual(before);

    registry = await startRegistry();
    tool('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${registry.host}/conformance/busybox:v1`]);
    const fromRegistry = await runCli(['runtime-test', '--runtime', RUNC, '--image', `docker://${registry.host}/conformance/busybox:v1`, '--tls-verify=false', '--only', 'process.cwd', '--tap'], {
      env: { ...process.env, TMPDIR: scratch.dir },
    });
    expect(fromRegistry.code).toBe(0);
    expect(fromRegistry.stdout).toContain('ok 1 - process.cwd [MUST]');
    // Only the umoci build and the layout remain: the copied image and its bundle went with the work directory.
    expect(readdirSync(scratch.dir).sort()).toEqual(['build', 'layout']);
  }, 120_000);

  it('refuses an image without the applets, naming the image, with exit 2', async () => {
    const layout = path.join(scratch.dir, 'empty');
    tool('umoci', ['init', '--layout', layout]);
    tool('umoci', ['new', '--image', `${layout}:v1`]);
    const r = await runCli(['runtime-test', '--runtime', RUNC, '--image', `oci:${layout}:v1`], { env: { ...process.env, TMPDIR: scratch.dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ocikit: runtime-test: expected the image oci:\S+empty:v1 to provide \/bin\/sh, .* found no \/bin\/sh/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    rmSync(layout, { recursive: true });
  });
});

describeWithPeers(['root', 'runc', 'busybox', 'setpriv'], 'ocikit runtime-test --rootless (as nobody)', () => {
  const scratch = suiteScratch('cli-runtime-test-rootless');

  it('runs the checks an unprivileged runtime can pass, skips the ones that need root with the reason, and leaves nothing behind', () => {
    // nobody runs a copy of Node in the scratch folder and works in tmp/ there.
    chmodSync(scratch.dir, 0o755);
    const tmp = path.join(scratch.dir, 'tmp');
    mkdirSync(tmp);
    chownSync(tmp, 65534, 65534);
    const r = runCliAsNobody(scratch.dir, path.join(scratch.dir, 'home'), ['runtime-test', '--runtime', RUNC, '--rootless', '--json'], { TMPDIR: tmp });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { preflight: { ok: boolean }; results: { id: string; status: string; message: string }[] };
    expect(doc.preflight).toEqual({ ok: true });
    const by = (status: string) => doc.results.filter((x) => x.status === status);
    // Only runc's own deviations fail, as they do as root (see README); nothing else.
    expect(by('fail').map((x) => x.id).filter((id) => !RUNC_DEVIATIONS.includes(id))).toEqual([]);
    const rootOnly = by('skip').filter((x) => x.message.startsWith('rootless: '));
    expect(rootOnly.map((x) => x.id)).toEqual(expect.arrayContaining(['process.user', 'linux.devices', 'linux.namespaces-path']));
    // Every other skip says why (a rule newer than runc declares, a host feature), and most of what runs passes.
    for (const x of by('skip')) expect(`${x.id}: ${x.message}`).toMatch(/^[\w.-]+: (rootless: |a runtime-spec \S+ rule; |host: |runtime: )/);
    expect(by('pass').length).toBeGreaterThan(((doc.results.length - by('skip').length) * 4) / 5);
    expect(by('pass').map((x) => x.id)).toEqual(expect.arrayContaining(['lifecycle.start-runs', 'process.env', 'mounts.bind', 'root.readonly', 'linux.masked-paths']));
    // The runtime's state lived in the work directory, which is gone.
    expect(readdirSync(tmp)).toEqual([]);
  }, 150_000);
});
