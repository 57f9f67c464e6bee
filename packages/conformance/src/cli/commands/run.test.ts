/**
 * `ocikit run` and the container commands, end to end: an image built by
 * umoci from Debian's static busybox, pushed by skopeo to a real
 * docker-registry on loopback, run under real runc (and crun where this
 * host allows it), as root and as an unprivileged user.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithPeers, peerPath, startFaultProxy, suiteScratch } from '@ocikit/testkit';
import { isolatedEnv } from '../../test-support/registry-suite.js';
import { OCIKIT_BIN, runCli, runCliAsNobody, runCliOnTty, type CliResult } from '../../test-support/run-cli.js';
import { startRegistry, type RunningRegistry } from '@ocikit/testkit';
import { ExitCode } from '../exit-codes.js';

const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A busybox image made by umoci: /bin/busybox and applets, a user `app` (1000:1000), /srv. */
function buildImage(dir: string, layout: string, config: string[]): void {
  const build = path.join(dir, `build-${path.basename(layout)}`);
  tool('umoci', ['init', '--layout', layout]);
  tool('umoci', ['new', '--image', `${layout}:v1`]);
  tool('umoci', ['unpack', '--image', `${layout}:v1`, build]);
  const rootfs = path.join(build, 'rootfs');
  for (const d of ['bin', 'etc', 'srv', 'tmp', 'home/app']) mkdirSync(path.join(rootfs, d), { recursive: true });
  chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  copyFileSync(peerPath('busybox'), path.join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'echo', 'id', 'sleep', 'pwd', 'cat', 'touch', 'tty', 'env', 'true']) symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\napp:x:1000:\n');
  writeFileSync(path.join(rootfs, 'srv/notes.txt'), 'hello\n');
  tool('umoci', ['repack', '--image', `${layout}:v1`, build]);
  tool('umoci', ['config', '--image', `${layout}:v1`, ...config]);
}

