/**
 * Linux cgroup resources (runtime-spec `config-linux.md`, "Control groups")
 * and the device cgroup ("Allowed Device list"): the counterparts of
 * runtime-tools' linux_cgroups_{memory,cpus,pids,blkio,hugetlb,network,
 * devices} validation programs and their linux_cgroups_relative_* twins.
 *
 * Values are read back inside the container, from its own cgroup files at
 * the cgroup mount /sys/fs/cgroup of the default configuration (what the
 * process sees), with v1 file names on a v1 or hybrid host and v2 names on a
 * v2 host; where the spec describes the host side (the place of the cgroup
 * in the hierarchy, interface names of the runtime namespace) the harness
 * reads the host's files. The device cgroup is checked by its effect: a
 * node of a character major no host driver registered fails to open with
 * EPERM when denied and with ENXIO when the cgroup lets the open through.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { LinuxDeviceCgroup, LinuxResources } from '@ocikit/runtime-spec';
import type { Check, CheckContext, Level } from '../check.js';
import { describeCall } from '../driver.js';
import { fail, skip } from '../errors.js';
import { requireController } from '../host.js';
import { containerCgroupDirs, create, expectSame, launch, readIfExists, specRef, stateOk } from './common.js';
import { probeScript, readProbe } from './probe.js';
import { CGF, cgfResult, hostBlockDevice, kernelKeeps, ownCgroupValue, layoutOf, requireHostFile, requireLayoutController, unusedCharMajor, type Layout } from './resources-host.js';

/** The sentence that makes every resource setting binding. */
const APPLIED = '(create: "All of the properties configured in config.json except for process MUST be applied.")';

/** An expected cgroup file value: how to show it and whether a value matches. */
interface Want {
  show: string;
  ok(value: string): boolean;
}

const exact = (v: string | number): Want => ({ show: String(v), ok: (x) => x === String(v) });

/** A line of a per-device file (`254:0 102400`), or of v2 `io.max` (`254:0 rbps=102400 ...`). */
function deviceLine(dev: string, values: readonly (string | number)[], key?: string): Want {
  const alts = values.map(String);
  return {
    show: key === undefined ? `a line "${dev} ${alts.join('|')}"` : `a line "${dev} ... ${key}=${alts.join('|')}"`,
    ok: (x) =>
      x.split('\n').some((l) => {
        const [d, ...rest] = l.trim().split(/\s+/);
        return d === dev && alts.some((v) => (key === undefined ? rest[0] === v : rest.includes(`${key}=${v}`)));
      }),
  };
}

/** The io.weight runc writes on cgroup v2 for a blkio weight (10..1000 mapped onto 1..10000). */
function blkioToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/** What some settings need from the host, found when the check runs. */
interface Env {
  /** A whole block device of the host (`254:0`). */
  disk(): string;
  /** The last CPU the harness may run on (a container may be confined to it). */
  cpu(): string;
  /** The first memory node the harness may use. */
  mem(): string;
}

function makeEnv(): Env {
  const status = readIfExists('/proc/self/status') ?? '';
  const list = (key: string) => /^(\S+):\s*(.*)$/m.exec(status.split('\n').find((l) => l.startsWith(`${key}:`)) ?? '')?.[2] ?? '';
  const first = (l: string) => Number.parseInt(l.split(',')[0] ?? '', 10);
  const last = (l: string) => Number.parseInt((l.split(',').pop() ?? '').split('-').pop() ?? '', 10);
  return {
    disk() {
      const d = hostBlockDevice();
      if (!d) skip('host: no block device found for the per-device settings (/ is not on one and /sys/dev/block lists no whole disk)');
      return `${d.major}:${d.minor}`;
    },
    cpu() {
      const n = last(list('Cpus_allowed_list'));
      return Number.isInteger(n) ? String(n) : '0';
    },
    mem() {
      const n = first(list('Mems_allowed_list'));
      return Number.isInteger(n) ? String(n) : '0';
    },
  };
}

/**
 * One resource setting checked by reading its cgroup file back inside the
 * container: the counterpart of one assertion of runtime-tools'
 * linux_cgroups_* programs.
 */
interface Knob {
  id: string;
  anchor: string;
  text: string;
  level?: Level;
  since?: string;
  /** The v1 controller, and the v2 one (undefined: cgroup v2 has none, `noV2` says why). */
  v1: string;
  v2?: string;
  /** Why a v2 host cannot have the setting (no file for it). */
  noV2?: string;
  /** Host preconditions beyond the controller (skip when unmet). */
  needs?(ctx: CheckContext, layout: Layout): Promise<void> | void;
  set(r: LinuxResources, env: Env): void;
  /** Candidate files: the setting is applied when one the container's cgroup has holds the value. */
  files(layout: Layout): string[];
  want(layout: Layout, file: string, env: Env): Want;
  /** A /proc/self/status field that shows the setting to the process too. */
  status?: string;
}

const MEMORY_LIMIT = 50593792; // runtime-tools' value: 12352 pages of 4 KiB

/** The cpu.weight runtimes write for cpu.shares on cgroup v2: runc's linear map, or crun's newer log-quadratic one. */
function sharesToWeight(shares: number): number[] {
  const linear = 1 + Math.floor(((shares - 2) * 9999) / 262142);
  const l = Math.log2(shares);
  const quad = 10 ** ((l * l + 125 * l) / 612 - 7 / 34);
  return [linear, Math.floor(quad), Math.ceil(quad)];
}

