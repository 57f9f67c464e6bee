/**
 * Live container updates: `update`, `pause` and `resume`, the commands runc
 * and crun offer beyond the OCI runtime-spec (which defines only state,
 * create, start, kill and delete; its first roadmap asked "Should we allow
 * dynamic container updates to runtime options?"; runtime-tools'
 * command-line interface has no such command). The contract checked is
 * runc's, from its man pages runc-update(8), runc-pause(8), runc-resume(8):
 * all checks are MAY, and a runtime without the commands skips them.
 * Effects are read on the host, in the container's cgroup files.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Check, CheckContext } from '../check.js';
import { describeCall, firstLine, sleep, type CallRecord } from '../driver.js';
import { fail, skip } from '../errors.js';
import { requireController } from '../host.js';
import { containerCgroupDirs, expectError, expectSuccess, launch, readIfExists, sleeper, stateOk, waitForOutput, type Container } from './common.js';

const RUNC_MAN = 'https://github.com/opencontainers/runc/blob/v1.1.5/man/';
const BEYOND = 'Beyond the OCI runtime-spec (runc/crun command-line contract): ';

function manRef(page: 'update' | 'pause' | 'resume'): string {
  return `${RUNC_MAN}runc-${page}.8.md`;
}

type Command = 'update' | 'pause' | 'resume';

/**
 * Skip unless the runtime knows `command`: `COMMAND --help` must exit 0 and
 * name the command (asked once per run).
 */
async function requireCommand(ctx: CheckContext, command: Command): Promise<void> {
  const call = await ctx.once(`update:${command}-help`, () => ctx.driver.raw([command, '--help']));
  const text = `${call.stdout}\n${call.stderr}`;
  if (call.error || call.timedOut || call.code !== 0 || !text.toLowerCase().includes(command)) {
    skip(`runtime: no \`${command}\` command (\`${command} --help\`: ${call.error ?? (call.timedOut ? 'timed out' : `exit ${call.code}`)}${firstLine(call.stderr) ? `: ${firstLine(call.stderr)}` : ''})`);
  }
}

/** The freezer: a v1 hierarchy, or cgroup v2 (where `cgroup.freeze` is core, not a listed controller). */
function requireFreezer(ctx: CheckContext): void {
  if (ctx.host.cgroup !== 'v2') requireController(ctx.host, 'freezer');
}

/** The running container's process ID, from its state. */
async function pidOf(ctx: CheckContext, id: string): Promise<number> {
  const pid = (await stateOk(ctx, id))['pid'];
  if (typeof pid !== 'number' || pid <= 0) fail(`expected the pid of a running container in its state, found ${JSON.stringify(pid)}`, { expected: 'pid', actual: pid });
  return pid;
}

/** The first of `names` (v1 then v2 file names) found in the container's cgroup directories, trimmed. */
function cgroupValue(pid: number, names: readonly string[]): { file: string; value: string } | undefined {
  for (const dir of containerCgroupDirs(pid)) {
    for (const name of names) {
      const text = readIfExists(path.join(dir, name));
      if (text !== undefined) return { file: path.join(dir, name), value: text.trim() };
    }
  }
  return undefined;
}

/** `cgroupValue`, failing when the container has none of the files. */
function cgroupValueOk(pid: number, names: readonly string[]): { file: string; value: string } {
  const got = cgroupValue(pid, names);
  if (!got) fail(`expected the container's cgroup to have ${names.join(' or ')}, found none in ${containerCgroupDirs(pid).join(', ') || 'no cgroup of its own'}`, { expected: names, actual: containerCgroupDirs(pid) });
  return got;
}

/** A sleeper created with `resources`, running. */
async function runningWith(ctx: CheckContext, name: string, resources: Record<string, unknown>): Promise<Container & { pid: number }> {
  const bundle = ctx.bundle(name, { args: ['sh', '-c', 'echo ready; sleep 30; echo done'], patch: (spec) => void (spec.linux!.resources = { ...spec.linux!.resources, ...resources }) });
  const container = await launch(ctx, bundle, 'ready');
  return { ...container, pid: await pidOf(ctx, container.id) };
}

/** `update` with a resources file in the bundle's host directory, failing the check when refused. */
async function updateOk(ctx: CheckContext, { id, bundle }: Container, resources: Record<string, unknown>): Promise<CallRecord> {
  return expectSuccess(await ctx.driver.update(id, resources, path.join(bundle.host, 'update-resources.json')), `update --resources of a running container with ${JSON.stringify(resources)}`);
}

