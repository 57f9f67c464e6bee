/**
 * The process's security settings beyond seccomp (runtime-spec `config.md`,
 * "POSIX process" and "Linux process"; `config-linux.md`, "Mount Label",
 * "Personality", "IntelRdt"; runtime-tools `process_capabilities`,
 * `process_capabilities_fail`, `process_rlimits_fail`,
 * `linux_process_apparmor_profile`, `linux_mount_label`). The container
 * shows what it got in /proc/PID/status, /proc/PID/attr, /proc/PID/personality
 * and `uname -m`; resctrl is read on the host, where the spec puts it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { machine, tmpdir } from 'node:os';
import path from 'node:path';
import { compareSemVer, parseSemVer, type LinuxCapabilities, type Spec } from '@ocikit/runtime-spec';
import type { Bundle, Check, CheckContext } from '../check.js';
import { fail, skip } from '../errors.js';
import { requireHost } from '../host.js';
import { create, expectSame, killAndWait, launch, procStatus, readIfExists, sleeper, specRef, stateOk } from './common.js';
import { parseMountInfo } from './mountinfo.js';
import { capMask, capNames } from './process.js';
import { probe, probeOutput } from './probe.js';

const LINUX_PROCESS = specRef('config.md', 'linux-process');
const POSIX_PROCESS = specRef('config.md', 'posix-process');
/** The runtime-spec 1.0.x sentence on unknown capabilities, which 1.1.0 replaced. */
const LINUX_PROCESS_1_0 = 'https://github.com/opencontainers/runtime-spec/blob/v1.0.2/config.md#linux-process';

/**
 * Five distinct capability sets, nested as the kernel requires (effective
 * and permitted within bounding, ambient within permitted and inheritable).
 */
const SETS = {
  bounding: ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_AUDIT_WRITE'],
  permitted: ['CAP_CHOWN', 'CAP_FOWNER', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_NET_BIND_SERVICE'],
  effective: ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID'],
  inheritable: ['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT'],
  ambient: ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],
} as const satisfies Record<keyof LinuxCapabilities, readonly string[]>;

type CapField = 'CapBnd' | 'CapPrm' | 'CapEff' | 'CapInh' | 'CapAmb';

/**
 * The sets of the process after execve(2), as capabilities(7) derives them
 * from {@link SETS}: for uid 0 with no_new_privs, P' = ((bounding |
 * inheritable) & permitted) | ambient = permitted and E' = P'; for another
 * uid, P' = E' = ambient. Bounding, inheritable and ambient are kept.
 */
const AFTER_EXEC: Record<'root' | 'user', Record<CapField, readonly string[]>> = {
  root: { CapBnd: SETS.bounding, CapInh: SETS.inheritable, CapAmb: SETS.ambient, CapPrm: SETS.permitted, CapEff: SETS.permitted },
  user: { CapBnd: SETS.bounding, CapInh: SETS.inheritable, CapAmb: SETS.ambient, CapPrm: SETS.ambient, CapEff: SETS.ambient },
};

/** The capability sets of two containers with {@link SETS}: uid 0 with noNewPrivileges, and uid 1000. */
function capabilityScenario(ctx: CheckContext): Promise<Record<'root' | 'user', Record<string, string>>> {
  return ctx.once('capabilities.distinct-sets', async () => {
    const run = (name: string, uid: number) =>
      probeOutput(ctx, name, 'cat /proc/$$/status', {
        configure: (b) => b.user(uid, uid),
        patch: (spec) => {
          spec.process!.capabilities = Object.fromEntries(Object.entries(SETS).map(([k, v]) => [k, [...v]]));
          spec.process!.noNewPrivileges = true;
        },
      }).then(procStatus);
    return { root: await run('capabilities-root', 0), user: await run('capabilities-user', 1000) };
  });
}

/** Fail unless both containers show `field` as capabilities(7) derives it. */
async function expectSet(ctx: CheckContext, field: CapField): Promise<string> {
  const got = await capabilityScenario(ctx);
  const problems: string[] = [];
  for (const who of ['root', 'user'] as const) {
    const want = AFTER_EXEC[who][field];
    const have = got[who][field] ?? '';
    if (have !== capMask(want)) problems.push(`as ${who === 'root' ? 'uid 0' : 'uid 1000'} ${field} ${capNames(have).join(',') || 'none'} instead of ${want.join(',') || 'none'}`);
  }
  if (problems.length) {
    fail(`expected ${field} as configured (capabilities(7) at execve), found ${problems.join('; ')}`, {
      expected: { uid0: AFTER_EXEC.root[field], uid1000: AFTER_EXEC.user[field] },
      actual: { uid0: capNames(got.root[field] ?? ''), uid1000: capNames(got.user[field] ?? '') },
    });
  }
  return `${field}: uid 0 ${AFTER_EXEC.root[field].join(',') || 'none'}; uid 1000 ${AFTER_EXEC.user[field].join(',') || 'none'}`;
}