describeWithPeers(['root', 'runc', 'umoci', 'skopeo', 'docker-registry', 'busybox'], 'ocikit run (built bin, real runc, real registry)', () => {
  let registry: RunningRegistry;
  let env: NodeJS.ProcessEnv;
  const names: string[] = [];
  // Registered before the scratch folder's own clean-up, so that it runs first: overlay mounts are undone before the folder goes.
  afterAll(() => {
    // Through ocikit, so that overlay mounts go too; then the runtime's own state, whatever is left.
    for (const n of names) spawnSync(process.execPath, [OCIKIT_BIN, 'delete', '--force', n], { env: { ...process.env, ...env } });
    for (const n of names) spawnSync('runc', ['delete', '--force', n]);
    return registry?.stop();
  });
  const scratch = suiteScratch('cli-run');
  let image: string;
  let store: string;
  let layout: string;

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { env: { ...env, ...extra } });
  const containersLeft = () => readdirSync(path.join(store, 'containers'));
  const runcKnows = (id: string) => spawnSync('runc', ['state', id]).status === 0;

  beforeAll(async () => {
    env = isolatedEnv(path.join(scratch.dir, 'home'));
    store = path.join(scratch.dir, 'store');
    env['OCIKIT_STORE'] = store;
    registry = await startRegistry();
    layout = path.join(scratch.dir, 'layout');
    buildImage(scratch.dir, layout, ['--config.cmd', 'sh', '--config.cmd', '-c', '--config.cmd', 'echo hello from $(id -u)', '--config.env', 'FOO=image', '--config.workingdir', '/srv']);
    buildImage(scratch.dir, path.join(scratch.dir, 'nocmd'), ['--clear=config.cmd']);
    chmodSync(scratch.dir, 0o755);
    tool('chmod', ['-R', 'a+rX', layout]);
    image = `${registry.host}/test/busybox:v1`;
    tool('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${image}`]);
    tool('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${path.join(scratch.dir, 'nocmd')}:v1`, `docker://${registry.host}/test/nocmd:v1`]);
  }, 120_000);
  it('pulls from the registry, runs the image config, exits with its status and leaves nothing with --rm', async () => {
    const r = await cli(['run', '--rm', '-q', '--tls-verify=false', image]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'hello from 0\n', '']);
    const failed = await cli(['run', '--rm', '--tls-verify=false', image, 'sh', '-c', 'echo out; echo err >&2; exit 42']);
    expect([failed.code, failed.stdout, failed.stderr]).toEqual([42, 'out\n', 'err\n']);
    expect(containersLeft()).toEqual([]);
    const images = JSON.parse((await cli(['images', '--json'])).stdout) as { ref: string; unpacked: boolean; platform: string }[];
    expect(images).toEqual([expect.objectContaining({ ref: `${image}`, unpacked: true })]);
    expect(JSON.parse((await cli(['ps', '--json'])).stdout)).toEqual([]);
  });

  it('applies -e, -w and -u over the image config, users resolved in the image', async () => {
    const fromImage = await cli(['run', '--rm', '--tls-verify=false', image, 'sh', '-c', 'echo $FOO $(pwd) $(cat notes.txt)']);
    expect([fromImage.code, fromImage.stdout]).toEqual([0, 'image /srv hello\n']);
    const r = await cli(['run', '--rm', '-e', 'FOO=cli', '-e', 'BAR=1', '-w', '/tmp', '-u', 'app', '--tls-verify=false', image, 'sh', '-c', 'echo $FOO $BAR $(pwd) $(id -u):$(id -g) $HOME']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'cli 1 /tmp 1000:1000 /home/app\n', '']);
    const entry = await cli(['run', '--rm', '--entrypoint', 'echo', '--tls-verify=false', image, 'via', 'entrypoint']);
    expect([entry.code, entry.stdout]).toEqual([0, 'via entrypoint\n']);
    const ro = await cli(['run', '--rm', '--read-only', '--tls-verify=false', image, 'touch', '/written']);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toMatch(/Read-only file system/);
  });

  it('runs a cached image again without the registry and without unpacking again', async () => {
    const proxy = await startFaultProxy(registry);
    const viaProxy = `${proxy.host}/test/busybox:v1`;
    const first = await cli(['run', '--rm', '--tls-verify=false', viaProxy, 'true']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const cached = readdirSync(path.join(store, 'rootfs')).filter((e) => !e.startsWith('.'));
    const inodes = cached.map((e) => statSync(path.join(store, 'rootfs', e)).ino);
    await proxy.stop();
    const again = await cli(['run', '--rm', '--tls-verify=false', viaProxy, 'echo', 'offline']);
    expect([again.code, again.stdout, again.stderr]).toEqual([0, 'offline\n', '']);
    expect(readdirSync(path.join(store, 'rootfs')).filter((e) => !e.startsWith('.'))).toEqual(cached);
    expect(cached.map((e) => statSync(path.join(store, 'rootfs', e)).ino)).toEqual(inodes);
    // Same manifest, two names: one unpacked tree.
    expect(cached).toHaveLength(1);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`forwards ${signal} to the container and removes it with --rm`, async () => {
      const name = `sig-${signal.toLowerCase()}`;
      names.push(name);
      const child = spawn(process.execPath, [OCIKIT_BIN, 'run', '--rm', '--name', name, '--tls-verify=false', image, 'sh', '-c', `trap "echo caught; exit 7" ${signal.slice(3)}; echo ready; while true; do sleep 0.1; done`], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('ready')) resolve();
        });
      });
      expect(runcKnows(name)).toBe(true);
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([code, out, err]).toEqual([7, 'ready\ncaught\n', '']);
      expect(runcKnows(name)).toBe(false);
      expect(containersLeft()).toEqual([]);
    });
  }

  it('detaches, and ps, state, exec, kill and delete act on the container', async () => {
    names.push('detached');
    const r = await cli(['run', '-d', '--name', 'detached', '--tls-verify=false', image, 'sh', '-c', 'trap "echo stopping; exit 3" TERM; echo up; while true; do sleep 0.1; done']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'detached\n', '']);
    const ps = JSON.parse((await cli(['ps', '--json'])).stdout) as { name: string; status: string; pid: number }[];
    expect(ps).toEqual([expect.objectContaining({ name: 'detached', status: 'running', image })]);
    const state = await cli(['state', 'detached']);
    expect(JSON.parse(state.stdout)).toMatchObject({ id: 'detached', status: 'running', pid: ps[0]!.pid });
    const exec = await cli(['exec', '-u', 'app', '-e', 'X=1', 'detached', 'sh', '-c', 'echo $X $(id -u); exit 5']);
    expect([exec.code, exec.stdout]).toEqual([5, '1 1000\n']);
    const busy = await cli(['delete', 'detached']);
    expect([busy.code, busy.stderr]).toEqual([ExitCode.Failure, expect.stringContaining('[CONTAINER_RUNNING]')]);
    expect((await cli(['kill', 'detached'])).code).toBe(0);
    for (let i = 0; i < 100 && JSON.parse((await cli(['state', 'detached'])).stdout).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(path.join(store, 'containers/detached/output.log'), 'utf8')).toBe('up\nstopping\n');
    expect((await cli(['delete', 'detached'])).code).toBe(0);
    expect(runcKnows('detached')).toBe(false);
    expect(containersLeft()).toEqual([]);
    const gone = await cli(['state', 'detached']);
    expect([gone.code, gone.stderr]).toEqual([ExitCode.Usage, expect.stringContaining('[NO_SUCH_CONTAINER]')]);
  });

  it('removes a detached --rm container once its process ends', async () => {
    names.push('watched');
    const r = await cli(['run', '-d', '--rm', '--name', 'watched', '--tls-verify=false', image, 'sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.1; done']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'watched\n', '']);
    expect(containersLeft()).toEqual(['watched']);
    expect((await cli(['exec', 'watched', 'touch', '/tmp/go'])).code).toBe(0);
    // Waits for the monitor left behind; the bound is only there so that a broken one fails the test.
    for (let i = 0; i < 300 && containersLeft().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(containersLeft()).toEqual([]);
    expect(runcKnows('watched')).toBe(false);
  });

  it('gives the process a real terminal with -t', async () => {
    const r = await runCliOnTty(['run', '--rm', '-t', '-q', '--tls-verify=false', image, 'sh', '-c', 'tty; echo $TERM'], { env });
    expect(r.code).toBe(0);
    expect(r.screen).toMatch(/\/dev\/pts\/\d+\r?\nxterm/);
  });

  it('runs two of the same image at once from an empty store, unpacking it once', async () => {
    const fresh = path.join(scratch.dir, 'store-concurrent');
    const both = await Promise.all([1, 2].map((n) => cli(['run', '--rm', '--tls-verify=false', image, 'echo', `run ${n}`], { OCIKIT_STORE: fresh })));
    expect(both.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
      [0, 'run 1\n', ''],
      [0, 'run 2\n', ''],
    ]);
    expect(readdirSync(path.join(fresh, 'rootfs')).filter((e) => !e.startsWith('.'))).toHaveLength(1);
    expect(readdirSync(path.join(fresh, 'containers'))).toEqual([]);
  });

  it('refuses, in one line with a distinct status, and leaves nothing behind', async () => {
    const cases: [string[], number, string][] = [
      [['run', '--rm', '--tls-verify=false', `${registry.host}/test/absent:v1`], ExitCode.ContainerFailed, 'MANIFEST_UNKNOWN'],
      [['run', '--rm', '--tls-verify=false', image, 'no-such-command'], ExitCode.CommandNotFound, 'EXECUTABLE_NOT_FOUND'],
      [['run', '--rm', '--tls-verify=false', image, '/srv/notes.txt'], ExitCode.CannotInvoke, 'NOT_EXECUTABLE'],
      [['run', '--rm', '--tls-verify=false', `${registry.host}/test/nocmd:v1`], ExitCode.CannotInvoke, 'NO_COMMAND'],
      [['run', '--rm', '--runtime', 'no-such-runtime', '--tls-verify=false', image], ExitCode.ContainerFailed, 'RUNTIME_NOT_FOUND'],
      [['run', '--rm', '--name', 'bad/name', '--tls-verify=false', image], ExitCode.ContainerFailed, 'INVALID_CONTAINER_NAME'],
    ];
    for (const [args, code, expected] of cases) {
      const r = await cli(args);
      expect([r.code, r.stdout, r.stderr.split('\n').length]).toEqual([code, '', 2]);
      expect(r.stderr).toContain(`[${expected}]`);
    }
    expect(containersLeft()).toEqual([]);
    expect(readdirSync(path.join(store, 'rootfs')).filter((e) => e.startsWith('.ocikit-'))).toEqual([]);
    expect(tool('runc', ['list', '-q']).trim()).toBe('');
  });

  it('refuses an unsigned image with --verify-key, and runs it once signed', async () => {
    const key = path.join(scratch.dir, 'cosign');
    const made = await cli(['key', 'generate', '--output', key], { COSIGN_PASSWORD: 'pw' });
    expect(made.code).toBe(0);
    const refused = await cli(['run', '--rm', '--verify-key', `${key}.pub`, '--tls-verify=false', image]);
    expect([refused.code, refused.stdout]).toEqual([ExitCode.ContainerFailed, '']);
    expect(refused.stderr).toContain('[SIGNATURE_NOT_FOUND]');
    const signed = await cli(['sign', '--key', `${key}.key`, '--tls-verify=false', `docker://${image}`], { COSIGN_PASSWORD: 'pw' });
    expect([signed.code, signed.stderr]).toEqual([0, '']);
    const ran = await cli(['run', '--rm', '--verify-key', `${key}.pub`, '--tls-verify=false', image]);
    expect([ran.code, ran.stdout, ran.stderr]).toEqual([0, 'hello from 0\n', '']);
  });

  it('rmi keeps an image a container uses; prune frees unpacked trees nothing names', async () => {
    names.push('keeper');
    expect((await cli(['run', '--name', 'keeper', `oci:${layout}:v1`, 'true'])).code).toBe(0);
    // The registry's names point at the same manifest: removing them leaves the tree to the last name.
    for (const ref of (JSON.parse((await cli(['images', '--json'])).stdout) as { ref: string }[]).map((i) => i.ref).filter((r) => r !== 'localhost/layout:v1')) {
      expect((await cli(['rmi', ref])).code).toBe(0);
    }
    expect(readdirSync(path.join(store, 'rootfs')).filter((e) => !e.startsWith('.'))).toHaveLength(1);
    const inUse = await cli(['rmi', 'localhost/layout:v1']);
    expect([inUse.code, inUse.stderr]).toEqual([ExitCode.Failure, expect.stringContaining('[IMAGE_IN_USE]')]);
    expect((await cli(['delete', 'keeper'])).code).toBe(0);
    const removed = await cli(['rmi', 'localhost/layout:v1']);
    expect([removed.code, removed.stdout]).toEqual([0, expect.stringContaining('and its unpacked tree')]);
    expect(readdirSync(path.join(store, 'rootfs')).filter((e) => !e.startsWith('.'))).toEqual([]);
    const absent = await cli(['rmi', 'localhost/layout:v1']);
    expect([absent.code, absent.stderr]).toEqual([ExitCode.Usage, expect.stringContaining('[NO_SUCH_IMAGE]')]);
    const pruned = await cli(['prune', '--json']);
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ bundles: [] });
    expect(JSON.parse((await cli(['images', '--json'])).stdout)).toEqual([]);
  });

  it('runs rootless as an unprivileged user: a user namespace maps that user to root', () => {
    const home = path.join(scratch.dir, 'nobody');
    const r = runCliAsNobody(scratch.dir, home, ['run', '--rm', `oci:${layout}:v1`, 'sh', '-c', 'id -u; cat /proc/self/uid_map']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toBe('0');
    expect(r.stdout.split('\n')[1]!.trim().split(/\s+/)).toEqual(['0', '65534', '1']);
    expect(readdirSync(path.join(home, '.local/share/ocikit/containers'))).toEqual([]);
  });
});