/** Compare cgroup values; one line naming every file that differs. */
function expectValues(pid: number, want: Record<string, { names: readonly string[]; value: string | ((v: string) => boolean); show: string }>, what: string): string {
  const problems: string[] = [];
  const found: Record<string, string> = {};
  for (const [key, w] of Object.entries(want)) {
    const got = cgroupValueOk(pid, w.names);
    found[key] = `${path.basename(got.file)}=${got.value}`;
    const ok = typeof w.value === 'string' ? got.value === w.value : w.value(got.value);
    if (!ok) problems.push(`${got.file} is ${JSON.stringify(got.value)} instead of ${w.show}`);
  }
  if (problems.length) fail(`expected ${what} in the container's cgroup after update, found ${problems.join('; ')}`, { expected: Object.fromEntries(Object.entries(want).map(([k, w]) => [k, w.show])), actual: found });
  return Object.values(found).join(', ');
}

/** A container printing `tick` every 50 ms: its output is a counter of how long it ran. */
const TICKER = 'echo ready; while :; do echo tick; sleep 0.05; done';

function ticks(bundle: Bundle): number {
  return bundle.output().split('\n').filter((l) => l === 'tick').length;
}

/** Whether the container's cgroup says frozen: v1 `freezer.state` FROZEN or v2 `cgroup.freeze` 1. */
function frozenState(pid: number): string | undefined {
  const got = cgroupValue(pid, ['freezer.state', 'cgroup.freeze']);
  return got && `${path.basename(got.file)}=${got.value}`;
}

/** A ticker, running, then paused (pause must succeed). */
async function pausedTicker(ctx: CheckContext, name: string): Promise<Container & { pid: number }> {
  const container = await launch(ctx, ctx.bundle(name, { script: TICKER }), 'ready');
  await waitForOutput(container.bundle, 'tick', ctx.timeoutMs);
  const pid = await pidOf(ctx, container.id);
  expectSuccess(await ctx.driver.pause(container.id), 'pause of a running container');
  return { ...container, pid };
}

async function expectStatus(ctx: CheckContext, id: string, want: string, when: string): Promise<void> {
  const status = (await stateOk(ctx, id))['status'];
  if (status !== want) fail(`expected status ${JSON.stringify(want)} ${when}, found ${JSON.stringify(status)}`, { expected: want, actual: status });
}

const MiB = 1024 * 1024;

