/**
 * Namespaces in depth (runtime-spec `config-linux.md` "Namespaces", "Offset
 * for Time Namespace"): joining each namespace type by path, the errors the
 * spec asks for (a path of the wrong type, a path that is no namespace, a
 * duplicated type), the pid namespace inherited, the cgroup namespace root
 * and time namespace offsets. Joined namespaces are held by a sleeping
 * container of the check, or, for the mount namespace, by a host process
 * made with unshare(1) and killed by its pid.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LinuxNamespaceType } from '@ocikit/runtime-spec';
import type { Check, CheckContext } from '../check.js';
import { sleep } from '../driver.js';
import { fail, skip } from '../errors.js';
import { requireHost } from '../host.js';
import { create, expectError, expectSame, hostNamespace, launch, specRef, stateOk } from './common.js';
import { probe, probeOutput, type ProbeOptions } from './probe.js';

/** /proc/PID/ns file of each namespace type. */
export const NS_FILE: Readonly<Record<LinuxNamespaceType, string>> = { pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', cgroup: 'cgroup', user: 'user', time: 'time' };

/** Namespace identity (`net:[4026531840]`) of a process, failing when it cannot be read. */
export function namespaceOf(pid: number, type: LinuxNamespaceType): string {
  const ns = hostNamespace(pid, NS_FILE[type]);
  if (!ns) skip(`host: cannot read /proc/${pid}/ns/${NS_FILE[type]}`);
  return ns;
}

/** The pid of a running container, from its state. */
export async function containerPid(ctx: CheckContext, id: string): Promise<number> {
  const pid = (await stateOk(ctx, id))['pid'];
  if (typeof pid !== 'number' || pid <= 0) fail(`expected the state of a running container to carry its pid, found ${JSON.stringify(pid)}`);
  return pid;
}

/** A running container of the check configured by `options`, holding its namespaces; its pid. */
export async function holder(ctx: CheckContext, name: string, options: ProbeOptions = {}): Promise<number> {
  const bundle = ctx.bundle(name, { ...options, args: ['sh', '-c', 'echo ready; sleep 30'] });
  const c = await launch(ctx, bundle, 'ready');
  return containerPid(ctx, c.id);
}

/** Run a container joining the namespace of `type` at `nsPath`; the namespace its program is in. */
async function joined(ctx: CheckContext, type: LinuxNamespaceType, nsPath: string, options: ProbeOptions = {}): Promise<string> {
  return (
    await probeOutput(ctx, `join-${type}`, `readlink /proc/$$/ns/${NS_FILE[type]}`, {
      ...options,
      configure: (b) => {
        options.configure?.(b);
        b.namespace(type, nsPath);
      },
    })
  ).trim();
}

const PATH_TEXT = 'The runtime MUST place the container process in the namespace associated with that `path`.';

/** Join a namespace of `type` held by a container of the check (made with `holderOptions`). */
function pathCheck(type: LinuxNamespaceType, holderOptions: ProbeOptions = {}, joinerOptions: ProbeOptions = {}): Check {
  return {
    id: `namespaces.path-${type}`,
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: PATH_TEXT,
    async run(ctx) {
      const pid = await holder(ctx, `holder-${type}`, holderOptions);
      const want = namespaceOf(pid, type);
      if (want === namespaceOf(ctx.hostPid, type)) skip(`the holder container shares the runtime's ${type} namespace: nothing to join`);
      const got = await joined(ctx, type, `/proc/${pid}/ns/${NS_FILE[type]}`, joinerOptions);
      expectSame(got, want, `expected to join the ${type} namespace ${want} by path, found ${got}`);
      return `joined ${want} by path`;
    },
  };
}

/** A host process in a mount namespace of its own (unshare(1)), stopped by `stop`. */
async function hostMountNamespace(): Promise<{ pid: number; stop: () => void }> {
  if (process.getuid?.() !== 0) skip('host: unshare --mount needs root');
  const probeRun = spawnSync('unshare', ['--version'], { encoding: 'utf8' });
  if (probeRun.error || probeRun.status !== 0) skip('host: no unshare(1) to make a mount namespace to join');
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '60'], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) skip('host: unshare(1) did not start');
  const stop = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const mine = hostNamespace(process.pid, 'mnt');
  for (let i = 0; i < 250; i++) {
    const ns = hostNamespace(pid, 'mnt');
    if (ns !== undefined && ns !== mine && child.exitCode === null) return { pid, stop };
    if (child.exitCode !== null) break;
    await sleep(20);
  }
  stop();
  skip('host: unshare --mount did not make a mount namespace');
}