const KNOBS: Knob[] = [
  {
    id: 'resources.memory-limit',
    anchor: 'memory',
    text: `\`memory.limit\` (int64, OPTIONAL) sets limit of memory usage ${APPLIED}`,
    v1: 'memory',
    v2: 'memory',
    set: (r) => void (r.memory = { limit: MEMORY_LIMIT }),
    files: (l) => (l === 'v2' ? ['memory.max'] : ['memory.limit_in_bytes']),
    want: () => exact(MEMORY_LIMIT),
  },
  {
    id: 'resources.memory-reservation',
    anchor: 'memory',
    text: `\`memory.reservation\` (int64, OPTIONAL) sets soft limit of memory usage ${APPLIED}`,
    v1: 'memory',
    v2: 'memory',
    set: (r) => void (r.memory = { limit: MEMORY_LIMIT, reservation: 41943040 }),
    files: (l) => (l === 'v2' ? ['memory.low'] : ['memory.soft_limit_in_bytes']),
    want: () => exact(41943040),
  },
  {
    id: 'resources.memory-swap',
    anchor: 'memory',
    text: `\`memory.swap\` (int64, OPTIONAL) sets limit of memory+Swap usage ${APPLIED}`,
    v1: 'memory',
    v2: 'memory',
    needs: (_, l) => requireHostFile(l, 'memory', l === 'v2' ? ['memory.swap.max'] : ['memory.memsw.limit_in_bytes'], 'no swap accounting (Linux booted without swapaccount=1, or CONFIG_MEMCG_SWAP off)'),
    set: (r) => void (r.memory = { limit: MEMORY_LIMIT, swap: 2 * MEMORY_LIMIT }),
    // cgroup v2 limits swap alone: memory.swap.max is memory+swap minus memory.
    files: (l) => (l === 'v2' ? ['memory.swap.max'] : ['memory.memsw.limit_in_bytes']),
    want: (l) => exact(l === 'v2' ? MEMORY_LIMIT : 2 * MEMORY_LIMIT),
  },
  {
    id: 'resources.memory-kernel',
    anchor: 'memory',
    text: `\`memory.kernel\` (int64, OPTIONAL, NOT RECOMMENDED) sets hard limit for kernel memory ${APPLIED}`,
    v1: 'memory',
    noV2: 'cgroup v2 has no separate kernel memory limit (kernel memory counts in memory.max)',
    async needs(ctx) {
      requireHostFile('v1', 'memory', ['memory.kmem.limit_in_bytes'], 'no kernel memory accounting');
      if (!(await kernelKeeps(ctx, 'memory', 'memory.kmem.limit_in_bytes', String(MEMORY_LIMIT)))) skip('host: the kernel accepts and ignores memory.kmem.limit_in_bytes (deprecated since Linux 5.4): a runtime cannot set it');
    },
    set: (r) => void (r.memory = { limit: MEMORY_LIMIT, kernel: MEMORY_LIMIT }),
    files: () => ['memory.kmem.limit_in_bytes'],
    want: () => exact(MEMORY_LIMIT),
  },
  {
    id: 'resources.memory-kernel-tcp',
    anchor: 'memory',
    text: `\`memory.kernelTCP\` (int64, OPTIONAL, NOT RECOMMENDED) sets hard limit for kernel TCP buffer memory ${APPLIED}`,
    v1: 'memory',
    noV2: 'cgroup v2 has no kernel TCP buffer limit (socket memory counts in memory.max)',
    async needs(ctx) {
      requireHostFile('v1', 'memory', ['memory.kmem.tcp.limit_in_bytes'], 'no kernel TCP memory accounting');
      if (!(await kernelKeeps(ctx, 'memory', 'memory.kmem.tcp.limit_in_bytes', String(MEMORY_LIMIT)))) skip('host: the kernel does not keep a value written to memory.kmem.tcp.limit_in_bytes');
    },
    set: (r) => void (r.memory = { limit: MEMORY_LIMIT, kernelTCP: MEMORY_LIMIT }),
    files: () => ['memory.kmem.tcp.limit_in_bytes'],
    want: () => exact(MEMORY_LIMIT),
  },
  {
    id: 'resources.memory-swappiness',
    anchor: 'memory',
    text: `\`memory.swappiness\` (uint64, OPTIONAL) sets swappiness parameter of vmscan (See sysctl's vm.swappiness) ${APPLIED}`,
    v1: 'memory',
    noV2: 'cgroup v2 has no per-cgroup swappiness',
    needs: () => requireHostFile('v1', 'memory', ['memory.swappiness'], 'no per-cgroup swappiness'),
    set: (r) => void (r.memory = { swappiness: 37 }),
    files: () => ['memory.swappiness'],
    want: () => exact(37),
  },
  {
    id: 'resources.memory-oom-killer',
    anchor: 'memory',
    text: `\`memory.disableOOMKiller\` (bool, OPTIONAL) enables or disables the OOM killer; to disable it, specify a value of \`true\` ${APPLIED}`,
    v1: 'memory',
    noV2: 'cgroup v2 has no switch to disable the OOM killer',
    set: (r) => void (r.memory = { limit: MEMORY_LIMIT, disableOOMKiller: true }),
    files: () => ['memory.oom_control'],
    want: () => ({ show: 'a line "oom_kill_disable 1"', ok: (x) => /^oom_kill_disable 1$/m.test(x) }),
  },
  {
    id: 'resources.cpu-shares',
    anchor: 'cpu',
    text: `\`cpu.shares\` (uint64, OPTIONAL) specifies a relative share of CPU time available to the tasks in a cgroup ${APPLIED}`,
    v1: 'cpu',
    v2: 'cpu',
    set: (r) => void (r.cpu = { shares: 2048 }),
    files: (l) => (l === 'v2' ? ['cpu.weight'] : ['cpu.shares']),
    want: (l) => (l === 'v2' ? { show: `${sharesToWeight(2048).join(' or ')} (shares 2048 as a weight)`, ok: (x) => sharesToWeight(2048).map(String).includes(x) } : exact(2048)),
  },
  {
    id: 'resources.cpu-quota',
    anchor: 'cpu',
    text: `\`cpu.quota\` (int64, OPTIONAL) specifies the total amount of time in microseconds for which all tasks in a cgroup can run during one period ${APPLIED}`,
    v1: 'cpu',
    v2: 'cpu',
    needs: (_, l) => requireHostFile(l, 'cpu', l === 'v2' ? ['cpu.max'] : ['cpu.cfs_quota_us'], 'no CFS bandwidth control (CONFIG_CFS_BANDWIDTH off)'),
    set: (r) => void (r.cpu = { quota: 50000, period: 100000 }),
    files: (l) => (l === 'v2' ? ['cpu.max'] : ['cpu.cfs_quota_us']),
    want: (l) => (l === 'v2' ? { show: '"50000 100000"', ok: (x) => x.split(/\s+/)[0] === '50000' } : exact(50000)),
  },
  {
    id: 'resources.cpu-period',
    anchor: 'cpu',
    text: `\`cpu.period\` (uint64, OPTIONAL) specifies a period of time in microseconds for how regularly a cgroup's access to CPU resources should be reallocated ${APPLIED}`,
    v1: 'cpu',
    v2: 'cpu',
    needs: (_, l) => requireHostFile(l, 'cpu', l === 'v2' ? ['cpu.max'] : ['cpu.cfs_period_us'], 'no CFS bandwidth control (CONFIG_CFS_BANDWIDTH off)'),
    set: (r) => void (r.cpu = { quota: 200000, period: 500000 }),
    files: (l) => (l === 'v2' ? ['cpu.max'] : ['cpu.cfs_period_us']),
    want: (l) => (l === 'v2' ? { show: '"200000 500000"', ok: (x) => x.split(/\s+/)[1] === '500000' } : exact(500000)),
  },
  {
    id: 'resources.cpu-realtime-runtime',
    anchor: 'cpu',
    text: `\`cpu.realtimeRuntime\` (int64, OPTIONAL) specifies a period of time in microseconds for the longest continuous period in which the tasks in a cgroup have access to CPU resources ${APPLIED}`,
    v1: 'cpu',
    noV2: 'cgroup v2 has no realtime group scheduling knobs',
    needs() {
      requireHostFile('v1', 'cpu', ['cpu.rt_runtime_us'], 'no realtime group scheduling (CONFIG_RT_GROUP_SCHED off)');
      const budget = ownCgroupValue('v1', 'cpu', 'cpu.rt_runtime_us');
      if (budget !== undefined && Number(budget) < 20000) skip(`host: the runtime's cpu cgroup has a realtime budget of ${budget} µs, less than the 20000 µs asked for`);
    },
    set: (r) => void (r.cpu = { realtimeRuntime: 20000 }),
    files: () => ['cpu.rt_runtime_us'],
    want: () => exact(20000),
  },
  {
    id: 'resources.cpu-realtime-period',
    anchor: 'cpu',
    text: `\`cpu.realtimePeriod\` (uint64, OPTIONAL) same as \`period\` but applies to realtime scheduler only ${APPLIED}`,
    v1: 'cpu',
    noV2: 'cgroup v2 has no realtime group scheduling knobs',
    needs: () => requireHostFile('v1', 'cpu', ['cpu.rt_period_us'], 'no realtime group scheduling (CONFIG_RT_GROUP_SCHED off)'),
    set: (r) => void (r.cpu = { realtimePeriod: 500000 }),
    files: () => ['cpu.rt_period_us'],
    want: () => exact(500000),
  },
  {
    id: 'resources.cpu-cpus',
    anchor: 'cpu',
    text: `\`cpu.cpus\` (string, OPTIONAL) list of CPUs the container will run on ${APPLIED}`,
    v1: 'cpuset',
    v2: 'cpuset',
    set: (r, env) => void (r.cpu = { cpus: env.cpu() }),
    files: () => ['cpuset.cpus'],
    want: (_, __, env) => exact(env.cpu()),
    status: 'Cpus_allowed_list',
  },
  {
    id: 'resources.cpu-mems',
    anchor: 'cpu',
    text: `\`cpu.mems\` (string, OPTIONAL) list of memory nodes the container will run on ${APPLIED}`,
    v1: 'cpuset',
    v2: 'cpuset',
    set: (r, env) => void (r.cpu = { mems: env.mem() }),
    files: () => ['cpuset.mems'],
    want: (_, __, env) => exact(env.mem()),
    status: 'Mems_allowed_list',
  },
  {
    id: 'resources.cpu-idle',
    anchor: 'cpu',
    since: '1.1.0',
    text: `\`cpu.idle\` (int64, OPTIONAL) cgroups are configured with minimum weight, 0: default behavior, 1: SCHED_IDLE ${APPLIED}`,
    v1: 'cpu',
    v2: 'cpu',
    needs: (_, l) => requireHostFile(l, 'cpu', ['cpu.idle'], 'no SCHED_IDLE cgroups (Linux before 5.15)'),
    set: (r) => void (r.cpu = { idle: 1 }),
    files: () => ['cpu.idle'],
    want: () => exact(1),
  },
  {
    id: 'resources.cpu-burst',
    anchor: 'cpu',
    since: '1.1.0',
    text: `\`cpu.burst\` (uint64, OPTIONAL) specifies the maximum amount of accumulated time in microseconds for which all tasks in a cgroup can run additionally for burst during one period ${APPLIED}`,
    v1: 'cpu',
    v2: 'cpu',
    needs: (_, l) => requireHostFile(l, 'cpu', l === 'v2' ? ['cpu.max.burst'] : ['cpu.cfs_burst_us'], 'no CFS burst (Linux before 5.14)'),
    set: (r) => void (r.cpu = { quota: 50000, period: 100000, burst: 10000 }),
    files: (l) => (l === 'v2' ? ['cpu.max.burst'] : ['cpu.cfs_burst_us']),
    want: () => exact(10000),
  },
  {
    id: 'resources.pids-limit',
    anchor: 'pids',
    text: `\`pids.limit\` (int64, OPTIONAL) specifies the maximum number of tasks in the cgroup ${APPLIED}`,
    v1: 'pids',
    v2: 'pids',
    set: (r) => void (r.pids = { limit: 1000 }),
    files: () => ['pids.max'],
    want: () => exact(1000),
  },
  {
    id: 'resources.blkio-weight',
    anchor: 'block-io',
    text: `\`blockIO.weight\` (uint16, OPTIONAL) specifies per-cgroup weight ${APPLIED}`,
    v1: 'blkio',
    v2: 'io',
    needs: (_, l) => requireHostFile(l, l === 'v2' ? 'io' : 'blkio', l === 'v2' ? ['io.weight', 'io.bfq.weight'] : ['blkio.weight', 'blkio.bfq.weight'], 'no proportional I/O weight (neither the CFQ nor the BFQ I/O scheduler)'),
    set: (r) => void (r.blockIO = { weight: 500 }),
    files: (l) => (l === 'v2' ? ['io.bfq.weight', 'io.weight'] : ['blkio.weight', 'blkio.bfq.weight']),
    want: (l) => {
      const alts = l === 'v2' ? [500, blkioToIoWeight(500)] : [500];
      return { show: alts.map((v) => `${v} or "default ${v}"`).join(', '), ok: (x) => alts.some((v) => new RegExp(`^(default )?${v}$`, 'm').test(x)) };
    },
  },
  {
    id: 'resources.blkio-leaf-weight',
    anchor: 'block-io',
    text: `\`blockIO.leafWeight\` (uint16, OPTIONAL) equivalents of \`weight\` for the purpose of deciding how much weight tasks in the given cgroup has while competing with the cgroup's child cgroups ${APPLIED}`,
    v1: 'blkio',
    noV2: 'cgroup v2 has no leaf weight',
    needs: () => requireHostFile('v1', 'blkio', ['blkio.leaf_weight'], 'no blkio leaf weight (CFQ only, removed in Linux 5.0)'),
    set: (r) => void (r.blockIO = { leafWeight: 300 }),
    files: () => ['blkio.leaf_weight'],
    want: () => exact(300),
  },
  {
    id: 'resources.blkio-weight-device',
    anchor: 'block-io',
    text: `\`blockIO.weightDevice\` (array of objects, OPTIONAL) an array of per-device bandwidth weights ${APPLIED}`,
    v1: 'blkio',
    v2: 'io',
    needs: (_, l) => requireHostFile(l, l === 'v2' ? 'io' : 'blkio', l === 'v2' ? ['io.weight', 'io.bfq.weight'] : ['blkio.weight_device', 'blkio.bfq.weight_device'], 'no per-device I/O weight (neither the CFQ nor the BFQ I/O scheduler)'),
    set: (r, env) => {
      const [major, minor] = env.disk().split(':').map(Number) as [number, number];
      r.blockIO = { weightDevice: [{ major, minor, weight: 500 }] };
    },
    files: (l) => (l === 'v2' ? ['io.bfq.weight', 'io.weight'] : ['blkio.weight_device', 'blkio.bfq.weight_device']),
    want: (l, _, env) => deviceLine(env.disk(), l === 'v2' ? [500, blkioToIoWeight(500)] : [500]),
  },
  ...(
    [
      ['read-bps', 'throttleReadBpsDevice', 'blkio.throttle.read_bps_device', 'rbps', 'bandwidth rate limit in bytes per second'],
      ['write-bps', 'throttleWriteBpsDevice', 'blkio.throttle.write_bps_device', 'wbps', 'bandwidth rate limit in bytes per second'],
      ['read-iops', 'throttleReadIOPSDevice', 'blkio.throttle.read_iops_device', 'riops', 'IO rate limit'],
      ['write-iops', 'throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device', 'wiops', 'IO rate limit'],
    ] as const
  ).map(
    ([name, field, file, key, what]): Knob => ({
      id: `resources.blkio-throttle-${name}`,
      anchor: 'block-io',
      text: `\`blockIO.${field}\` (array of objects, OPTIONAL) an array of per-device ${what.startsWith('IO') ? 'IO' : 'bandwidth'} rate limits; \`rate\` is the ${what} for the device ${APPLIED}`,
      v1: 'blkio',
      v2: 'io',
      needs: (_, l) => requireHostFile(l, l === 'v2' ? 'io' : 'blkio', l === 'v2' ? ['io.max'] : [file], 'no block I/O throttling (CONFIG_BLK_DEV_THROTTLING off)'),
      set: (r, env) => {
        const [major, minor] = env.disk().split(':').map(Number) as [number, number];
        r.blockIO = { [field]: [{ major, minor, rate: 102400 }] };
      },
      files: (l) => (l === 'v2' ? ['io.max'] : [file]),
      want: (l, _, env) => deviceLine(env.disk(), [102400], l === 'v2' ? key : undefined),
    }),
  ),
  {
    id: 'resources.hugepage-limits',
    anchor: 'huge-page-limits',
    text: `\`hugepageLimits\` (array of objects, OPTIONAL) represents the \`hugetlb\` controller which allows to limit the HugeTLB reservations (if supported) or usage (page fault) ${APPLIED}`,
    v1: 'hugetlb',
    v2: 'hugetlb',
    needs: () => void hugePageSize(),
    set: (r) => void (r.hugepageLimits = [{ pageSize: hugePageSize(), limit: 2 * 2 ** 30 }]),
    files: (l) => {
      const s = hugePageSize();
      return l === 'v2' ? [`hugetlb.${s}.rsvd.max`, `hugetlb.${s}.max`] : [`hugetlb.${s}.rsvd.limit_in_bytes`, `hugetlb.${s}.limit_in_bytes`];
    },
    want: () => exact(2 * 2 ** 30),
  },
  {
    id: 'resources.network-classid',
    anchor: 'network',
    text: `\`network.classID\` (uint32, OPTIONAL) is the network class identifier the cgroup's network packets will be tagged with ${APPLIED}`,
    v1: 'net_cls',
    noV2: 'cgroup v2 has no net_cls controller',
    set: (r) => void (r.network = { classID: 0x100001 }),
    files: () => ['net_cls.classid'],
    want: () => exact(0x100001),
  },
];

