/**
 * Mounts in depth (runtime-spec `config.md` "Mounts", "Linux mount options";
 * `config-linux.md` "Rootfs Mount Propagation", "Masked Paths", "Readonly
 * Paths"): the options each mount shows in /proc/self/mountinfo and their
 * effect, bind-mount propagation, the root mount's propagation, and nested
 * masked and read-only paths. Propagation from the host needs a shared
 * mount on the host: the checks make one inside the bundle with mount(8)
 * and take it down again, whatever happens.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Spec } from '@ocikit/runtime-spec';
import type { BundleDirs, Check, CheckContext } from '../check.js';
import { fail, skip } from '../errors.js';
import { expectSame, hostDir, lastLine, launch, specRef, tryWrite } from './common.js';
import { mountAt, propagation } from './mountinfo.js';
import { probe, probeScript, section, sections, type ProbeOptions, type ProbeOutput } from './probe.js';


/**
 * Run mount(8) or umount(8) on the host. Checks that need host mounts skip
 * when the harness is not root or has no mount(8): the host's limits, not
 * the runtime's.
 */
export function hostMountCommand(command: 'mount' | 'umount', args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) skip(`host: cannot ${command} ${args.join(' ')} (${r.error?.message ?? r.stderr.trim()})`);
}

/** Skip unless the harness can make mounts on the host (root and mount(8)). */
export function requireHostMounts(): void {
  if (process.getuid?.() !== 0) skip('host: making a shared mount on the host needs root');
  const r = spawnSync('mount', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) skip('host: no mount(8) to make a shared mount on the host');
}

/** Take down every mount at or below `dir` on the host (lazily: a container may still hold one). */
export function hostUnmountAll(dir: string): void {
  spawnSync('umount', ['--recursive', '--lazy', dir], { encoding: 'utf8' });
}

/** A host tmpfs at `dir` made a shared mount (peer group of its own). */
export function hostSharedTmpfs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  hostMountCommand('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'ocikit-prop', dir]);
  hostMountCommand('mount', ['--make-shared', dir]);
}

/** Where the control directory of {@link probeAfterHost} is mounted in the container. */
const CTL = '/ocikit/ctl';

/**
 * Run a container that prints `ready`, waits until the host has done
 * `action` (the host then writes `go`, at most 10 s), then runs the probe
 * `entries`; what they printed.
 */
export async function probeAfterHost(ctx: CheckContext, name: string, entries: Record<string, string>, options: ProbeOptions, action: (b: BundleDirs) => void): Promise<ProbeOutput> {
  let ctl = '';
  const wait = `i=0; while [ ! -e ${CTL}/go ] && [ $i -lt 500 ]; do usleep 20000; i=$((i+1)); done`;
  const bundle = ctx.bundle(name, {
    ...options,
    script: `echo ready; ${wait}; ${probeScript(entries)}`,
    patch: (spec, b) => {
      options.patch?.(spec, b);
      ctl = hostDir(b, 'ctl');
      (spec.mounts ??= []).push({ destination: CTL, type: 'bind', source: ctl, options: ['rbind', 'ro'] });
    },
  });
  const c = await launch(ctx, bundle, 'ready');
  action(bundle);
  writeFileSync(path.join(ctl, 'go'), '');
  await ctx.driver.waitForStatus(c.id, ['stopped']);
  const out = bundle.output();
  const all = sections(out);
  return (n) => section(all, n, out);
}

const MODES = ['rshared', 'rslave', 'rprivate'] as const;
type BindMode = (typeof MODES)[number];

interface BindPropagation {
  /** Propagation of each bind as mountinfo shows it. */
  fields: Record<BindMode, string>;
  /** Whether a mount the host made below the bind source after start appeared in the bind. */
  received: Record<BindMode, boolean>;
}

/**
 * One container with three binds of one shared host tmpfs (rshared, rslave,
 * rprivate); after start the host mounts a tmpfs holding a token below the
 * source. Shared by the three propagation checks.
 */