/**
 * Create and start `bundle`: passes (with how) when either generates an
 * error, fails when the container's program runs.
 */
async function expectRefused(ctx: CheckContext, bundle: Bundle, what: string): Promise<string> {
  const id = ctx.newId();
  const created = await create(ctx, id, bundle);
  if (created.timedOut) fail(`expected ${what} to generate an error, found create still running after the timeout`, { expected: 'an error', actual: 'timeout' });
  if (created.code !== 0) return `create refused ${what}`;
  const started = await ctx.driver.start(id);
  if (started.code !== 0) return `start refused ${what}`;
  fail(`expected ${what} to generate an error, found create and start succeeded`, { expected: 'an error from create or start', actual: 'exit 0, exit 0' });
}

/** Whether runtime-spec `version` is `since` or later. */
function atLeast(version: string, since: string): boolean {
  const v = parseSemVer(version);
  const s = parseSemVer(since);
  return !!v && !!s && compareSemVer(v, s) >= 0;
}

/** A bundle whose bounding set also names a capability the kernel does not have. */
function unknownCapabilityBundle(ctx: CheckContext, name: string): Bundle {
  return ctx.bundle(name, {
    script: 'cat /proc/$$/status',
    patch: (spec) => {
      const caps = (spec.process!.capabilities ??= {});
      caps.bounding = [...(caps.bounding ?? []), 'CAP_OCIKIT_UNKNOWN'];
    },
  });
}

/** A bundle whose rlimits `edit` changes. */
function rlimitBundle(ctx: CheckContext, name: string, edit: (rlimits: NonNullable<NonNullable<Spec['process']>['rlimits']>) => void): Bundle {
  return ctx.bundle(name, { patch: (spec) => edit((spec.process!.rlimits ??= [])) });
}

/** The first of `names` found in the usual sbin/bin directories. */
function hostTool(name: string): string | undefined {
  return ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((d) => path.join(d, name)).find((p) => existsSync(p));
}

/** The LSM context a /proc/PID/attr file shows, without its trailing NUL and newline. */
const attrText = (s: string) => s.replace(/\0/g, '').trim();

/** The host's resctrl schemata lines (`L3:0=7ff;1=7ff`), spaces removed. */
function schemataLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ''))
    .filter(Boolean);
}