/** The host's smallest huge page size in runtime-spec notation (`2MB`), skipping when it has none. */
function hugePageSize(): string {
  let names: string[] = [];
  try {
    names = readdirSync('/sys/kernel/mm/hugepages');
  } catch {
    /* none */
  }
  const kb = names.map((n) => Number(/^hugepages-(\d+)kB$/.exec(n)?.[1])).filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b)[0];
  if (kb === undefined) skip('host: no huge page sizes (/sys/kernel/mm/hugepages is empty)');
  return kb >= 1 << 20 ? `${kb >> 20}GB` : kb >= 1024 ? `${kb >> 10}MB` : `${kb}KB`;
}

/** Run a knob: a container reading its own cgroup file back from inside. */
async function runKnob(ctx: CheckContext, k: Knob): Promise<string> {
  const layout = layoutOf(ctx);
  if (layout === 'v2' && k.v2 === undefined) skip(`host: ${k.noV2 ?? `cgroup v2 has no ${k.v1} controller`}`);
  requireLayoutController(ctx, k.v1, k.v2);
  await k.needs?.(ctx, layout);
  const env = makeEnv();
  const files = k.files(layout);
  const ctl = layout === 'v2' ? "''" : k.v1;
  const entries: Record<string, string> = Object.fromEntries(files.map((f, i) => [`file${i}`, `cgf ${ctl} ${f}`]));
  if (k.status) entries['status'] = `grep '^${k.status}:' /proc/self/status`;
  const bundle = ctx.bundle(k.id.replace(/^resources\./, ''), {
    script: `${CGF}; ${probeScript(entries)}`,
    patch: (spec) => k.set((spec.linux!.resources ??= {}), env),
  });
  const s = await readProbe(ctx, bundle);
  // Every candidate file the container's cgroup has; the setting is applied when one holds the value.
  const found = files.map((_, i) => s(`file${i}`)).filter((x) => x.replace(/^\n+/, '').startsWith('/'));
  if (found.length === 0) cgfResult(s('file0'), files.join(' or '));
  const read = found.map((x) => cgfResult(x, files.join(' or '))).map((r) => ({ ...r, name: path.basename(r.file), want: k.want(layout, path.basename(r.file), env) }));
  const got = read.find((r) => r.want.ok(r.value));
  if (!got) {
    const expected = read.map((r) => `${r.name} ${r.want.show}`).join(' or ');
    const found = read.map((r) => `${JSON.stringify(r.value)} in ${r.file}`).join(', ');
    fail(`expected ${expected}, found ${found} (read inside the container)`, { expected: read.map((r) => r.want.show), actual: read.map((r) => r.value) });
  }
  if (k.status) {
    const seen = s('status').split(':')[1]?.trim() ?? s('status').trim();
    if (!got.want.ok(seen)) fail(`expected the process's ${k.status} ${got.want.show}, found ${JSON.stringify(seen)} (/proc/self/status inside the container)`, { expected: got.want.show, actual: seen });
    return `${got.name} ${got.value} (read inside the container at ${got.file}), and ${k.status} ${seen} in /proc/self/status`;
  }
  return `${got.name} ${got.value.split('\n').join('; ')} (read inside the container at ${got.file})`;
}