describeWithPeers(['root', 'crun', 'unshare', 'umoci', 'busybox'], 'ocikit run --runtime crun', () => {
  const scratch = suiteScratch('cli-run-crun');
  it('runs under crun with the runtime-spec version crun declares', () => {
    const layout = path.join(scratch.dir, 'layout');
    buildImage(scratch.dir, layout, ['--config.cmd', 'sh', '--config.cmd', '-c', '--config.cmd', 'echo under crun; exit 4']);
    const store = path.join(scratch.dir, 'store');
    // Debian's crun 1.8.1 refuses a cgroup hybrid host; in a private mount namespace without the cgroup2 hierarchy it sees plain v1.
    const hybrid = existsSync('/sys/fs/cgroup/unified/cgroup.controllers');
    const script = `${hybrid ? 'umount /sys/fs/cgroup/unified && ' : ''}exec "$@"`;
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', process.execPath, OCIKIT_BIN, 'run', '--rm', '--runtime', 'crun', `oci:${layout}:v1`], {
      encoding: 'utf8',
      env: { ...process.env, OCIKIT_STORE: store },
      timeout: 60_000,
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([4, 'under crun\n', '']);
    const spoken = JSON.parse(readFileSync(path.join(store, 'runtimes.json'), 'utf8')) as Record<string, { spoken: { version: string } }>;
    expect(spoken[peerPath('crun')]?.spoken.version).toMatch(/^1\.[01]\./);
    expect(readdirSync(path.join(store, 'containers'))).toEqual([]);
  });
});