/** For each type, a namespace file of another type (runtime-tools' linux_ns_path_type pairs). */
const WRONG_TYPE: readonly (readonly [LinuxNamespaceType, string])[] = [
  ['cgroup', 'ipc'],
  ['ipc', 'mnt'],
  ['mount', 'net'],
  ['network', 'pid'],
  ['pid', 'user'],
  ['uts', 'cgroup'],
];

/** `create` of a bundle that the spec says MUST make the runtime generate an error. */
async function expectCreateError(ctx: CheckContext, name: string, options: ProbeOptions, what: string): Promise<void> {
  const bundle = ctx.bundle(name, { ...options, args: ['sh', '-c', 'true'] });
  const call = await create(ctx, ctx.newId(), bundle);
  expectError(call, what);
}

export const NAMESPACE_CHECKS: readonly Check[] = [
  pathCheck('network'),
  pathCheck('uts'),
  pathCheck('pid'),
  pathCheck('cgroup', { configure: (b) => b.namespace('cgroup') }),
  {
    id: 'namespaces.path-mount',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: PATH_TEXT,
    async run(ctx) {
      const held = await hostMountNamespace();
      try {
        const want = namespaceOf(held.pid, 'mount');
        const got = await joined(ctx, 'mount', `/proc/${held.pid}/ns/mnt`);
        expectSame(got, want, `expected to join the mount namespace ${want} by path, found ${got}`);
        return `joined ${want} by path`;
      } finally {
        held.stop();
      }
    },
  },
  {
    id: 'namespaces.path-type',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'The runtime MUST generate an error if `path` is not associated with a namespace of type `type`.',
    async run(ctx) {
      const accepted: string[] = [];
      for (const [type, wrong] of WRONG_TYPE) {
        const bundle = ctx.bundle(`wrong-${type}`, { configure: (b) => b.namespace(type, `/proc/${ctx.hostPid}/ns/${wrong}`) });
        const call = await create(ctx, ctx.newId(), bundle);
        if (call.code === 0 || call.timedOut) accepted.push(`${type} <- ${wrong}`);
      }
      if (accepted.length) fail(`expected create to generate an error for a namespace path of another type, found it accepted ${accepted.join(', ')}`, { expected: 'non-zero exit for each', actual: accepted });
      return `create refused ${WRONG_TYPE.map(([t, w]) => `${t} <- ${w}`).join(', ')}`;
    },
  },
  {
    id: 'namespaces.path-missing',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'The runtime MUST generate an error if `path` is not associated with a namespace of type `type` (here: no file at `path`).',
    async run(ctx) {
      await expectCreateError(ctx, 'path-missing', { patch: (spec, b) => void spec.linux!.namespaces!.push({ type: 'cgroup', path: path.join(b.host, 'no-such-namespace') }) }, 'create with a cgroup namespace path that does not exist');
      return 'create refused a namespace path that does not exist';
    },
  },
  {
    id: 'namespaces.path-not-namespace',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'The runtime MUST generate an error if `path` is not associated with a namespace of type `type` (here: a regular file).',
    async run(ctx) {
      await expectCreateError(
        ctx,
        'path-not-namespace',
        {
          patch: (spec, b) => {
            const file = path.join(b.host, 'not-a-namespace');
            writeFileSync(file, 'plain file\n');
            spec.linux!.namespaces!.push({ type: 'cgroup', path: file });
          },
        },
        'create with a cgroup namespace path naming a regular file',
      );
      return 'create refused a namespace path naming a regular file';
    },
  },
  {
    id: 'namespaces.duplicate',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'If a `namespaces` field contains duplicated namespaces with same `type`, the runtime MUST generate an error.',
    async run(ctx) {
      await expectCreateError(ctx, 'duplicate', { patch: (spec) => void spec.linux!.namespaces!.push({ type: 'ipc' }) }, 'create with two ipc namespace entries');
      return 'create refused two ipc entries';
    },
  },
  {
    id: 'namespaces.inherit-pid',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'If a namespace type is not specified in the `namespaces` array, the container MUST inherit the runtime namespace of that type.',
    async run(ctx) {
      const want = namespaceOf(ctx.hostPid, 'pid');
      const got = (await probeOutput(ctx, 'inherit-pid', 'readlink /proc/$$/ns/pid', { patch: (spec) => void (spec.linux!.namespaces = spec.linux!.namespaces!.filter((n) => n.type !== 'pid')) })).trim();
      expectSame(got, want, `expected the runtime's pid namespace ${want} without a pid entry, found ${got}`);
      return `inherited pid namespace ${want}`;
    },
  },
  {
    id: 'namespaces.cgroup-root',
    level: 'SHOULD',
    ref: specRef('config-linux.md', 'namespaces'),
    text: '`cgroup`: the container will have an isolated view of the cgroup hierarchy (its own cgroups are the root of the cgroup namespace, cgroup_namespaces(7)).',
    async run(ctx) {
      const s = await probe(ctx, 'cgroup-root', { cg: 'cat /proc/self/cgroup' }, { configure: (b) => b.namespace('cgroup') });
      const lines = s('cg').trim().split('\n').filter(Boolean);
      const notRoot = lines.filter((l) => l.split(':').slice(2).join(':') !== '/');
      if (!lines.length || notRoot.length) fail(`expected every /proc/self/cgroup line to show / in a new cgroup namespace, found ${notRoot.join(' ') || 'no lines'}`, { expected: 'path /', actual: lines });
      return `${lines.length} hierarchies seen at / in the cgroup namespace`;
    },
  },
  {
    id: 'namespaces.time-new',
    level: 'SHOULD',
    since: '1.1.0',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'The following namespace types SHOULD be supported: `time` (the container will be able to have its own clocks); if `path` is not specified, the runtime MUST create a new container namespace of type `type`.',
    async run(ctx) {
      requireHost(ctx.host, 'timeNamespaces');
      const want = namespaceOf(ctx.hostPid, 'time');
      const got = (await probeOutput(ctx, 'time-new', 'readlink /proc/$$/ns/time', { configure: (b) => b.namespace('time') })).trim();
      if (!got.startsWith('time:[') || got === want) fail(`expected a new time namespace, found ${got}`, { expected: `not ${want}`, actual: got });
      return `new time namespace ${got}`;
    },
  },
  {
    id: 'namespaces.time-offsets',
    level: 'SHOULD',
    since: '1.1.0',
    ref: specRef('config-linux.md', 'offset-for-time-namespace'),
    text: '`timeOffsets` (object, OPTIONAL) sets the offset for Time Namespace; the name of the clock is the entry key, `secs` and `nanosecs` its offset in the container (SHOULD: with the `time` namespace type, which SHOULD be supported).',
    async run(ctx) {
      requireHost(ctx.host, 'timeNamespaces');
      const offsets = { monotonic: { secs: 259200, nanosecs: 500 }, boottime: { secs: 432000, nanosecs: 0 } };
      const out = await probeOutput(ctx, 'time-offsets', 'cat /proc/self/timens_offsets', {
        configure: (b) => b.namespace('time'),
        patch: (spec) => void (spec.linux!.timeOffsets = offsets),
      });
      const got = Object.fromEntries(
        out
          .trim()
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .filter((f) => f.length === 3)
          .map(([clock = '', secs = '', ns = '']) => [clock, { secs: Number(secs), nanosecs: Number(ns) }]),
      );
      expectSame({ monotonic: got['monotonic'], boottime: got['boottime'] }, offsets, `expected /proc/self/timens_offsets to show the configured offsets, found ${JSON.stringify(out.trim())}`);
      return 'monotonic and boottime offsets in /proc/self/timens_offsets';
    },
  },
];