const knobChecks: Check[] = KNOBS.map((k) => ({
  id: k.id,
  level: k.level ?? 'MUST',
  ref: specRef('config-linux.md', k.anchor),
  text: k.text,
  ...(k.since !== undefined && { since: k.since }),
  run: (ctx) => runKnob(ctx, k),
}));

/** A running container's pid, for host-side reads. */
async function pidOf(ctx: CheckContext, id: string): Promise<number> {
  const pid = (await stateOk(ctx, id))['pid'];
  if (typeof pid !== 'number' || pid <= 0) fail(`expected the pid of a running container in its state, found ${JSON.stringify(pid)}`, { expected: 'pid', actual: pid });
  return pid;
}

/** Hierarchies of /proc/PID/cgroup: `memory` → path (v2: `0::` as key ''). */
function cgroupsOf(pid: number | 'self'): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (readIfExists(`/proc/${pid}/cgroup`) ?? '').split('\n').filter(Boolean)) {
    const [hier = '', ctrls = '', ...rest] = line.split(':');
    out.set(hier === '0' && ctrls === '' ? '' : ctrls, rest.join(':'));
  }
  return out;
}

/** The hierarchies the runtime attached the container to: those where its cgroup differs from the harness's (the runtime's). */
function attached(pid: number): Map<string, string> {
  const mine = cgroupsOf('self');
  return new Map([...cgroupsOf(pid)].filter(([h, p]) => mine.get(h) !== p));
}