describeWithPeers(['root', 'runc', 'umoci', 'busybox', 'newuidmap'], 'ocikit run rootless with /etc/subuid ranges', () => {
  const scratch = suiteScratch('cli-run-subuid');
  const files = ['/etc/subuid', '/etc/subgid'];
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const f of files) {
      const text = existsSync(f) ? readFileSync(f, 'utf8') : undefined;
      saved.set(f, text);
      // The machine's entry for nobody, if it has one, is used as it is.
      if (!/^(nobody|65534):/m.test(text ?? '')) writeFileSync(f, `${text ?? ''}${text && !text.endsWith('\n') ? '\n' : ''}nobody:300000:65536\n`);
    }
  });
  afterAll(() => {
    for (const [f, text] of saved) {
      if (text === undefined) rmSync(f, { force: true });
      else writeFileSync(f, text);
    }
  });

  it("maps the user's subordinate range, so the image's own user runs as itself", () => {
    const layout = path.join(scratch.dir, 'layout');
    buildImage(scratch.dir, layout, ['--config.user', 'app', '--config.cmd', 'sh', '--config.cmd', '-c', '--config.cmd', 'id -u; id -g; echo $HOME; cat /proc/self/uid_map']);
    chmodSync(scratch.dir, 0o755);
    tool('chmod', ['-R', 'a+rX', layout]);
    const home = path.join(scratch.dir, 'nobody');
    const r = runCliAsNobody(scratch.dir, home, ['run', '--rm', `oci:${layout}:v1`]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const [uid, gid, homeDir, map0, map1] = r.stdout.split('\n');
    expect([uid, gid, homeDir]).toEqual(['1000', '1000', '/home/app']);
    expect(map0!.trim().split(/\s+/)).toEqual(['0', '65534', '1']);
    expect(map1!.trim().split(/\s+/)[0]).toBe('1');
    expect(readdirSync(path.join(home, '.local/share/ocikit/containers'))).toEqual([]);
  });
});
