/**
 * The container's filesystem and namespaces (runtime-spec `config.md`,
 * "Root", "Mounts"; `config-linux.md`; `runtime-linux.md`). Host-side
 * directories are bind mounted under /ocikit in the container; what the
 * container sees is compared with what the host wrote or reads back.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Check, CheckContext } from '../check.js';
import { fail, skip } from '../errors.js';
import { expectSame, hostDir, hostNamespace, lastLine, launch, readIfExists, sleeper, specRef, stateOk, tryWrite } from './common.js';
import { parseMountInfo } from './mountinfo.js';
import { marker, probe, probeOutput, probeScript, readProbe, type ProbeOptions, type ProbeOutput } from './probe.js';




const NS_FILES = { pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', cgroup: 'cgroup', user: 'user', time: 'time' } as const;
type NsType = keyof typeof NS_FILES;

/** Run a container configured by `options`; the namespaces of `types` it shares with the runtime. */
async function sharedNamespaces(ctx: CheckContext, name: string, types: readonly NsType[], options: ProbeOptions): Promise<NsType[]> {
  const s = await probe(ctx, name, Object.fromEntries(types.map((t) => [t, `readlink /proc/$$/ns/${NS_FILES[t]}`])), options);
  return types.filter((t) => s(t).trim() === hostNamespace(ctx.hostPid, NS_FILES[t]));
}

/** Character device identity from busybox `stat -c '%F|%t|%T'` (hex major/minor). */
function devId(line: string): string {
  const [kind = '', major = '', minor = ''] = line.trim().split('|');
  return kind.includes('character') ? `c ${parseInt(major, 16)}:${parseInt(minor, 16)}` : kind.includes('block') ? `b ${parseInt(major, 16)}:${parseInt(minor, 16)}` : kind || 'missing';
}