const hierName = (h: string) => (h === '' ? 'cgroup v2' : h);

/** A container of `args` (no shell, no fork) with `cgroupsPath` and a pids limit, running; its pid. */
async function placed(ctx: CheckContext, name: string, cgroupsPath: string, resources: LinuxResources = { pids: { limit: 1000 } }): Promise<{ id: string; pid: number }> {
  const bundle = ctx.bundle(name, {
    args: ['sleep', '30'],
    patch: (spec) => {
      spec.linux!.cgroupsPath = cgroupsPath;
      spec.linux!.resources = { ...spec.linux!.resources, ...resources };
    },
  });
  const c = await launch(ctx, bundle, 'started');
  return { id: c.id, pid: await pidOf(ctx, c.id) };
}

/** The v1 controllers (or v2) the path checks set resources on, so the runtime must attach there. */
function pathControllers(ctx: CheckContext): string[] {
  const layout = layoutOf(ctx);
  requireController(ctx.host, 'pids');
  requireController(ctx.host, 'memory');
  return layout === 'v2' ? [''] : ['pids', 'memory'];
}

const PATH_RESOURCES: LinuxResources = { pids: { limit: 1000 }, memory: { limit: MEMORY_LIMIT } };

const pathChecks: Check[] = [
  {
    id: 'resources.cgroups-path-absolute',
    level: 'MUST',
    ref: specRef('config-linux.md', 'cgroups-path'),
    text: 'In the case of an absolute path (starting with `/`), the runtime MUST take the path to be relative to the cgroups mount point.',
    async run(ctx) {
      const needed = pathControllers(ctx);
      const want = `/${ctx.newId()}`;
      const { pid } = await placed(ctx, 'cgroups-path-absolute', want, PATH_RESOURCES);
      const all = cgroupsOf(pid);
      const wrong = [...attached(pid)].filter(([, p]) => p !== want);
      const missing = needed.filter((h) => all.get(h) !== want);
      if (wrong.length || missing.length) {
        const show = [...new Set([...needed, ...wrong.map(([h]) => h)])].map((h) => `${hierName(h)} ${all.get(h) ?? 'none'}`).join(', ');
        fail(`expected the container at ${want} in every hierarchy it is attached to (at least ${needed.map(hierName).join(', ')}), found ${show}`, { expected: want, actual: Object.fromEntries(all) });
      }
      const dirs = containerCgroupDirs(pid).filter((d) => d.endsWith(want));
      const pidsDir = dirs.find((d) => readIfExists(path.join(d, 'pids.max')) !== undefined);
      const pidsMax = pidsDir ? readIfExists(path.join(pidsDir, 'pids.max'))?.trim() : undefined;
      if (pidsMax !== '1000') fail(`expected pids.max 1000 in the cgroup at ${want} under the mount point, found ${pidsMax ?? 'no such file'}`, { expected: '1000', actual: pidsMax });
      return `/proc/PID/cgroup shows ${want} in ${[...attached(pid).keys()].map(hierName).join(', ')}; ${pidsDir}/pids.max is 1000 (host side)`;
    },
  },
  {
    id: 'resources.cgroups-path-relative',
    level: 'MAY',
    ref: specRef('config-linux.md', 'cgroups-path'),
    text: 'In the case of a relative path (not starting with `/`), the runtime MAY interpret the path relative to a runtime-determined location in the cgroups hierarchy.',
    async run(ctx) {
      const needed = pathControllers(ctx);
      const rel = `${ctx.newId()}-rel`;
      const { pid } = await placed(ctx, 'cgroups-path-relative', rel, PATH_RESOURCES);
      const all = cgroupsOf(pid);
      const at = [...attached(pid)];
      const wrong = at.filter(([, p]) => !p.endsWith(`/${rel}`));
      const missing = needed.filter((h) => !all.get(h)?.endsWith(`/${rel}`));
      if (wrong.length || missing.length) fail(`expected the container at .../${rel} in every hierarchy it is attached to, found ${at.map(([h, p]) => `${hierName(h)} ${p}`).join(', ') || 'no cgroup of its own'}`, { expected: `.../${rel}`, actual: Object.fromEntries(all) });
      const mine = cgroupsOf('self');
      const underOwn = at.filter(([h, p]) => p === path.posix.join(mine.get(h) ?? '/', rel)).map(([h]) => hierName(h));
      return `at .../${rel} in ${at.map(([h]) => hierName(h)).join(', ')}${underOwn.length === at.length ? " (under the runtime's own cgroup)" : ''} (host side, /proc/PID/cgroup)`;
    },
  },
  {
    id: 'resources.cgroups-path-same',
    level: 'MUST',
    ref: specRef('config-linux.md', 'cgroups-path'),
    text: 'If the value is specified, the runtime MUST consistently attach to the same place in the cgroups hierarchy given the same value of `cgroupsPath`.',
    async run(ctx) {
      pathControllers(ctx);
      const rel = `${ctx.newId()}-same`;
      const places: Record<string, string>[] = [];
      for (const n of [1, 2]) {
        const { id, pid } = await placed(ctx, `cgroups-path-same-${n}`, rel);
        places.push(Object.fromEntries([...attached(pid)].map(([h, p]) => [hierName(h), p])));
        const del = await ctx.driver.delete(id, { force: true });
        if (del.code !== 0) fail(`expected delete --force of a running container to succeed, found ${describeCall(del)}`);
      }
      if (Object.keys(places[0]!).length === 0) fail(`expected the container attached to cgroups of its own for cgroupsPath ${rel}, found it in the runtime's cgroups`, { expected: rel, actual: places[0] });
      expectSame(places[1], places[0], `expected the second container with cgroupsPath ${rel} at the place of the first, found ${JSON.stringify(places[1])} instead of ${JSON.stringify(places[0])}`);
      return `both containers at ${[...new Set(Object.values(places[0]!))].join(', ')}`;
    },
  },
  {
    id: 'resources.relative-path-limits',
    level: 'MUST',
    ref: specRef('config-linux.md', 'cgroups-path'),
    text: `You can configure a container's cgroups via the \`resources\` field of the Linux configuration (with a relative \`cgroupsPath\`, as runtime-tools' linux_cgroups_relative_* programs do) ${APPLIED}`,
    async run(ctx) {
      const layout = layoutOf(ctx);
      for (const c of ['memory', 'cpu', 'pids']) requireController(ctx.host, c);
      const rel = `${ctx.newId()}-limits`;
      const v1 = layout === 'v1';
      const entries = {
        memory: `cgf ${v1 ? 'memory' : "''"} ${v1 ? 'memory.limit_in_bytes' : 'memory.max'}`,
        cpu: `cgf ${v1 ? 'cpu' : "''"} ${v1 ? 'cpu.shares' : 'cpu.weight'}`,
        pids: `cgf ${v1 ? 'pids' : "''"} pids.max`,
        cgroup: 'cat /proc/self/cgroup',
      };
      const bundle = ctx.bundle('relative-path-limits', {
        script: `${CGF}; ${probeScript(entries)}`,
        patch: (spec) => {
          spec.linux!.cgroupsPath = rel;
          spec.linux!.resources = { ...spec.linux!.resources, memory: { limit: MEMORY_LIMIT }, cpu: { shares: 2048 }, pids: { limit: 1000 } };
        },
      });
      const s = await readProbe(ctx, bundle);
      const got = { memory: cgfResult(s('memory'), 'the memory limit'), cpu: cgfResult(s('cpu'), 'the cpu shares'), pids: cgfResult(s('pids'), 'pids.max') };
      const want = { memory: exact(MEMORY_LIMIT), cpu: v1 ? exact(2048) : { show: sharesToWeight(2048).join(' or '), ok: (x: string) => sharesToWeight(2048).map(String).includes(x) }, pids: exact(1000) };
      const bad = (Object.keys(want) as (keyof typeof want)[]).filter((k) => !want[k].ok(got[k].value));
      if (bad.length) fail(`expected ${bad.map((k) => `${path.basename(got[k].file)} ${want[k].show}`).join(', ')} with cgroupsPath ${rel}, found ${bad.map((k) => got[k].value).join(', ')}`, { expected: Object.fromEntries(bad.map((k) => [k, want[k].show])), actual: Object.fromEntries(bad.map((k) => [k, got[k].value])) });
      const places = [...new Set(s('cgroup').trim().split('\n').map((l) => l.split(':').slice(2).join(':')))];
      if (!places.some((p) => p.endsWith(`/${rel}`))) fail(`expected the container's cgroup path to end in ${rel}, found ${places.join(', ')}`, { expected: rel, actual: places });
      return `memory limit, cpu shares and pids limit applied at .../${rel} (read inside the container)`;
    },
  },
];