function bindPropagation(ctx: CheckContext): Promise<BindPropagation> {
  return ctx.once('mounts:bind-propagation', async () => {
    requireHostMounts();
    const token = `prop-${ctx.newId()}`;
    let source = '';
    try {
      const entries: Record<string, string> = { info: 'cat /proc/self/mountinfo' };
      for (const m of MODES) entries[m] = `cat /ocikit/p-${m}/sub/token`;
      const s = await probeAfterHost(
        ctx,
        'bind-propagation',
        entries,
        {
          patch: (spec, b) => {
            source = path.join(b.host, 'prop');
            hostSharedTmpfs(source);
            mkdirSync(path.join(source, 'sub'));
            for (const m of MODES) spec.mounts!.push({ destination: `/ocikit/p-${m}`, type: 'bind', source, options: ['rbind', m] });
          },
        },
        () => {
          hostMountCommand('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'ocikit-prop-sub', path.join(source, 'sub')]);
          writeFileSync(path.join(source, 'sub', 'token'), token);
        },
      );
      const info = s('info');
      const fields = Object.fromEntries(MODES.map((m) => [m, propagation(mountAt(info, `/ocikit/p-${m}`))])) as Record<BindMode, string>;
      const received = Object.fromEntries(MODES.map((m) => [m, s(m).trim() === token])) as Record<BindMode, boolean>;
      return { fields, received };
    } finally {
      if (source) hostUnmountAll(source);
    }
  });
}

/** A bind-propagation check: what mountinfo must show for `mode` and whether a host mount must reach it. */
function bindPropagationCheck(mode: BindMode, text: string, fieldOk: (p: string) => boolean, fieldWant: string, receives: boolean): Check {
  return {
    id: `mounts.propagation-${mode}`,
    level: 'MUST',
    ref: specRef('config.md', 'linux-mount-options'),
    text,
    async run(ctx) {
      const r = await bindPropagation(ctx);
      const got = { mountinfo: r.fields[mode], hostMountSeen: r.received[mode] };
      if (!fieldOk(got.mountinfo) || got.hostMountSeen !== receives) {
        fail(`expected a ${mode} bind of a shared host mount to be ${fieldWant} and ${receives ? 'to receive' : 'not to receive'} a mount the host made below it, found ${got.mountinfo}, ${got.hostMountSeen ? 'received' : 'not received'}`, { expected: { mountinfo: fieldWant, hostMountSeen: receives }, actual: got });
      }
      return `${mode} bind is ${got.mountinfo}, host mount ${receives ? 'received' : 'not received'}`;
    },
  };
}

type RootMode = 'shared' | 'slave' | 'private' | 'unbindable';

/** What the container says about its root mount under `rootfsPropagation: mode`. */
interface RootPropagation {
  /** Propagation of `/` in mountinfo (`shared+slave` counts as shared). */
  field: string;
  /** Whether a mount the host made in its shared bind of the rootfs after start appeared at / inside. */
  hostMountSeen: boolean;
  /** `mount -o rbind / /tmp`: `bound` or `refused`. */
  rbind: string;
  /** After binding /bin on /root: whether the rbind copy of / at /tmp shows it. */
  exposed: boolean;
}

/**
 * Run a container under `rootfsPropagation: mode` whose root is a shared
 * bind of the run's rootfs on the host. With `fromHost`, the host mounts a
 * tmpfs holding a token on its bind's /etc after start (the container waits
 * for it through a bind of a control directory). The container (with
 * CAP_SYS_ADMIN) then does what runtime-tools' runtimetest does: `rbind /
 * /tmp`, bind /bin on /root, and looks for it below /tmp/root.
 */
async function rootPropagation(ctx: CheckContext, mode: RootMode, fromHost: boolean): Promise<{ got: RootPropagation; output: string }> {
  requireHostMounts();
  const token = `rootprop-${ctx.newId()}`;
  let root = '';
  try {
    const entries = {
      info: 'cat /proc/self/mountinfo',
      host: 'cat /etc/ocikit-token',
      rbind: 'mount -o rbind / /tmp && echo bound',
      bind: 'mount -o bind /bin /root && echo bound',
      exposed: 'ls /tmp/root | wc -l',
    };
    const options: ProbeOptions = {
      configure: (b) => b.addCapability('CAP_SYS_ADMIN'),
      patch: (spec, b) => {
        root = path.join(b.host, 'rootfs');
        mkdirSync(root);
        hostMountCommand('mount', ['--bind', spec.root!.path, root]);
        hostMountCommand('mount', ['--make-shared', root]);
        spec.root = { path: root, readonly: true };
        spec.linux!.rootfsPropagation = mode;
      },
    };
    const s = fromHost
      ? await probeAfterHost(ctx, `rootfs-${mode}`, entries, options, () => {
          hostMountCommand('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'ocikit-rootprop', path.join(root, 'etc')]);
          writeFileSync(path.join(root, 'etc', 'ocikit-token'), token);
        })
      : await probe(ctx, `rootfs-${mode}`, entries, options);
    const field = propagation(mountAt(s('info'), '/'));
    const got = { field: field === 'shared+slave' ? 'shared' : field, hostMountSeen: s('host').trim() === token, rbind: lastLine(s('rbind')) === 'bound' ? 'bound' : 'refused', exposed: Number(s('exposed').trim()) > 0 };
    return { got, output: `${s('rbind').trim()} | ${s('bind').trim()}` };
  } finally {
    if (root) hostUnmountAll(root);
  }
}

/** A rootfsPropagation check: the observations `expect` names must be as given. */
function rootPropagationCheck(mode: RootMode, text: string, expect: Partial<RootPropagation>): Check {
  return {
    id: `rootfs.propagation-${mode}`,
    level: 'MUST',
    ref: specRef('config-linux.md', 'rootfs-mount-propagation'),
    text,
    async run(ctx) {
      const { got, output } = await rootPropagation(ctx, mode, 'hostMountSeen' in expect);
      const keys = Object.keys(expect) as (keyof RootPropagation)[];
      const actual = Object.fromEntries(keys.map((k) => [k, got[k]]));
      const wrong = keys.filter((k) => got[k] !== expect[k]);
      if (wrong.length) fail(`expected root propagation ${mode} (${keys.map((k) => `${k} ${String(expect[k])}`).join(', ')}), found ${wrong.map((k) => `${k} ${String(got[k])}`).join(', ')}`, { expected: expect, actual: { ...actual, mountOutput: output } });
      return `root mount ${got.field}${mode === 'unbindable' ? ', rbind of / refused' : `, rbind copy of / ${got.exposed ? 'shows' : 'does not show'} a later mount`}${'hostMountSeen' in expect ? `, host mount ${got.hostMountSeen ? 'seen' : 'not seen'}` : ''}`;
    },
  };
}

/** Paths runtime-tools' linux_masked_paths and linux_readonly_paths nest: a directory, a subdirectory, files in each, a file at the top. */
const NESTED = { dir: '/ocikit/n/dir', sub: '/ocikit/n/dir/sub', dirFile: '/ocikit/n/dir/file', subFile: '/ocikit/n/dir/sub/file', file: '/ocikit/n/file' } as const;

/** The bundle edit binding a host directory with the {@link NESTED} tree at /ocikit/n (writable). */
function nestedTree(token: string): (spec: Spec, b: BundleDirs) => void {
  return (spec, b) => {
    const dir = hostDir(b, 'nested', { 'dir/file': token, 'dir/sub/file': token, 'dir/sub/keep': token, file: token });
    spec.mounts!.push({ destination: '/ocikit/n', type: 'bind', source: dir, options: ['rbind', 'rw'] });
  };
}

export const MOUNT_CHECKS: readonly Check[] = [
  {
    id: 'mounts.bind-options',
    level: 'MUST',
    ref: specRef('config.md', 'linux-mount-options'),
    text: 'Runtimes MUST implement the following option strings for Linux: `ro`, `nosuid`, `nodev`, `noexec` (mount(8) filesystem-independent options), also on a bind mount.',
    async run(ctx) {
      const s = await probe(ctx, 'bind-options', { info: 'cat /proc/self/mountinfo' }, {
        patch: (spec, b) => void spec.mounts!.push({ destination: '/ocikit/opts', type: 'bind', source: hostDir(b, 'opts', { f: 'x' }), options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] }),
      });
      const m = mountAt(s('info'), '/ocikit/opts');
      const missing = ['ro', 'nosuid', 'nodev', 'noexec'].filter((o) => !m.options.includes(o));
      if (missing.length) fail(`expected the bind at /ocikit/opts to show ro,nosuid,nodev,noexec, found ${m.options.join(',')}`, { expected: ['ro', 'nosuid', 'nodev', 'noexec'], actual: m.options });
      return `bind mount shows ${m.options.join(',')}`;
    },
  },
  {
    id: 'mounts.noexec',
    level: 'MUST',
    ref: specRef('config.md', 'linux-mount-options'),
    text: 'Runtimes MUST implement the `noexec` and `exec` option strings for Linux (mount(8): do not / do permit direct execution of binaries on the mounted filesystem).',
    async run(ctx) {
      const s = await probe(ctx, 'noexec', { exec: '/ocikit/exec/run.sh', noexec: '/ocikit/noexec/run.sh' }, {
        patch: (spec, b) => {
          const dir = hostDir(b, 'scripts', { 'run.sh': '#!/bin/sh\necho ran\n' });
          spawnSync('chmod', ['0755', path.join(dir, 'run.sh')]);
          spec.mounts!.push({ destination: '/ocikit/exec', type: 'bind', source: dir, options: ['rbind', 'ro', 'exec'] }, { destination: '/ocikit/noexec', type: 'bind', source: dir, options: ['rbind', 'ro', 'noexec'] });
        },
      });
      const got = { exec: lastLine(s('exec')), noexec: lastLine(s('noexec')) === 'ran' ? 'ran' : 'refused' };
      expectSame(got, { exec: 'ran', noexec: 'refused' }, `expected a script to run from the exec bind and be refused on the noexec bind of the same directory, found ${got.exec} and ${got.noexec}`);
      return 'script runs from the exec bind, refused on the noexec bind';
    },
  },
  {
    id: 'mounts.nodev',
    level: 'MUST',
    ref: specRef('config.md', 'linux-mount-options'),
    text: 'Runtimes MUST implement the `nodev` and `dev` option strings for Linux (mount(8): do not / do interpret character or block special devices on the filesystem).',
    async run(ctx) {
      let made = true;
      const s = await probe(ctx, 'nodev', { dev: 'head -c 0 /ocikit/dev/null && echo opened', nodev: 'head -c 0 /ocikit/nodev/null && echo opened' }, {
        patch: (spec, b) => {
          const dir = hostDir(b, 'devs');
          made = spawnSync('mknod', ['-m', '0666', path.join(dir, 'null'), 'c', '1', '3']).status === 0;
          spec.mounts!.push({ destination: '/ocikit/dev', type: 'bind', source: dir, options: ['rbind', 'dev'] }, { destination: '/ocikit/nodev', type: 'bind', source: dir, options: ['rbind', 'nodev'] });
        },
      });
      if (!made) skip('host: cannot mknod a device node in the bundle');
      const got = { dev: lastLine(s('dev')) === 'opened' ? 'opened' : 'refused', nodev: lastLine(s('nodev')) === 'opened' ? 'opened' : 'refused' };
      expectSame(got, { dev: 'opened', nodev: 'refused' }, `expected /dev/null's twin to open on the dev bind and be refused on the nodev bind, found ${got.dev} and ${got.nodev}`);
      return 'device node opens on the dev bind, refused on the nodev bind';
    },
  },
  {
    id: 'mounts.atime-options',
    level: 'MUST',
    ref: specRef('config.md', 'linux-mount-options'),
    text: 'Runtimes MUST implement the `noatime`, `relatime`, `strictatime` and `nodiratime` option strings for Linux (mount(8) filesystem-independent options).',
    async run(ctx) {
      const want: Record<string, string[]> = { noatime: ['noatime'], relatime: ['relatime'], strictatime: [], nodiratime: ['nodiratime'] };
      const s = await probe(ctx, 'atime', { info: 'cat /proc/self/mountinfo' }, {
        patch: (spec) => {
          for (const o of Object.keys(want)) spec.mounts!.push({ destination: `/ocikit/${o}`, type: 'tmpfs', source: 'tmpfs', options: [o, 'size=1m'] });
        },
      });
      const got = Object.fromEntries(Object.keys(want).map((o) => [o, mountAt(s('info'), `/ocikit/${o}`).options.filter((x) => ['noatime', 'relatime', 'nodiratime'].includes(x))]));
      // strictatime shows as neither noatime nor relatime; nodiratime comes with the kernel's default relatime.
      const ok = (o: string) => (o === 'strictatime' ? !got[o]!.includes('noatime') && !got[o]!.includes('relatime') : got[o]!.includes(o));
      const bad = Object.keys(want).filter((o) => !ok(o));
      if (bad.length) fail(`expected the atime flags ${Object.keys(want).join(', ')} in mountinfo, found ${bad.map((o) => `${o}: ${got[o]!.join(',') || 'strictatime'}`).join('; ')}`, { expected: want, actual: got });
      return 'noatime, relatime, strictatime and nodiratime read back';
    },
  },
  bindPropagationCheck('rshared', '`rshared` (MUST): bind mount propagation; a shared mount receives, and forwards, mount events of its peer group (mount(8) shared subtrees).', (p) => p.startsWith('shared'), 'shared', true),
  bindPropagationCheck('rslave', '`rslave` (MUST): bind mount propagation; a slave mount receives mount events from its master but does not forward its own (mount(8) shared subtrees).', (p) => p === 'slave', 'slave', true),
  bindPropagationCheck('rprivate', '`rprivate` (MUST): bind mount propagation; a private mount neither receives nor forwards mount events (mount(8) shared subtrees).', (p) => p === 'private', 'private', false),
  {
    id: 'mounts.propagation-runbindable',
    level: 'MUST',
    ref: specRef('config.md', 'linux-mount-options'),
    text: '`runbindable` (MUST): bind mount propagation; an unbindable mount is private and cannot be bind mounted (mount(8) shared subtrees).',
    async run(ctx) {
      const s = await probe(ctx, 'runbindable', { info: 'cat /proc/self/mountinfo', bind: 'mount -o bind /ocikit/unbindable /tmp && echo bound' }, {
        configure: (b) => b.addCapability('CAP_SYS_ADMIN'),
        patch: (spec, b) => void spec.mounts!.push({ destination: '/ocikit/unbindable', type: 'bind', source: hostDir(b, 'unbindable', { f: 'x' }), options: ['rbind', 'runbindable'] }),
      });
      const got = { mountinfo: propagation(mountAt(s('info'), '/ocikit/unbindable')), bind: lastLine(s('bind')) === 'bound' ? 'bound' : 'refused' };
      expectSame(got, { mountinfo: 'unbindable', bind: 'refused' }, `expected the runbindable bind to be unbindable and refuse a bind mount of it, found ${got.mountinfo} and ${got.bind}`);
      return 'runbindable bind is unbindable, a bind of it refused';
    },
  },
  rootPropagationCheck('shared', '`shared`: the rootfs mount belongs to a new peer group: further mounts (e.g. nested containers) will also belong to that peer group and will propagate events to the rootfs.', { field: 'shared', exposed: true }),
  rootPropagationCheck('slave', '`slave`: the rootfs mount receives propagation events from the host (e.g. if something is mounted on the host it will also appear in the container) but not the other way around.', { field: 'slave', hostMountSeen: true, exposed: false }),
  rootPropagationCheck('private', "`private`: the rootfs mount doesn't receive mount propagation events from the host and further mounts in nested containers will be isolated from the host and from the rootfs.", { field: 'private', hostMountSeen: false, exposed: false }),
  rootPropagationCheck('unbindable', '`unbindable`: the rootfs mount is a private mount that cannot be bind-mounted.', { field: 'unbindable', rbind: 'refused' }),
  {
    id: 'mounts.bind-file',
    level: 'MUST',
    ref: specRef('config.md', 'mounts'),
    text: '`source` (string, OPTIONAL) A device name, but can also be a file or directory name for bind mounts; the runtime MUST mount entries in the listed order.',
    async run(ctx) {
      const token = `file-${ctx.newId()}`;
      const s = await probe(ctx, 'bind-file', { type: 'stat -c %F /ocikit/bound-file', read: 'cat /ocikit/bound-file' }, {
        patch: (spec, b) => void spec.mounts!.push({ destination: '/ocikit/bound-file', type: 'bind', source: path.join(hostDir(b, 'single', { file: token }), 'file'), options: ['bind', 'ro'] }),
      });
      expectSame({ type: s('type').trim(), read: s('read').trim() }, { type: 'regular file', read: token }, 'expected the host file bound over a file at /ocikit/bound-file');
      return 'a host file bound on a file destination';
    },
  },
  {
    id: 'mounts.bind-relative-source',
    level: 'MUST',
    ref: specRef('config.md', 'mounts'),
    text: '`source`: path values for bind mounts are either absolute or relative to the bundle.',
    async run(ctx) {
      const token = `relsrc-${ctx.newId()}`;
      const got = (await probe(ctx, 'bind-relative-source', { read: 'cat /ocikit/relsrc/token' }, {
        patch: (spec, b) => {
          hostDir(b, 'relsrc', { token });
          spec.mounts!.push({ destination: '/ocikit/relsrc', type: 'bind', source: `${path.relative(b.dir, b.host)}/relsrc`, options: ['rbind', 'ro'] });
        },
      }))('read').trim();
      expectSame(got, token, `expected the bundle's host/relsrc at /ocikit/relsrc, found ${JSON.stringify(got.slice(0, 200))}`);
      return 'a relative bind source resolved against the bundle';
    },
  },
  {
    id: 'mounts.relative-destination',
    level: 'MUST',
    since: '1.2.0',
    ref: specRef('config.md', 'mounts'),
    text: '`destination` (Linux): it MAY be a relative path, in which case it MUST be interpreted as relative to "/".',
    async run(ctx) {
      const s = await probe(ctx, 'relative-destination', { info: 'cat /proc/self/mountinfo' }, {
        patch: (spec) => void spec.mounts!.push({ destination: 'ocikit/reldest', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] }),
      });
      const m = mountAt(s('info'), '/ocikit/reldest');
      expectSame(m.fsType, 'tmpfs', `expected a tmpfs at /ocikit/reldest, found ${m.fsType}`);
      return 'relative destination ocikit/reldest mounted at /ocikit/reldest';
    },
  },
  {
    id: 'mounts.recursive-ro',
    level: 'SHOULD',
    since: '1.1.0',
    ref: specRef('config.md', 'linux-mount-options'),
    text: 'Runtimes SHOULD implement `rro` (recursive `ro`, AT_RECURSIVE with mount_setattr(2)).',
    async run(ctx) {
      requireHostMounts();
      let inner = '';
      let s: ProbeOutput;
      try {
        s = await probe(ctx, 'recursive-ro', { info: 'cat /proc/self/mountinfo', top: tryWrite('/ocikit/rro/x'), inner: tryWrite('/ocikit/rro/inner/x') }, {
          patch: (spec, b) => {
            const outer = hostDir(b, 'rro');
            inner = path.join(outer, 'inner');
            mkdirSync(inner);
            hostMountCommand('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'ocikit-rro', inner]);
            spec.mounts!.push({ destination: '/ocikit/rro', type: 'bind', source: outer, options: ['rbind', 'rro'] });
          },
        });
      } finally {
        if (inner) hostUnmountAll(inner);
      }
      const got = { top: lastLine(s('top')), inner: lastLine(s('inner')) };
      expectSame(got, { top: 'refused', inner: 'refused' }, `expected the rro bind and the mount below it read-only, found writes ${got.top} and ${got.inner}`);
      return `rro bind and its submount read-only (${mountAt(s('info'), '/ocikit/rro/inner').options.join(',')})`;
    },
  },
  {
    id: 'mounts.masked-nested',
    level: 'MUST',
    ref: specRef('config-linux.md', 'masked-paths'),
    text: '`maskedPaths` (array of strings, OPTIONAL) will mask over the provided paths inside the container so that they cannot be read.',
    async run(ctx) {
      const token = `masked-${ctx.newId()}`;
      const entries = { dir: `ls -A ${NESTED.dir}`, sub: `ls -A ${NESTED.sub}`, dirFile: `cat ${NESTED.dirFile}`, subFile: `cat ${NESTED.subFile}`, file: `cat ${NESTED.file}`, open: 'ls -A /ocikit/n' };
      const s = await probe(ctx, 'masked-nested', entries, {
        patch: (spec, b) => {
          nestedTree(token)(spec, b);
          spec.linux!.maskedPaths = [...(spec.linux!.maskedPaths ?? []), ...Object.values(NESTED)];
        },
      });
      const listed = (k: string) => s(k).split('\n').some((l) => ['file', 'keep', 'sub'].includes(l.trim()));
      const leaks = (Object.keys(NESTED) as (keyof typeof NESTED)[]).filter((k) => s(k).includes(token) || ((k === 'dir' || k === 'sub') && listed(k)));
      if (leaks.length) fail(`expected every masked path unreadable, found ${leaks.map((k) => NESTED[k]).join(', ')} readable`, { expected: 'no content', actual: Object.fromEntries(leaks.map((k) => [NESTED[k], s(k).trim().slice(0, 200)])) });
      if (!s('open').split('\n').includes('dir')) fail(`expected /ocikit/n to list its masked entries, found ${JSON.stringify(s('open').trim())}`);
      return 'nested masked directories and files unreadable';
    },
  },
  {
    id: 'mounts.masked-missing',
    level: 'SHOULD',
    ref: specRef('config-linux.md', 'masked-paths'),
    text: '`maskedPaths` will mask over the provided paths inside the container so that they cannot be read: a path that does not exist in the container has nothing to mask, and is not an error (runc spec lists /proc paths many kernels lack).',
    async run(ctx) {
      const s = await probe(ctx, 'masked-missing', { ls: 'ls /ocikit/no-such-path; echo listed' }, {
        patch: (spec) => void (spec.linux!.maskedPaths = [...(spec.linux!.maskedPaths ?? []), '/ocikit/no-such-path', '/ocikit/no-such-dir/below']),
      });
      expectSame(lastLine(s('ls')), 'listed', 'expected the container to run with masked paths that do not exist');
      return 'masked paths that do not exist accepted';
    },
  },
  {
    id: 'mounts.readonly-nested',
    level: 'MUST',
    ref: specRef('config-linux.md', 'readonly-paths'),
    text: '`readonlyPaths` (array of strings, OPTIONAL) will set the provided paths as readonly inside the container.',
    async run(ctx) {
      const token = `ro-${ctx.newId()}`;
      const paths = { ...NESTED };
      const entries: Record<string, string> = {};
      for (const [k, p] of Object.entries(paths)) {
        entries[`${k}-r`] = k === 'dir' || k === 'sub' ? `ls -A ${p}` : `cat ${p}`;
        entries[`${k}-w`] = k === 'dir' || k === 'sub' ? tryWrite(`${p}/new`) : `{ echo x >> ${p}; } && echo writable || echo refused`;
      }
      entries['parent-w'] = tryWrite('/ocikit/n/new');
      const s = await probe(ctx, 'readonly-nested', entries, {
        patch: (spec, b) => {
          nestedTree(token)(spec, b);
          spec.linux!.readonlyPaths = [...(spec.linux!.readonlyPaths ?? []), ...Object.values(NESTED)];
        },
      });
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const k of Object.keys(paths)) {
        got[`${k} read`] = s(`${k}-r`).includes(k === 'dir' || k === 'sub' ? 'file' : token) ? 'readable' : 'unreadable';
        want[`${k} read`] = 'readable';
        got[`${k} write`] = lastLine(s(`${k}-w`));
        want[`${k} write`] = 'refused';
      }
      got['parent write'] = lastLine(s('parent-w'));
      want['parent write'] = 'writable';
      const wrong = Object.keys(want).filter((k) => got[k] !== want[k]);
      if (wrong.length) fail(`expected read-only paths readable and refusing writes, their parent writable, found ${wrong.map((k) => `${k} ${got[k]}`).join(', ')}`, { expected: want, actual: got });
      return 'nested read-only directories and files readable, not writable';
    },
  },
];