export const UPDATE_CHECKS: readonly Check[] = [
  {
    id: 'update.memory',
    level: 'MAY',
    ref: manRef('update'),
    text: `${BEYOND}\`update --resources FILE\` sets the memory limit of a running container (runc-update(8): "update container resource constraints").`,
    async run(ctx) {
      await requireCommand(ctx, 'update');
      requireController(ctx.host, 'memory');
      const c = await runningWith(ctx, 'update-memory', { memory: { limit: 64 * MiB } });
      await updateOk(ctx, c, { memory: { limit: 48 * MiB } });
      return expectValues(c.pid, { limit: { names: ['memory.limit_in_bytes', 'memory.max'], value: String(48 * MiB), show: `${48 * MiB} (48 MiB)` } }, 'the updated memory limit');
    },
  },
  {
    id: 'update.pids',
    level: 'MAY',
    ref: manRef('update'),
    text: `${BEYOND}\`update --resources FILE\` sets the pids limit of a running container (runc-update(8) \`--pids-limit\`).`,
    async run(ctx) {
      await requireCommand(ctx, 'update');
      requireController(ctx.host, 'pids');
      const c = await runningWith(ctx, 'update-pids', { pids: { limit: 100 } });
      await updateOk(ctx, c, { pids: { limit: 64 } });
      return expectValues(c.pid, { limit: { names: ['pids.max'], value: '64', show: '64' } }, 'the updated pids limit');
    },
  },
  {
    id: 'update.cpu',
    level: 'MAY',
    ref: manRef('update'),
    text: `${BEYOND}\`update --resources FILE\` sets the CPU shares, CFS quota and period of a running container (runc-update(8) \`--cpu-share\`, \`--cpu-quota\`, \`--cpu-period\`).`,
    async run(ctx) {
      await requireCommand(ctx, 'update');
      requireController(ctx.host, 'cpu');
      const c = await runningWith(ctx, 'update-cpu', { cpu: { shares: 512, quota: 50_000, period: 100_000 } });
      const v2 = cgroupValue(c.pid, ['cpu.max']) !== undefined && cgroupValue(c.pid, ['cpu.cfs_quota_us']) === undefined;
      const weightBefore = v2 ? cgroupValue(c.pid, ['cpu.weight'])?.value : undefined;
      await updateOk(ctx, c, { cpu: { shares: 256, quota: 30_000, period: 200_000 } });
      if (v2) {
        // Shares map to cpu.weight by a runtime-chosen formula: only a lower weight is asked for.
        return expectValues(
          c.pid,
          {
            max: { names: ['cpu.max'], value: '30000 200000', show: '"30000 200000"' },
            weight: { names: ['cpu.weight'], value: (v) => weightBefore === undefined || Number(v) < Number(weightBefore), show: `a weight below ${String(weightBefore)} (shares 512 → 256)` },
          },
          'the updated CPU quota, period and weight',
        );
      }
      return expectValues(
        c.pid,
        {
          shares: { names: ['cpu.shares'], value: '256', show: '256' },
          quota: { names: ['cpu.cfs_quota_us'], value: '30000', show: '30000' },
          period: { names: ['cpu.cfs_period_us'], value: '200000', show: '200000' },
        },
        'the updated CPU shares, quota and period',
      );
    },
  },
  {
    id: 'update.stopped',
    level: 'MAY',
    ref: manRef('update'),
    text: `${BEYOND}\`update\` of a stopped container fails and leaves it stopped: there is no running container whose constraints could change.`,
    async run(ctx) {
      await requireCommand(ctx, 'update');
      const { id, bundle } = await launch(ctx, ctx.bundle('update-stopped', { script: 'echo ran' }), 'stopped');
      expectError(await ctx.driver.update(id, { pids: { limit: 64 } }, path.join(bundle.host, 'update-resources.json')), 'update of a stopped container');
      await expectStatus(ctx, id, 'stopped', 'after the failed update');
      return 'update of a stopped container failed; it stayed stopped';
    },
  },
  {
    id: 'update.pause-status',
    level: 'MAY',
    ref: manRef('pause'),
    text: `${BEYOND}\`pause\` suspends all processes of a running container (runc-pause(8)); \`state\` then reports status \`paused\`.`,
    async run(ctx) {
      await requireCommand(ctx, 'pause');
      requireFreezer(ctx);
      const { id } = await launch(ctx, sleeper(ctx, 'pause-status'), 'ready');
      expectSuccess(await ctx.driver.pause(id), 'pause of a running container');
      await expectStatus(ctx, id, 'paused', 'after pause');
      return 'status "paused" after pause';
    },
  },
  {
    id: 'update.pause-freezes',
    level: 'MAY',
    ref: manRef('pause'),
    text: `${BEYOND}\`pause\` suspends all processes of the container (runc-pause(8)): they stop running and the container's freezer cgroup is frozen.`,
    async run(ctx) {
      await requireCommand(ctx, 'pause');
      requireFreezer(ctx);
      const { bundle, pid } = await pausedTicker(ctx, 'pause-freezes');
      await sleep(200); // a tick already under way may still land
      const before = ticks(bundle);
      await sleep(600);
      const after = ticks(bundle);
      if (after !== before) fail(`expected the paused process to stop printing, found ${after - before} more ticks in 600 ms`, { expected: before, actual: after });
      const frozen = frozenState(pid);
      if (frozen !== 'freezer.state=FROZEN' && frozen !== 'cgroup.freeze=1') fail(`expected the container's cgroup frozen (freezer.state FROZEN or cgroup.freeze 1), found ${frozen ?? 'no freezer file'}`, { expected: 'FROZEN or 1', actual: frozen });
      return `no ticks in 600 ms while paused; ${frozen}`;
    },
  },
  {
    id: 'update.resume',
    level: 'MAY',
    ref: manRef('resume'),
    text: `${BEYOND}\`resume\` resumes all processes of a paused container (runc-resume(8)); \`state\` then reports status \`running\` and the processes run again.`,
    async run(ctx) {
      await requireCommand(ctx, 'pause');
      await requireCommand(ctx, 'resume');
      requireFreezer(ctx);
      const { id, bundle, pid } = await pausedTicker(ctx, 'resume');
      await sleep(200);
      const paused = ticks(bundle);
      expectSuccess(await ctx.driver.resume(id), 'resume of a paused container');
      await expectStatus(ctx, id, 'running', 'after resume');
      const deadline = Date.now() + ctx.timeoutMs;
      while (ticks(bundle) <= paused + 2 && Date.now() < deadline) await sleep(50);
      const resumed = ticks(bundle);
      if (resumed <= paused + 2) fail(`expected the process to run again after resume, found ${resumed - paused} new ticks in ${ctx.timeoutMs} ms`, { expected: `more than ${paused + 2} ticks`, actual: resumed });
      const frozen = frozenState(pid);
      if (frozen === 'freezer.state=FROZEN' || frozen === 'cgroup.freeze=1') fail(`expected the container's cgroup thawed after resume, found ${frozen}`, { expected: 'THAWED or 0', actual: frozen });
      return `status "running" and ${resumed - paused} new ticks after resume${frozen ? `; ${frozen}` : ''}`;
    },
  },
  {
    id: 'update.resume-running',
    level: 'MAY',
    ref: manRef('resume'),
    text: `${BEYOND}\`resume\` of a container that is not paused fails and leaves it running.`,
    async run(ctx) {
      await requireCommand(ctx, 'resume');
      requireFreezer(ctx);
      const { id } = await launch(ctx, sleeper(ctx, 'resume-running'), 'ready');
      expectError(await ctx.driver.resume(id), 'resume of a running container that is not paused');
      await expectStatus(ctx, id, 'running', 'after the failed resume');
      return 'resume of a running container failed; it stayed running';
    },
  },
  {
    id: 'update.pause-stopped',
    level: 'MAY',
    ref: manRef('pause'),
    text: `${BEYOND}\`pause\` of a stopped container fails and leaves it stopped: it has no process to suspend.`,
    async run(ctx) {
      await requireCommand(ctx, 'pause');
      const { id } = await launch(ctx, ctx.bundle('pause-stopped', { script: 'echo ran' }), 'stopped');
      expectError(await ctx.driver.pause(id), 'pause of a stopped container');
      await expectStatus(ctx, id, 'stopped', 'after the failed pause');
      return 'pause of a stopped container failed; it stayed stopped';
    },
  },
  {
    id: 'update.paused-delete',
    level: 'MAY',
    ref: manRef('pause'),
    text: `${BEYOND}A paused container is not stopped: \`delete\` fails and leaves it paused, \`delete --force\` removes it, its processes and its cgroups.`,
    async run(ctx) {
      await requireCommand(ctx, 'pause');
      requireFreezer(ctx);
      const { id, pid } = await pausedTicker(ctx, 'paused-delete');
      const cgroups = containerCgroupDirs(pid);
      expectError(await ctx.driver.delete(id), 'delete of a paused container');
      await expectStatus(ctx, id, 'paused', 'after the failed delete');
      expectSuccess(await ctx.driver.delete(id, { force: true }), 'delete --force of a paused container');
      const after = await ctx.driver.state(id);
      if (after.call.code === 0) fail('expected state of the force-deleted container to generate an error, found exit 0', { expected: 'error', actual: after.call.stdout.slice(0, 300) });
      const deadline = Date.now() + ctx.timeoutMs;
      while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await sleep(20);
      if (existsSync(`/proc/${pid}`)) fail(`expected the container process ${pid} gone after delete --force, found it alive`, { expected: 'no process', actual: pid });
      const left = cgroups.filter((d) => existsSync(d));
      if (left.length) fail(`expected the container's cgroups removed by delete --force, found ${left.join(', ')}`, { expected: [], actual: left });
      return `delete failed, delete --force removed the container, its process and ${cgroups.length} cgroup(s)`;
    },
  },
  {
    id: 'update.paused-kill',
    level: 'MAY',
    ref: manRef('pause'),
    text: `${BEYOND}A signal sent with \`kill\` to a paused container takes effect at the latest when it is resumed: \`kill KILL\` then \`resume\` leaves it \`stopped\`.`,
    async run(ctx) {
      await requireCommand(ctx, 'pause');
      await requireCommand(ctx, 'resume');
      requireFreezer(ctx);
      const { id, pid } = await pausedTicker(ctx, 'paused-kill');
      const kill = await ctx.driver.kill(id, 'KILL');
      if (kill.timedOut) fail('expected kill KILL of a paused container to return, found it still running after the timeout', { expected: 'exit', actual: 'timeout' });
      // The kill may already have stopped it (cgroup v2 freezer): resume then has nothing to do.
      const resume = await ctx.driver.resume(id);
      await ctx.driver.waitForStatus(id, ['stopped']);
      const deadline = Date.now() + ctx.timeoutMs;
      while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await sleep(20);
      if (existsSync(`/proc/${pid}`)) fail(`expected the container process ${pid} gone after kill KILL and resume, found it alive`, { expected: 'no process', actual: pid });
      return `stopped after kill KILL (${describeCall(kill)}) and resume (${describeCall(resume)})`;
    },
  },
];