/** The hugepageLimits entry of a page size no host has must be refused. */
const hugepageInvalid: Check = {
  id: 'resources.hugepage-invalid',
  level: 'MUST',
  ref: specRef('runtime.md', 'lifecycle'),
  text: 'If the runtime is unable to create the environment specified in the config.json, it MUST generate an error (`hugepageLimits` with `pageSize` 3MB, which no hugetlb control file has).',
  async run(ctx) {
    requireLayoutController(ctx, 'hugetlb');
    const bundle = ctx.bundle('hugepage-invalid', { patch: (spec) => void ((spec.linux!.resources ??= {}).hugepageLimits = [{ pageSize: '3MB', limit: 100 * 3 * 2 ** 20 }]) });
    const call = await create(ctx, ctx.newId(), bundle);
    if (call.code === 0) fail('expected create to generate an error for hugepage size 3MB, found exit 0', { expected: 'non-zero exit', actual: 'exit 0' });
    return `create refused: ${describeCall(call)}`;
  },
};

/** net_prio names interfaces of the runtime's network namespace: read on the host, where they are. */
const networkPriorities: Check = {
  id: 'resources.network-priorities',
  level: 'MUST',
  ref: specRef('config-linux.md', 'network'),
  text: `\`network.priorities\` (array of objects, OPTIONAL) specifies a list of objects of the priorities assigned to traffic originating from processes in the group and egressing the system on various interfaces; \`name\` is the interface name in runtime network namespace ${APPLIED}`,
  async run(ctx) {
    requireLayoutController(ctx, 'net_prio');
    const { pid } = await placed(ctx, 'network-priorities', ctx.newId(), { network: { priorities: [{ name: 'lo', priority: 37 }] } });
    const dir = containerCgroupDirs(pid).find((d) => readIfExists(path.join(d, 'net_prio.ifpriomap')) !== undefined);
    const map = dir ? readIfExists(path.join(dir, 'net_prio.ifpriomap')) : undefined;
    if (!map || !/^lo 37$/m.test(map)) fail(`expected net_prio.ifpriomap with "lo 37", found ${JSON.stringify(map ?? 'no net_prio cgroup of the container')}`, { expected: 'lo 37', actual: map });
    return `${dir}/net_prio.ifpriomap has "lo 37" (host side)`;
  },
};

/** pids.limit 0: the process cannot fork, so the harness reads the value on the host. */
const pidsZero: Check = {
  id: 'resources.pids-limit-zero',
  level: 'SHOULD',
  since: '1.3.0',
  ref: specRef('config-linux.md', 'pids'),
  text: '`0` is a valid limit value for the `pids` cgroup controller from the kernel\'s perspective and SHOULD be treated as such by runtimes.',
  async run(ctx) {
    requireLayoutController(ctx, 'pids');
    const { pid } = await placed(ctx, 'pids-limit-zero', ctx.newId(), { pids: { limit: 0 } });
    const dir = containerCgroupDirs(pid).find((d) => readIfExists(path.join(d, 'pids.max')) !== undefined);
    const got = dir ? readIfExists(path.join(dir, 'pids.max'))?.trim() : undefined;
    if (got !== '0') fail(`expected pids.max 0, found ${got ?? 'no pids cgroup of the container'}`, { expected: '0', actual: got });
    return `${dir}/pids.max is 0 (host side: the container cannot fork to read it)`;
  },
};