export const LINUX_CHECKS: readonly Check[] = [
  {
    id: 'root.readonly',
    level: 'MUST',
    ref: specRef('config.md', 'root'),
    text: '`readonly` (bool, OPTIONAL) If true then the root filesystem MUST be read-only inside the container, defaults to false.',
    async run(ctx) {
      const name = `rw-probe-${ctx.newId()}`;
      const write = tryWrite(`/${name}`);
      const ro = await probeOutput(ctx, 'readonly-true', write);
      const rwBundle = ctx.bundle('readonly-false', { script: probeScript({ w: write }), patch: (spec) => void (spec.root = { path: spec.root!.path, readonly: false }) });
      const rootfs = rwBundle.spec.root!.path;
      let rw: ProbeOutput;
      try {
        rw = await readProbe(ctx, rwBundle);
      } finally {
        rmSync(path.join(rootfs, name), { force: true });
      }
      const got = { readonly: lastLine(ro), writable: lastLine(rw('w')) };
      if (got.readonly !== 'refused') fail('expected writing to a read-only root to fail, found it succeeded', { expected: 'refused', actual: got.readonly });
      if (got.writable !== 'writable') fail('expected writing to a root with readonly false to succeed, found it refused', { expected: 'writable', actual: got.writable });
      return 'read-only root refused a write, writable root took one';
    },
  },
  {
    id: 'mounts.tmpfs',
    level: 'MUST',
    ref: specRef('config.md', 'mounts'),
    text: '`mounts` (array of objects, OPTIONAL) specifies additional mounts beyond `root`; the runtime MUST mount entries in the listed order.',
    async run(ctx) {
      const s = await probe(ctx, 'tmpfs', { info: 'cat /proc/self/mountinfo', mode: 'stat -c %a /ocikit/tmpfs' }, {
        configure: (b) => b.mount('/ocikit/tmpfs', 'tmpfs', { type: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'mode=1750', 'size=1m'] }),
      });
      const m = parseMountInfo(s('info')).filter((x) => x.mountPoint === '/ocikit/tmpfs').pop();
      if (!m) fail('expected a mount at /ocikit/tmpfs, found none', { expected: 'tmpfs at /ocikit/tmpfs', actual: 'no mount' });
      const missing = ['nosuid', 'nodev', 'noexec'].filter((o) => !m.options.includes(o));
      if (m.fsType !== 'tmpfs' || missing.length) fail(`expected tmpfs with nosuid,nodev,noexec, found ${m.fsType} with ${m.options.join(',')}`, { expected: 'tmpfs nosuid,nodev,noexec', actual: `${m.fsType} ${m.options.join(',')}` });
      if (s('mode').trim() !== '1750') fail(`expected mode 1750 from mode=1750, found ${s('mode').trim()}`, { expected: '1750', actual: s('mode').trim() });
      return 'tmpfs mounted with its options and mode';
    },
  },
  {
    id: 'mounts.bind',
    level: 'MUST',
    ref: specRef('config.md', 'mounts'),
    text: '`mounts` (array of objects, OPTIONAL) specifies additional mounts beyond `root`; the runtime MUST mount entries in the listed order.',
    async run(ctx) {
      const token = `bind-token-${ctx.newId()}`;
      let rwDir = '';
      const entries = { read: 'cat /ocikit/bind-ro/token', rotouch: tryWrite('/ocikit/bind-ro/x'), rwwrite: 'echo from-container > /ocikit/bind-rw/written && echo wrote' };
      const s = await probe(ctx, 'bind', entries, {
        patch: (spec, b) => {
          const ro = hostDir(b, 'bind-ro', { token });
          rwDir = hostDir(b, 'bind-rw');
          spec.mounts!.push({ destination: '/ocikit/bind-ro', type: 'bind', source: ro, options: ['rbind', 'ro'] }, { destination: '/ocikit/bind-rw', type: 'bind', source: rwDir, options: ['rbind', 'rw'] });
        },
      });
      const got = { read: s('read').trim(), roWrite: lastLine(s('rotouch')), hostSees: readIfExists(path.join(rwDir, 'written'))?.trim() ?? 'missing' };
      const want = { read: token, roWrite: 'refused', hostSees: 'from-container' };
      expectSame(got, want, 'expected a read-only bind showing the host file and a writable bind whose writes reach the host');
      return 'read-only and writable bind mounts behave';
    },
  },
  {
    id: 'mounts.order',
    level: 'MUST',
    ref: specRef('config.md', 'mounts'),
    text: 'The runtime MUST mount entries in the listed order.',
    async run(ctx) {
      const token = `order-token-${ctx.newId()}`;
      const got = await probeOutput(ctx, 'order', 'cat /ocikit/order/inner/token', {
        patch: (spec, b) => {
          spec.mounts!.push({ destination: '/ocikit/order', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] }, { destination: '/ocikit/order/inner', type: 'bind', source: hostDir(b, 'inner', { token }), options: ['rbind', 'ro'] });
        },
      });
      expectSame(got.trim(), token, 'expected the bind mount listed after the tmpfs to be visible on top of it');
      return 'a later mount inside an earlier one is visible';
    },
  },
  {
    id: 'linux.masked-paths',
    level: 'MUST',
    ref: specRef('config-linux.md', 'masked-paths'),
    text: '`maskedPaths` (array of strings, OPTIONAL) will mask over the provided paths inside the container so that they cannot be read.',
    async run(ctx) {
      const token = `secret-${ctx.newId()}`;
      const s = await probe(ctx, 'masked', { file: 'cat /ocikit/mask/secret', dir: 'ls /ocikit/mask/secretdir', open: 'cat /ocikit/mask/open' }, {
        patch: (spec, b) => {
          const dir = hostDir(b, 'mask', { secret: token, 'secretdir/file': token, open: 'visible' });
          spec.mounts!.push({ destination: '/ocikit/mask', type: 'bind', source: dir, options: ['rbind', 'rw'] });
          spec.linux!.maskedPaths = [...(spec.linux!.maskedPaths ?? []), '/ocikit/mask/secret', '/ocikit/mask/secretdir'];
        },
      });
      expectSame(s('open').trim(), 'visible', 'expected the unmasked file of the same mount to be readable');
      const leaks = [s('file').includes(token) ? 'file' : '', s('dir').includes('file') ? 'directory' : ''].filter(Boolean);
      if (leaks.length) fail(`expected masked paths unreadable, found the masked ${leaks.join(' and ')} readable`, { expected: 'nothing', actual: { file: s('file'), dir: s('dir') } });
      return 'masked file and directory unreadable';
    },
  },
  {
    id: 'linux.readonly-paths',
    level: 'MUST',
    ref: specRef('config-linux.md', 'readonly-paths'),
    text: '`readonlyPaths` (array of strings, OPTIONAL) will set the provided paths as readonly inside the container.',
    async run(ctx) {
      const s = await probe(ctx, 'readonly-paths', { sub: tryWrite('/ocikit/rop/sub/x'), top: tryWrite('/ocikit/rop/y') }, {
        patch: (spec, b) => {
          spec.mounts!.push({ destination: '/ocikit/rop', type: 'bind', source: hostDir(b, 'rop', { 'sub/keep': '' }), options: ['rbind', 'rw'] });
          spec.linux!.readonlyPaths = [...(spec.linux!.readonlyPaths ?? []), '/ocikit/rop/sub'];
        },
      });
      expectSame({ sub: lastLine(s('sub')), top: lastLine(s('top')) }, { sub: 'refused', top: 'writable' }, 'expected the read-only path to refuse writes and its parent mount to take them');
      return 'read-only path refused a write';
    },
  },
  {
    id: 'linux.namespaces-new',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'If `path` is not specified, the runtime MUST create a new container namespace of type `type`.',
    async run(ctx) {
      const types: NsType[] = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'];
      const same = await sharedNamespaces(ctx, 'namespaces-new', types, { configure: (b) => b.namespace('cgroup') });
      if (same.length) fail(`expected new ${types.join(', ')} namespaces, found the runtime's ${same.join(', ')}`, { expected: 'new namespaces', actual: same });
      return `new ${types.join(', ')} namespaces`;
    },
  },
  {
    id: 'linux.namespaces-inherit',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'If a namespace type is not specified in the `namespaces` array, the container MUST inherit the runtime namespace of that type.',
    async run(ctx) {
      const inherited: NsType[] = ['network', 'ipc', 'uts', 'cgroup', 'user', 'time'];
      const present = inherited.filter((t) => hostNamespace(ctx.hostPid, NS_FILES[t]) !== undefined);
      const shared = await sharedNamespaces(ctx, 'namespaces-inherit', present, {
        patch: (spec) => {
          delete spec.hostname;
          spec.linux!.namespaces = [{ type: 'pid' }, { type: 'mount' }];
        },
      });
      const differ = present.filter((t) => !shared.includes(t));
      if (differ.length) fail(`expected the runtime's ${present.join(', ')} namespaces, found new ${differ.join(', ')}`, { expected: 'inherited', actual: differ });
      return `inherited ${present.join(', ')} namespaces`;
    },
  },
  {
    id: 'linux.namespaces-path',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'The runtime MUST place the container process in the namespace associated with that `path`.',
    async run(ctx) {
      const holder = await launch(ctx, sleeper(ctx, 'namespace-holder'), 'ready');
      const pid = (await stateOk(ctx, holder.id))['pid'];
      if (typeof pid !== 'number') fail(`expected the pid of the namespace holder, found ${JSON.stringify(pid)}`);
      const want = hostNamespace(pid, 'ipc');
      if (!want) skip(`cannot read /proc/${pid}/ns/ipc`);
      const got = (await probeOutput(ctx, 'namespace-joiner', 'readlink /proc/$$/ns/ipc', { configure: (b) => b.namespace('ipc', `/proc/${pid}/ns/ipc`) })).trim();
      if (got !== want) fail(`expected to join ${want}, found ${got}`, { expected: want, actual: got });
      return `joined ${want} by path`;
    },
  },
  {
    id: 'linux.sysctl',
    level: 'MUST',
    ref: specRef('config-linux.md', 'sysctl'),
    text: '`sysctl` (object, OPTIONAL) allows kernel parameters to be modified at runtime for the container.',
    async run(ctx) {
      const want = { 'kernel.msgmax': '12345', 'net.ipv4.ip_forward': '1' };
      const s = await probe(ctx, 'sysctl', { msgmax: 'cat /proc/sys/kernel/msgmax', forward: 'cat /proc/sys/net/ipv4/ip_forward' }, { patch: (spec) => void (spec.linux!.sysctl = { ...want }) });
      expectSame({ 'kernel.msgmax': s('msgmax').trim(), 'net.ipv4.ip_forward': s('forward').trim() }, want, 'expected the configured kernel parameters');
      return 'kernel.msgmax and net.ipv4.ip_forward set';
    },
  },
  {
    id: 'linux.default-devices',
    level: 'MUST',
    ref: specRef('config-linux.md', 'default-devices'),
    text: 'In addition to any devices configured with this setting, the runtime MUST also supply: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/tty, /dev/ptmx.',
    async run(ctx) {
      const want: Record<string, string> = { null: 'c 1:3', zero: 'c 1:5', full: 'c 1:7', random: 'c 1:8', urandom: 'c 1:9', tty: 'c 5:0' };
      const entries = Object.fromEntries(Object.keys(want).map((d) => [d, `stat -c '%F|%t|%T' /dev/${d}`]));
      const s = await probe(ctx, 'default-devices', { ...entries, ptmx: 'readlink /dev/ptmx || stat -c "%F|%t|%T" /dev/ptmx' });
      const got: Record<string, string> = Object.fromEntries(Object.keys(want).map((d) => [d, devId(s(d))]));
      const ptmx = s('ptmx').trim();
      const ptmxOk = ptmx === 'pts/ptmx' || ptmx === '/dev/pts/ptmx' || devId(ptmx) === 'c 5:2';
      const wrong = Object.keys(want).filter((d) => got[d] !== want[d]);
      if (wrong.length || !ptmxOk) fail(`expected the default devices, found ${[...wrong.map((d) => `/dev/${d} ${got[d]}`), ...(ptmxOk ? [] : [`/dev/ptmx ${ptmx}`])].join(', ')}`, { expected: { ...want, ptmx: 'symlink to pts/ptmx' }, actual: { ...got, ptmx } });
      return 'default devices present with the right numbers';
    },
  },
  {
    id: 'linux.devices',
    level: 'MUST',
    ref: specRef('config-linux.md', 'devices'),
    text: '`devices` (array of objects, OPTIONAL) lists devices that MUST be available in the container.',
    async run(ctx) {
      const line = await probeOutput(ctx, 'devices', "stat -c '%F|%t|%T|%a|%u|%g' /dev/ocikit-zero", {
        patch: (spec) => void (spec.linux!.devices = [{ path: '/dev/ocikit-zero', type: 'c', major: 1, minor: 5, fileMode: 0o640, uid: 7, gid: 8 }]),
      });
      const [kind = '', major = '', minor = '', mode = '', uid = '', gid = ''] = line.trim().split('|');
      expectSame({ device: devId([kind, major, minor].join('|')), mode, uid, gid }, { device: 'c 1:5', mode: '640', uid: '7', gid: '8' }, 'expected /dev/ocikit-zero as configured');
      return '/dev/ocikit-zero with its numbers, mode and owner';
    },
  },
  {
    id: 'linux.dev-symlinks',
    level: 'MUST',
    ref: specRef('runtime-linux.md', 'dev-symbolic-links'),
    text: 'While creating the container (step 2 in the lifecycle), runtimes MUST create the following symlinks if the source file exists after processing mounts: /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr.',
    async run(ctx) {
      const want = { fd: '/proc/self/fd', stdin: '/proc/self/fd/0', stdout: '/proc/self/fd/1', stderr: '/proc/self/fd/2' };
      const s = await probe(ctx, 'dev-symlinks', Object.fromEntries(Object.keys(want).map((k) => [k, `readlink /dev/${k}`])));
      expectSame(Object.fromEntries(Object.keys(want).map((k) => [k, s(k).trim()])), want, 'expected the /dev symlinks into /proc/self/fd');
      return '/dev/fd, /dev/stdin, /dev/stdout, /dev/stderr link into /proc/self/fd';
    },
  },
  {
    id: 'linux.default-filesystems',
    level: 'SHOULD',
    ref: specRef('config-linux.md', 'default-filesystems'),
    text: 'The following filesystems SHOULD be made available in each container\'s filesystem: /proc (proc), /sys (sysfs), /dev/pts (devpts), /dev/shm (tmpfs).',
    async run(ctx) {
      const want: Record<string, string> = { '/proc': 'proc', '/sys': 'sysfs', '/dev/pts': 'devpts', '/dev/shm': 'tmpfs' };
      const mounts = parseMountInfo(await probeOutput(ctx, 'default-filesystems', 'cat /proc/self/mountinfo'));
      expectSame(Object.fromEntries(Object.keys(want).map((p) => [p, mounts.filter((m) => m.mountPoint === p).pop()?.fsType ?? 'missing'])), want, 'expected proc, sysfs, devpts and tmpfs at their places');
      return '/proc, /sys, /dev/pts, /dev/shm mounted';
    },
  },
  {
    id: 'linux.file-descriptors',
    level: 'SHOULD',
    ref: specRef('runtime-linux.md', 'file-descriptors'),
    text: 'By default, only the `stdin`, `stdout` and `stderr` file descriptors are kept open for the application by the runtime.',
    async run(ctx) {
      // No braces or redirections around `ls`: the shell would save fds while they apply.
      const bundle = ctx.bundle('file-descriptors', { script: `${marker('fds')}; ls /proc/$$/fd; ${marker('end')}` });
      const fds = (await readProbe(ctx, bundle))('fds').split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b);
      expectSame(fds, [0, 1, 2], `expected only fds 0, 1, 2 open, found ${fds.join(' ')}`);
      return 'only fds 0, 1, 2 open';
    },
  },
];