export const SECURITY_CHECKS: readonly Check[] = [
  {
    id: 'capabilities.bounding',
    level: 'MUST',
    ref: LINUX_PROCESS,
    text: '`bounding` (array of strings, OPTIONAL) the `bounding` field is an array of bounding capabilities that are kept for the process.',
    run: (ctx) => expectSet(ctx, 'CapBnd'),
  },
  {
    id: 'capabilities.permitted',
    level: 'MUST',
    ref: LINUX_PROCESS,
    text: '`permitted` (array of strings, OPTIONAL) the `permitted` field is an array of permitted capabilities that are kept for the process.',
    // uid 0 with no_new_privs: execve cannot raise P' above the permitted set the runtime left (capabilities(7)).
    run: (ctx) => expectSet(ctx, 'CapPrm'),
  },
  {
    id: 'capabilities.effective',
    level: 'MUST',
    ref: LINUX_PROCESS,
    text: '`effective` (array of strings, OPTIONAL) the `effective` field is an array of effective capabilities that are kept for the process.',
    async run(ctx) {
      // execve replaces E (E' = P' for uid 0, E' = A' otherwise): the configured effective set is kept in that E'.
      const msg = await expectSet(ctx, 'CapEff');
      const eff = capNames((await capabilityScenario(ctx)).root['CapEff'] ?? '');
      const lost = SETS.effective.filter((c) => !eff.includes(c));
      if (lost.length) fail(`expected the configured effective capabilities kept, found ${lost.join(',')} missing`, { expected: SETS.effective, actual: eff });
      return msg;
    },
  },
  {
    id: 'capabilities.inheritable',
    level: 'MUST',
    ref: LINUX_PROCESS,
    text: '`inheritable` (array of strings, OPTIONAL) the `inheritable` field is an array of inheritable capabilities that are kept for the process.',
    run: (ctx) => expectSet(ctx, 'CapInh'),
  },
  {
    id: 'capabilities.ambient',
    level: 'MUST',
    ref: LINUX_PROCESS,
    text: '`ambient` (array of strings, OPTIONAL) the `ambient` field is an array of ambient capabilities that are kept for the process.',
    async run(ctx) {
      const msg = await expectSet(ctx, 'CapAmb');
      // Not uid 0: the ambient set is all the process holds after execve.
      const user = (await capabilityScenario(ctx)).user;
      const held = { CapPrm: capNames(user['CapPrm'] ?? ''), CapEff: capNames(user['CapEff'] ?? '') };
      expectSame(held, { CapPrm: capNames(capMask(SETS.ambient)), CapEff: capNames(capMask(SETS.ambient)) }, `expected uid 1000 to hold its ambient set ${SETS.ambient.join(',')} as permitted and effective, found ${held.CapPrm.join(',') || 'none'} and ${held.CapEff.join(',') || 'none'}`);
      return msg;
    },
  },
  {
    id: 'capabilities.unknown-error',
    level: 'MUST',
    ref: LINUX_PROCESS_1_0,
    text: 'Any value which cannot be mapped to a relevant kernel interface MUST cause an error (runtime-spec 1.0.x; 1.1.0 made it a warning).',
    async run(ctx) {
      if (atLeast(ctx.specVersion, '1.1.0')) skip(`a runtime-spec 1.0.x rule that 1.1.0 replaced (capabilities.unknown-warning); testing runtime-spec ${ctx.specVersion}`);
      return expectRefused(ctx, unknownCapabilityBundle(ctx, 'capabilities-unknown-error'), 'the unknown capability CAP_OCIKIT_UNKNOWN');
    },
  },
  {
    id: 'capabilities.unknown-warning',
    level: 'SHOULD',
    since: '1.1.0',
    ref: LINUX_PROCESS,
    text: 'Any value which cannot be mapped to a relevant kernel interface, or cannot be granted otherwise MUST be logged as a warning by the runtime. Runtimes SHOULD NOT fail if the container configuration requests capabilities that cannot be granted.',
    async run(ctx) {
      const bundle = unknownCapabilityBundle(ctx, 'capabilities-unknown-warning');
      const id = ctx.newId();
      const created = await create(ctx, id, bundle);
      if (created.code !== 0) fail(`expected create to go on without the unknown capability CAP_OCIKIT_UNKNOWN, found exit ${created.code}: ${created.stderr.trim().split('\n').pop() ?? ''}`, { expected: 'exit 0', actual: `exit ${created.code}` });
      const started = await ctx.driver.start(id);
      if (started.code !== 0) fail(`expected start to go on without the unknown capability CAP_OCIKIT_UNKNOWN, found exit ${started.code}`, { expected: 'exit 0', actual: `exit ${started.code}` });
      await ctx.driver.waitForStatus(id, ['stopped']);
      const known = bundle.spec.process!.capabilities!.bounding!.filter((c) => c !== 'CAP_OCIKIT_UNKNOWN');
      const got = procStatus(bundle.output())['CapBnd'] ?? '';
      expectSame(capNames(got), capNames(capMask(known)), 'expected the known bounding capabilities granted');
      return 'unknown capability skipped, the others granted';
    },
  },
  {
    id: 'process.rlimits-unknown',
    level: 'MUST',
    ref: POSIX_PROCESS,
    text: 'The runtime MUST generate an error for any values which cannot be mapped to a relevant kernel interface.',
    run: (ctx) => expectRefused(ctx, rlimitBundle(ctx, 'rlimits-unknown', (r) => r.push({ type: 'RLIMIT_OCIKIT', soft: 1024, hard: 1024 })), 'the rlimit type RLIMIT_OCIKIT'),
  },
  {
    id: 'process.rlimits-duplicate',
    level: 'MUST',
    ref: POSIX_PROCESS,
    text: 'If `rlimits` contains duplicated entries with same `type`, the runtime MUST generate an error.',
    run: (ctx) =>
      expectRefused(
        ctx,
        rlimitBundle(ctx, 'rlimits-duplicate', (r) => r.push({ type: 'RLIMIT_NOFILE', soft: 200, hard: 300 }, { type: 'RLIMIT_NOFILE', soft: 100, hard: 300 })),
        'two RLIMIT_NOFILE entries',
      ),
  },
  {
    id: 'apparmor.profile',
    level: 'MUST',
    ref: LINUX_PROCESS,
    text: '`apparmorProfile` (string, OPTIONAL) specifies the name of the AppArmor profile for the process.',
    async run(ctx) {
      requireHost(ctx.host, 'apparmor');
      const parser = hostTool('apparmor_parser');
      if (!parser) skip('host: apparmor_parser not found (needed to load a test profile)');
      const name = `ocikit-probe-${ctx.newId()}`;
      const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-apparmor-'));
      const file = path.join(dir, name);
      // A complain-mode profile: it confines nothing, so busybox runs as usual.
      writeFileSync(file, `profile ${name} flags=(complain) {\n}\n`);
      const load = spawnSync(parser, ['-r', file], { encoding: 'utf8' });
      try {
        if (load.status !== 0) skip(`host: apparmor_parser could not load a test profile: ${(load.stderr || '').trim().split('\n').pop() ?? ''}`);
        const s = await probe(ctx, 'apparmor', { current: 'cat /proc/$$/attr/apparmor/current 2>/dev/null || cat /proc/$$/attr/current' }, { patch: (spec) => void (spec.process!.apparmorProfile = name) });
        const got = attrText(s('current'));
        if (got.split(' ')[0] !== name) fail(`expected the process confined by AppArmor profile ${name}, found ${got}`, { expected: `${name} (complain)`, actual: got });
        return `confined by ${got}`;
      } finally {
        if (load.status === 0) spawnSync(parser, ['-R', file]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    id: 'selinux.label',
    level: 'MUST',
    ref: LINUX_PROCESS,
    text: '`selinuxLabel` (string, OPTIONAL) specifies the SELinux label for the process.',
    async run(ctx) {
      requireHost(ctx.host, 'selinux');
      const mine = attrText(readIfExists('/proc/self/attr/current') ?? '');
      const parts = mine.split(':');
      if (parts.length < 3) skip(`host: no SELinux context to derive a label from (${mine || 'empty'})`);
      // The harness's own user, role and type with other MCS categories: a label the policy lets this domain take.
      const label = parts.length >= 4 ? [...parts.slice(0, 3), 's0:c101,c202'].join(':') : mine;
      const got = attrText(await probeOutput(ctx, 'selinux-label', 'cat /proc/$$/attr/current', { patch: (spec) => void (spec.process!.selinuxLabel = label) }));
      expectSame(got, label, `expected the process labelled ${label}, found ${got}`);
      return `labelled ${label}`;
    },
  },
  {
    id: 'selinux.mount-label',
    level: 'MUST',
    ref: specRef('config-linux.md', 'mount-label'),
    text: '`mountLabel` (string, OPTIONAL) will set the Selinux context for the mounts in the container.',
    async run(ctx) {
      requireHost(ctx.host, 'selinux');
      const tmp = spawnSync('stat', ['-c', '%C', '/tmp'], { encoding: 'utf8' });
      const parts = (tmp.stdout || '').trim().split(':');
      if (tmp.status !== 0 || parts.length < 3) skip('host: cannot read the SELinux context of /tmp to derive a mount label');
      const label = parts.length >= 4 ? [...parts.slice(0, 3), 's0:c101,c202'].join(':') : parts.join(':');
      const info = await probeOutput(ctx, 'selinux-mount-label', 'cat /proc/$$/mountinfo', {
        configure: (b) => b.mount('/ocikit/labelled', 'tmpfs', { type: 'tmpfs', options: ['size=1m'] }),
        patch: (spec) => void ((spec.linux ??= {}).mountLabel = label),
      });
      const m = parseMountInfo(info).filter((x) => x.mountPoint === '/ocikit/labelled').pop();
      if (!m) fail('expected a tmpfs at /ocikit/labelled, found none');
      const line = info.split('\n').find((l) => l.split(' ')[4] === '/ocikit/labelled') ?? '';
      if (!line.includes(`context=${label}`) && !line.includes(`context="${label}"`)) fail(`expected the tmpfs mounted with context=${label}, found ${line.split(' - ')[1] ?? line}`, { expected: `context=${label}`, actual: line });
      return `tmpfs mounted with context ${label}`;
    },
  },
  {
    id: 'personality.linux32',
    level: 'MUST',
    since: '1.0.2',
    ref: specRef('config-linux.md', 'personality'),
    text: '`domain` (string, REQUIRED) - the execution domain. `LINUX32` will set the `uname` system call to show a 32 bit CPU type, such as `i686`.',
    async run(ctx) {
      const s = await probe(ctx, 'personality-linux32', { personality: 'cat /proc/$$/personality', machine: 'uname -m' }, { patch: (spec) => void ((spec.linux ??= {}).personality = { domain: 'LINUX32' }) });
      const got = { personality: s('personality').trim(), machine: s('machine').trim() };
      const want32: Record<string, string> = { x86_64: 'i686', aarch64: 'armv8l', ppc64: 'ppc', ppc64le: 'ppcle', s390x: 's390' };
      const want = { personality: '00000008', machine: want32[machine()] ?? got.machine };
      expectSame(got, want, `expected personality PER_LINUX32 (00000008) and uname -m ${want.machine}, found ${got.personality} and ${got.machine}`);
      return `personality ${got.personality}, uname -m ${got.machine}`;
    },
  },
  {
    id: 'personality.linux',
    level: 'MUST',
    since: '1.0.2',
    ref: specRef('config-linux.md', 'personality'),
    text: '`domain` (string, REQUIRED) - the execution domain: `LINUX`.',
    async run(ctx) {
      const s = await probe(ctx, 'personality-linux', { personality: 'cat /proc/$$/personality', machine: 'uname -m' }, { patch: (spec) => void ((spec.linux ??= {}).personality = { domain: 'LINUX' }) });
      const got = { personality: s('personality').trim(), machine: s('machine').trim() };
      expectSame(got, { personality: '00000000', machine: machine() }, `expected personality PER_LINUX (00000000) and uname -m ${machine()}, found ${got.personality} and ${got.machine}`);
      return `personality ${got.personality}, uname -m ${got.machine}`;
    },
  },
  {
    id: 'intelrdt.tasks',
    level: 'MUST',
    ref: specRef('config-linux.md', 'intelrdt'),
    text: 'If `intelRdt` is set, the runtime MUST write the container process ID to the `tasks` file in a proper sub-directory in a mounted `resctrl` pseudo-filesystem. If `closID` is not set, runtimes MUST use the container ID and create the `<container-id>` directory.',
    async run(ctx) {
      requireHost(ctx.host, 'intelRdt');
      const bundle = sleeper(ctx, 'intelrdt-tasks');
      bundle.write({ ...bundle.spec, linux: { ...bundle.spec.linux, intelRdt: {} } });
      const c = await launch(ctx, bundle, 'ready');
      const pid = (await stateOk(ctx, c.id))['pid'];
      const tasks = readIfExists(path.join('/sys/fs/resctrl', c.id, 'tasks'));
      await killAndWait(ctx, c.id);
      if (tasks === undefined) fail(`expected a resctrl group /sys/fs/resctrl/${c.id}, found none`, { expected: `/sys/fs/resctrl/${c.id}/tasks`, actual: 'missing' });
      if (!tasks.split('\n').includes(String(pid))) fail(`expected the container process ${String(pid)} in /sys/fs/resctrl/${c.id}/tasks, found ${tasks.trim().split('\n').join(' ') || 'none'}`, { expected: pid, actual: tasks.trim() });
      return `process ${String(pid)} in resctrl group ${c.id}`;
    },
  },
  {
    id: 'intelrdt.l3-schema',
    level: 'MUST',
    ref: specRef('config-linux.md', 'intelrdt'),
    text: 'If either `l3CacheSchema` or `memBwSchema` is set, runtimes MUST write the value to the `schemata` file in the sub-directory discussed in `closID`.',
    async run(ctx) {
      requireHost(ctx.host, 'intelRdt');
      // The root group's own L3 line: a schema valid on this machine whatever its caches.
      const l3 = schemataLines(readFileSync('/sys/fs/resctrl/schemata', 'utf8')).find((l) => l.startsWith('L3:'));
      if (!l3) skip('host: resctrl has no L3 cache allocation (no L3: line in /sys/fs/resctrl/schemata)');
      const bundle = sleeper(ctx, 'intelrdt-l3');
      bundle.write({ ...bundle.spec, linux: { ...bundle.spec.linux, intelRdt: { l3CacheSchema: l3 } } });
      const c = await launch(ctx, bundle, 'ready');
      const schemata = readIfExists(path.join('/sys/fs/resctrl', c.id, 'schemata'));
      await killAndWait(ctx, c.id);
      const lines = schemataLines(schemata ?? '');
      if (!lines.includes(l3)) fail(`expected ${l3} in /sys/fs/resctrl/${c.id}/schemata, found ${lines.join(' ') || 'no such file'}`, { expected: l3, actual: lines });
      return `schemata has ${l3}`;
    },
  },
];