const unifiedChecks: Check[] = [
  {
    id: 'resources.unified',
    level: 'MUST',
    since: '1.1.0',
    ref: specRef('config-linux.md', 'unified'),
    text: '`unified` (object, OPTIONAL) allows cgroup v2 parameters to be set and modified for the container; each key in the map refers to a file in the cgroup unified hierarchy, and configuration unknown to the runtime MUST still be written to the relevant file.',
    async run(ctx) {
      if (layoutOf(ctx) !== 'v2') skip(`host: cgroup ${ctx.host.cgroup}: runtimes put resources on the v1 hierarchies, and \`unified\` needs a cgroup v2 host`);
      requireController(ctx.host, 'pids');
      const bundle = ctx.bundle('unified', { script: `${CGF}; ${probeScript({ value: "cgf '' pids.max" })}`, patch: (spec) => void ((spec.linux!.resources ??= {}).unified = { 'pids.max': '37' }) });
      const got = cgfResult((await readProbe(ctx, bundle))('value'), 'pids.max');
      if (got.value !== '37') fail(`expected pids.max 37 from unified, found ${JSON.stringify(got.value)} (read inside the container at ${got.file})`, { expected: '37', actual: got.value });
      return `pids.max 37 (read inside the container at ${got.file})`;
    },
  },
  {
    id: 'resources.unified-unknown-controller',
    level: 'MUST',
    since: '1.1.0',
    ref: specRef('config-linux.md', 'unified'),
    text: 'The runtime MUST generate an error when the configuration refers to a cgroup controller that is not present or that cannot be enabled.',
    async run(ctx) {
      if (layoutOf(ctx) !== 'v2') skip(`host: cgroup ${ctx.host.cgroup}: \`unified\` needs a cgroup v2 host`);
      const bundle = ctx.bundle('unified-unknown-controller', { patch: (spec) => void ((spec.linux!.resources ??= {}).unified = { 'ocikitnone.max': '1' }) });
      const call = await create(ctx, ctx.newId(), bundle);
      if (call.code === 0) fail('expected create to generate an error for unified key ocikitnone.max (no such controller), found exit 0', { expected: 'non-zero exit', actual: 'exit 0' });
      return `create refused: ${describeCall(call)}`;
    },
  },
];

// ---------------------------------------------------------------- device cgroup

const NODE = '/dev/ocikit-dev';
const NODE2 = '/dev/ocikit-dev2';
const MINOR = 77;

/** How the device cgroup answered an access: `denied` (EPERM) or `allowed` (the open got through, to ENXIO or success). */
function verdict(output: string): 'denied' | 'allowed' {
  return /Operation not permitted/.test(output) ? 'denied' : 'allowed';
}

const TRY = {
  read: (node: string) => `head -c1 ${node} >/dev/null && echo opened`,
  write: (node: string) => `printf '' > ${node} && echo opened`,
};

/** What a device probe found: each access's verdict and output, and the rules it ran under. */
interface Probed {
  major: number;
  rules: string;
  verdicts: Record<string, 'denied' | 'allowed'>;
  raw: Record<string, string>;
}

/** A device rule as devices.list writes it (`c 240:77 rw`), with allow or deny. */
function showRule(r: LinuxDeviceCgroup): string {
  return `${r.allow ? 'allow' : 'deny'} ${r.type ?? 'a'} ${r.major ?? '*'}:${r.minor ?? '*'} ${r.access ?? 'rwm'}`;
}

/**
 * A container behind the device rules `deny all`, then (unless `nodes` is
 * false) `allow c MAJOR:* m`, then `rules`. With the nodes, the container
 * first makes /dev/ocikit-dev (MAJOR:77) and /dev/ocikit-dev2 (MAJOR:78)
 * with mknod (CAP_MKNOD): nodes the configuration does not list in
 * `linux.devices`, so that nothing but the rules decides their access. Runs
 * `entries` and gives each one's verdict.
 */
async function deviceProbe(
  ctx: CheckContext,
  name: string,
  rules: (major: number) => LinuxDeviceCgroup[],
  entries: (major: number) => Record<string, string>,
  nodes = true,
): Promise<Probed> {
  layoutOf(ctx);
  if (ctx.host.cgroup !== 'v2') requireController(ctx.host, 'devices');
  const major = unusedCharMajor();
  const script = entries(major);
  const list: LinuxDeviceCgroup[] = [{ allow: false, access: 'rwm' }, ...(nodes ? [{ allow: true, type: 'c', major, access: 'm' }] : []), ...rules(major)];
  const make = `mknod ${NODE} c ${major} ${MINOR} && mknod ${NODE2} c ${major} ${MINOR + 1} && echo made`;
  const bundle = ctx.bundle(name, {
    script: probeScript(nodes ? { nodes: make, ...script } : script),
    patch: (spec) => {
      (spec.linux!.resources ??= {}).devices = list;
      const c = spec.process!.capabilities!;
      for (const set of ['bounding', 'effective', 'permitted'] as const) c[set] = [...new Set([...(c[set] ?? []), 'CAP_MKNOD'])];
    },
  });
  const s = await readProbe(ctx, bundle);
  if (nodes && s('nodes').trim().split('\n').pop() !== 'made') fail(`expected mknod of c ${major}:${MINOR} and c ${major}:${MINOR + 1} to succeed under the rule allow c ${major}:* m (with CAP_MKNOD), found ${JSON.stringify(s('nodes').trim())}`, { expected: 'made', actual: s('nodes').trim() });
  const raw = Object.fromEntries(Object.keys(script).map((k) => [k, s(k).trim()]));
  return { major, rules: list.map(showRule).join(', '), verdicts: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, verdict(v)])), raw };
}

/** Fail unless every access got its expected verdict. */
function expectVerdicts(got: Probed, want: Record<string, 'denied' | 'allowed'>): string {
  const wrong = Object.keys(want).filter((k) => got.verdicts[k] !== want[k]);
  if (wrong.length) {
    fail(`expected ${wrong.map((k) => `${k} ${want[k]}`).join(', ')} under the rules ${got.rules}, found ${wrong.map((k) => `${k} ${got.verdicts[k]} (${JSON.stringify(got.raw[k])})`).join(', ')}`, { expected: want, actual: got.verdicts });
  }
  return `${Object.entries(want).map(([k, v]) => `${k} ${v}`).join(', ')} under ${got.rules}`;
}

const DEV_REF = specRef('config-linux.md', 'allowed-device-list');

const deviceChecks: Check[] = [
  {
    id: 'devices.cgroup-deny',
    level: 'MUST',
    ref: DEV_REF,
    text: '`devices` (array of objects, OPTIONAL) configures the allowed device list; the runtime MUST apply entries in the listed order (a device denied by `{"allow": false, "access": "rwm"}` cannot be read or written).',
    async run(ctx) {
      const got = await deviceProbe(ctx, 'devices-deny', () => [], () => ({ read: TRY.read(NODE), write: TRY.write(NODE) }));
      const seen = expectVerdicts(got, { read: 'denied', write: 'denied' });
      return `c ${got.major}:${MINOR}: ${seen} ("Operation not permitted")`;
    },
  },
  {
    id: 'devices.cgroup-allow',
    level: 'MUST',
    ref: DEV_REF,
    text: 'The runtime MUST apply entries in the listed order: an `allow` entry after `{"allow": false, "access": "rwm"}` lets the container open that device.',
    async run(ctx) {
      const got = await deviceProbe(ctx, 'devices-allow', (major) => [{ allow: true, type: 'c', major, minor: MINOR, access: 'rw' }], () => ({ read: TRY.read(NODE), write: TRY.write(NODE), other: TRY.read(NODE2) }));
      const seen = expectVerdicts(got, { read: 'allowed', write: 'allowed', other: 'denied' });
      return `${seen} (an allowed open reaches the kernel's ENXIO: no driver has the major)`;
    },
  },
  {
    id: 'devices.cgroup-access',
    level: 'MUST',
    ref: DEV_REF,
    text: '`access` (string, OPTIONAL) - cgroup permissions for device. A composition of `r` (read), `w` (write), and `m` (mknod).',
    async run(ctx) {
      const got = await deviceProbe(ctx, 'devices-access', (major) => [{ allow: true, type: 'c', major, minor: MINOR, access: 'r' }], () => ({ read: TRY.read(NODE), write: TRY.write(NODE) }));
      return expectVerdicts(got, { read: 'allowed', write: 'denied' });
    },
  },
  {
    id: 'devices.cgroup-order',
    level: 'MUST',
    ref: DEV_REF,
    text: 'The runtime MUST apply entries in the listed order.',
    async run(ctx) {
      const entries = () => ({ read: TRY.read(NODE), write: TRY.write(NODE) });
      const denyLast = await deviceProbe(ctx, 'devices-order-deny-last', (major) => [{ allow: true, type: 'c', major, minor: MINOR, access: 'rw' }, { allow: false, type: 'c', major, minor: MINOR, access: 'w' }], entries);
      const a = expectVerdicts(denyLast, { read: 'allowed', write: 'denied' });
      const allowLast = await deviceProbe(ctx, 'devices-order-allow-last', (major) => [{ allow: false, type: 'c', major, minor: MINOR, access: 'w' }, { allow: true, type: 'c', major, minor: MINOR, access: 'rw' }], entries);
      const b = expectVerdicts(allowLast, { read: 'allowed', write: 'allowed' });
      return `${a}; ${b}`;
    },
  },
  {
    id: 'devices.cgroup-wildcard',
    level: 'MUST',
    ref: DEV_REF,
    text: '`major, minor` (int64, OPTIONAL) - major, minor numbers for the device. Unset values mean "all", mapping to `*` in the filesystem API.',
    async run(ctx) {
      const got = await deviceProbe(ctx, 'devices-wildcard', (major) => [{ allow: true, type: 'c', major, access: 'r' }], () => ({ [`read-${MINOR}`]: TRY.read(NODE), [`read-${MINOR + 1}`]: TRY.read(NODE2) }));
      return expectVerdicts(got, { [`read-${MINOR}`]: 'allowed', [`read-${MINOR + 1}`]: 'allowed' });
    },
  },
  {
    id: 'devices.cgroup-mknod',
    level: 'MUST',
    ref: DEV_REF,
    text: 'The runtime MUST apply entries in the listed order; `m` (mknod) in `access` lets the container make the device node, its absence does not (with CAP_MKNOD).',
    async run(ctx) {
      const mk = (major: number, minor: number) => `mknod /dev/ocikit-made-${minor} c ${major} ${minor} && echo made`;
      const got = await deviceProbe(ctx, 'devices-mknod', (major) => [{ allow: true, type: 'c', major, minor: MINOR, access: 'm' }], (major) => ({ [`mknod-${MINOR}`]: mk(major, MINOR), [`mknod-${MINOR + 1}`]: mk(major, MINOR + 1) }), false);
      return expectVerdicts(got, { [`mknod-${MINOR}`]: 'allowed', [`mknod-${MINOR + 1}`]: 'denied' });
    },
  },
  {
    id: 'devices.cgroup-list',
    level: 'MUST',
    ref: DEV_REF,
    text: 'The runtime MUST apply entries in the listed order (cgroup v1: the container cgroup\'s devices.list holds the allowed entries, and no `a *:* rwm`).',
    async run(ctx) {
      if (layoutOf(ctx) === 'v2') skip('host: cgroup v2 has no devices.list (the device controller is an eBPF program)');
      requireController(ctx.host, 'devices');
      const major = unusedCharMajor();
      const rules: LinuxDeviceCgroup[] = [
        { allow: true, type: 'c', major, minor: MINOR, access: 'rwm' },
        { allow: true, type: 'b', major, minor: MINOR, access: 'rw' },
        { allow: true, type: 'c', major, minor: MINOR + 1, access: 'r' },
      ];
      const bundle = ctx.bundle('devices-list', {
        script: `${CGF}; ${probeScript({ list: 'cgf devices devices.list' })}`,
        patch: (spec) => void ((spec.linux!.resources ??= {}).devices = [{ allow: false, access: 'rwm' }, ...rules]),
      });
      const got = cgfResult((await readProbe(ctx, bundle))('list'), 'devices.list');
      const lines = got.value.split('\n').map((l) => l.trim());
      const want = rules.map((r) => `${r.type} ${r.major}:${r.minor} ${r.access}`);
      const missing = want.filter((w) => !lines.includes(w));
      if (missing.length || lines.includes('a *:* rwm')) fail(`expected devices.list with ${want.join(', ')} and without a *:* rwm, found ${JSON.stringify(got.value)}`, { expected: want, actual: lines });
      return `${want.join(', ')} in ${got.file} (read inside the container)`;
    },
  },
];

export const RESOURCE_CHECKS: readonly Check[] = [...knobChecks, pidsZero, hugepageInvalid, networkPriorities, ...unifiedChecks, ...pathChecks, ...deviceChecks];
