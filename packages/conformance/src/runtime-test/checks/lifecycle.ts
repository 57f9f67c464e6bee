/**
 * The lifecycle as observed through the runtime's own operations
 * (runtime-spec `runtime.md`, "Lifecycle" and "Operations"). Statuses are only
 * asserted where the check is about them; elsewhere the harness knows where
 * the container is from its own sequence and the container's output.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@ocikit/runtime-spec';
import type { Bundle, Check, CheckContext } from '../check.js';
import { describeCall, isObject, sleep, type CallRecord } from '../driver.js';
import { fail } from '../errors.js';
import { advance, cliRef, containerCgroupDirs, create, expectError, expectSuccess, killAndWait, launch, sleeper, SLEEPER_ARGS, specRef, stateOk, waitForOutput, type Stage } from './common.js';

/**
 * "Upon successful completion of this operation the `status` property of
 * this container MUST be `want`": `op` on a sleeper that `launch` takes to
 * `stage`; `when` names that moment in the failure message.
 */
function statusAfter(op: 'create' | 'start', stage: Stage, want: string, when: string): Check {
  return {
    id: `lifecycle.${op}-status`,
    level: 'MUST',
    ref: specRef('runtime.md', op),
    text: `Upon successful completion of this operation the \`status\` property of this container MUST be \`${want}\`.`,
    async run(ctx) {
      const { id } = await launch(ctx, sleeper(ctx, `${op}-status`), stage);
      const status = (await stateOk(ctx, id))['status'];
      if (status !== want) fail(`expected status ${JSON.stringify(want)} ${when}, found ${JSON.stringify(status)}`, { expected: want, actual: status });
      return `status "${want}" after ${op}`;
    },
  };
}

/** "Attempting to `op` a container that does not exist MUST generate an error": `call` makes the attempt. */
function unknownId(op: string, anchor: string, text: string, call: (ctx: CheckContext, id: string) => Promise<CallRecord>): Check {
  return {
    id: `lifecycle.${op}-unknown`,
    standalone: true,
    level: 'MUST',
    ref: specRef('runtime.md', anchor),
    text,
    async run(ctx) {
      expectError(await call(ctx, ctx.newId()), `${op} of an unknown ID`);
      return `${op} of an unknown ID failed`;
    },
  };
}

/** How many times the sleeper's program started (its `ready` lines). */
function readyCount(bundle: Bundle): number {
  return bundle.output().split('\n').filter((l) => l === 'ready').length;
}

function pidAlive(pid: unknown): boolean {
  return typeof pid === 'number' && pid > 0 && existsSync(`/proc/${pid}`);
}

function cmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

export const LIFECYCLE_CHECKS: readonly Check[] = [
  statusAfter('create', 'created', 'created', 'after create'),
  {
    id: 'lifecycle.create-not-run',
    level: 'MUST',
    ref: specRef('runtime.md', 'create'),
    text: 'This means that all of the resources associated with the container MUST be created, however, the user-specified program MUST NOT be run at this time.',
    async run(ctx) {
      const { bundle } = await launch(ctx, ctx.bundle('create-not-run', { script: 'echo program-ran' }));
      await sleep(300);
      const out = bundle.output();
      if (out.includes('program-ran')) fail('expected the program not to run before start, found its output after create', { expected: '', actual: out });
      return 'no program output 300 ms after create';
    },
  },
  {
    id: 'lifecycle.start-runs',
    level: 'MUST',
    ref: specRef('runtime.md', 'start'),
    text: 'This operation MUST run the user-specified program as specified by `process`.',
    async run(ctx) {
      const { bundle } = await launch(ctx, ctx.bundle('start-runs', { script: 'echo program-ran' }), 'started');
      await waitForOutput(bundle, 'program-ran', ctx.timeoutMs);
      return 'the program ran after start';
    },
  },
  statusAfter('start', 'ready', 'running', 'while the program runs'),
  {
    id: 'lifecycle.stopped-status',
    level: 'MUST',
    ref: specRef('runtime.md', 'kill'),
    text: 'When the process in the container is stopped, irrespective of it being as a result of a `kill` operation or any other reason, the `status` property of this container MUST be `stopped`.',
    async run(ctx) {
      await launch(ctx, ctx.bundle('stopped-status-exit', { script: 'echo ran' }), 'stopped');
      const { id } = await launch(ctx, sleeper(ctx, 'stopped-status-kill'), 'ready');
      await killAndWait(ctx, id);
      return 'status "stopped" after the program exited and after kill KILL';
    },
  },
  {
    id: 'lifecycle.kill-signal',
    level: 'MUST',
    ref: specRef('runtime.md', 'kill'),
    text: 'This operation MUST send the specified signal to the process in the container.',
    async run(ctx) {
      const { id, bundle } = await launch(ctx, ctx.bundle('kill-signal', { script: "trap 'echo got-usr1; exit 0' USR1; echo ready; while :; do sleep 0.1; done" }), 'ready');
      expectSuccess(await ctx.driver.kill(id, 'USR1'), 'kill USR1');
      await waitForOutput(bundle, 'got-usr1', ctx.timeoutMs);
      return 'the process trapped SIGUSR1';
    },
  },
  {
    id: 'lifecycle.start-started',
    level: 'MUST',
    ref: specRef('runtime.md', 'start'),
    text: 'Attempting to start an already started container MUST have no effect on the container and MUST generate an error.',
    async run(ctx) {
      const { id, bundle } = await launch(ctx, sleeper(ctx, 'start-started'), 'ready');
      const before = await stateOk(ctx, id);
      expectError(await ctx.driver.start(id), 'start of a running container');
      await sleep(200);
      const after = await stateOk(ctx, id);
      if (after['status'] !== before['status'] || after['pid'] !== before['pid']) {
        fail('expected start of a running container to have no effect, found its state changed', { expected: before, actual: after });
      }
      const runs = readyCount(bundle);
      if (runs !== 1) fail(`expected the program to run once, found it ran ${runs} times`, { expected: 1, actual: runs });
      await killAndWait(ctx, id);
      expectError(await ctx.driver.start(id), 'start of a stopped container');
      await sleep(200);
      const end = await stateOk(ctx, id);
      if (end['status'] !== 'stopped') fail(`expected start of a stopped container to have no effect, found status ${JSON.stringify(end['status'])}`, { expected: 'stopped', actual: end['status'] });
      const reruns = readyCount(bundle);
      if (reruns !== 1) fail(`expected start of a stopped container not to run the program again, found it ran ${reruns} times`, { expected: 1, actual: reruns });
      return 'start of a running and of a stopped container failed and changed nothing';
    },
  },
  {
    id: 'lifecycle.delete-running',
    level: 'MUST',
    ref: specRef('runtime.md', 'delete'),
    text: 'Attempting to delete a container whose process is still running MUST generate an error.',
    async run(ctx) {
      const { id } = await launch(ctx, sleeper(ctx, 'delete-running'), 'ready');
      const before = await stateOk(ctx, id);
      expectError(await ctx.driver.delete(id), 'delete of a running container');
      const after = await ctx.driver.state(id);
      if (after.call.code !== 0) fail('expected the failed delete to leave the container, found state no longer knows it', { expected: 'container exists', actual: describeCall(after.call) });
      if (!pidAlive(before['pid'])) fail(`expected the container process ${String(before['pid'])} to survive the failed delete, found it gone`);
      return 'delete of a running container failed and left it running';
    },
  },
  {
    id: 'lifecycle.kill-stopped',
    level: 'MUST',
    ref: specRef('runtime.md', 'kill'),
    text: 'Attempting to send a signal to a container that is neither `created` nor `running` MUST have no effect on the container and MUST generate an error.',
    async run(ctx) {
      const { id } = await launch(ctx, ctx.bundle('kill-stopped', { script: 'echo ran' }), 'stopped');
      expectError(await ctx.driver.kill(id, 'KILL'), 'kill of a stopped container');
      const after = await stateOk(ctx, id);
      if (after['status'] !== 'stopped') fail(`expected the container to stay stopped, found ${JSON.stringify(after['status'])}`, { expected: 'stopped', actual: after['status'] });
      return 'kill of a stopped container failed';
    },
  },
  {
    id: 'lifecycle.delete-removes',
    level: 'MUST',
    ref: specRef('runtime.md', 'delete'),
    text: 'Deleting a container MUST delete the resources that were created during the `create` step.',
    async run(ctx) {
      const { id } = await launch(ctx, sleeper(ctx, 'delete-removes'), 'ready');
      const pid = (await stateOk(ctx, id))['pid'];
      // The cgroups the runtime made for the container are resources of create.
      const cgroups = typeof pid === 'number' ? containerCgroupDirs(pid) : [];
      await killAndWait(ctx, id);
      expectSuccess(await ctx.driver.delete(id), 'delete of a stopped container');
      const after = await ctx.driver.state(id);
      if (after.call.code === 0) fail('expected state of a deleted container to generate an error, found exit 0', { expected: 'error', actual: after.call.stdout.slice(0, 300) });
      const left = cgroups.filter((d) => existsSync(d));
      if (left.length) fail(`expected the container's cgroups removed, found ${left.join(', ')}`, { expected: [], actual: left });
      // "Once a container is deleted its ID MAY be used by a subsequent container."
      const reuse = await create(ctx, id, sleeper(ctx, 'delete-removes-reuse'));
      return `state no longer knows the container, ${cgroups.length} cgroup(s) removed${reuse.code === 0 ? '; its ID could be reused' : ''}`;
    },
  },
  {
    id: 'lifecycle.delete-keeps-bundle',
    level: 'MUST',
    ref: specRef('runtime.md', 'delete'),
    text: 'Note that resources associated with the container, but not created by this container, MUST NOT be deleted.',
    async run(ctx) {
      const bundle = ctx.bundle('delete-keeps-bundle', { script: 'echo ran' });
      const config = readFileSync(bundle.configPath, 'utf8');
      const rootfs = String(bundle.spec.root?.path);
      const entries = readdirSync(rootfs).sort();
      const { id } = await launch(ctx, bundle, 'stopped');
      expectSuccess(await ctx.driver.delete(id), 'delete of a stopped container');
      if (!existsSync(bundle.configPath) || readFileSync(bundle.configPath, 'utf8') !== config) fail('expected config.json to survive delete unchanged, found it removed or changed');
      const left = existsSync(rootfs) ? readdirSync(rootfs).sort() : [];
      const lost = entries.filter((e) => !left.includes(e));
      if (lost.length) fail(`expected the root filesystem to survive delete, found ${lost.join(', ')} gone`, { expected: entries, actual: left });
      return 'bundle, config.json and root filesystem survived delete';
    },
  },
  {
    id: 'lifecycle.config-after-create',
    level: 'MUST',
    ref: specRef('runtime.md', 'lifecycle'),
    text: 'Any updates to `config.json` after this step MUST NOT affect the container.',
    async run(ctx) {
      const container = await launch(ctx, ctx.bundle('config-after-create', { script: 'echo "args=original env=$OCIKIT_PHASE"', configure: (b) => b.env('OCIKIT_PHASE', 'original') }));
      const { bundle } = container;
      const edited = structuredClone(bundle.spec);
      edited.process!.args = ['sh', '-c', 'echo "args=edited env=$OCIKIT_PHASE"'];
      edited.process!.env = (edited.process!.env ?? []).map((e) => (e.startsWith('OCIKIT_PHASE=') ? 'OCIKIT_PHASE=edited' : e));
      bundle.write(edited);
      await advance(ctx, container, 'started');
      const out = await waitForOutput(bundle, 'args=', ctx.timeoutMs);
      const line = out.split('\n').find((l) => l.startsWith('args=')) ?? '';
      if (line !== 'args=original env=original') fail('expected the program and environment given at create, found the edited config.json in effect', { expected: 'args=original env=original', actual: line });
      return 'edits to config.json after create had no effect';
    },
  },
  {
    id: 'lifecycle.duplicate-id',
    level: 'MUST',
    ref: specRef('runtime.md', 'create'),
    text: 'If the ID provided is not unique across all containers within the scope of the runtime, or is not valid in any other way, the implementation MUST generate an error and a new container MUST NOT be created.',
    async run(ctx) {
      const { id } = await launch(ctx, sleeper(ctx, 'duplicate-id-first'));
      const before = await stateOk(ctx, id);
      expectError(await create(ctx, id, ctx.bundle('duplicate-id-second', { script: 'echo second-ran' })), 'create with an ID already in use');
      const after = await stateOk(ctx, id);
      if (after['bundle'] !== before['bundle'] || after['pid'] !== before['pid']) fail('expected the existing container to be unchanged, found its state changed', { expected: before, actual: after });
      return 'a second create with the same ID failed and left the first container alone';
    },
  },
  {
    id: 'lifecycle.create-error',
    level: 'MUST',
    ref: specRef('runtime.md', 'create'),
    text: 'If the runtime cannot create the container as specified in `config.json`, it MUST generate an error and a new container MUST NOT be created.',
    async run(ctx) {
      const bundle = ctx.bundle('create-error', {
        script: 'echo should-not-run',
        configure: (b) => b.mount('/ocikit/missing', path.join('/nonexistent', `ocikit-${ctx.newId()}`), { options: ['rbind', 'ro'] }),
      });
      const id = ctx.newId();
      expectError(await create(ctx, id, bundle), 'create with a bind mount of a missing source');
      const after = await ctx.driver.state(id);
      if (after.call.code === 0) fail('expected no container after the failed create, found state reports one', { expected: 'error', actual: after.call.stdout.slice(0, 300) });
      return 'create failed and left no container';
    },
  },
  unknownId('state', 'query-state', 'Attempting to query a container that does not exist MUST generate an error.', async (ctx, id) => (await ctx.driver.state(id)).call),
  unknownId('start', 'start', 'Attempting to start a container that does not exist MUST generate an error.', (ctx, id) => ctx.driver.start(id)),
  unknownId('kill', 'kill', 'Attempting to send a signal to a container that is neither `created` nor `running` MUST have no effect on the container and MUST generate an error.', (ctx, id) => ctx.driver.kill(id, 'KILL')),
  unknownId('delete', 'delete', 'Attempting to delete a container that does not exist MUST generate an error.', (ctx, id) => ctx.driver.delete(id)),
];

export const STATE_CHECKS: readonly Check[] = [
  {
    id: 'state.valid',
    level: 'MUST',
    ref: specRef('runtime.md', 'query-state'),
    text: 'This operation MUST return the state of a container as specified in the State section.',
    async run(ctx) {
      const container = await launch(ctx, sleeper(ctx, 'state-valid'));
      const id = container.id;
      const problems: string[] = [];
      const check = (phase: string, state: Record<string, unknown>) => {
        const r = validate('runtime-state', state, { level: 'MUST' });
        for (const e of r.errors) problems.push(`${phase}: ${e.path || '(document)'}: ${e.message}`);
        if (state['id'] !== id) problems.push(`${phase}: expected id ${JSON.stringify(id)}, found ${JSON.stringify(state['id'])}`);
      };
      check('after create', await stateOk(ctx, id));
      await advance(ctx, container, 'ready');
      check('while running', await stateOk(ctx, id));
      check('after the process exited', await killAndWait(ctx, id));
      if (problems.length) fail(`expected a valid state with the container's id, found ${problems.length} problem(s): ${problems[0]}`, { expected: 'valid runtime-state', actual: problems });
      return 'state valid after create, while running and after exit';
    },
  },
  {
    id: 'state.bundle',
    level: 'MUST',
    ref: specRef('runtime.md', 'state'),
    text: '`bundle` (string, REQUIRED) is the absolute path to the container\'s bundle directory.',
    async run(ctx) {
      const { id, bundle } = await launch(ctx, sleeper(ctx, 'state-bundle'));
      const state = await stateOk(ctx, id);
      if (state['bundle'] !== bundle.dir) fail(`expected bundle ${JSON.stringify(bundle.dir)}, found ${JSON.stringify(state['bundle'])}`, { expected: bundle.dir, actual: state['bundle'] });
      return `bundle is ${bundle.dir}`;
    },
  },
  {
    id: 'state.pid',
    level: 'MUST',
    ref: specRef('runtime.md', 'state'),
    text: '`pid` (int, REQUIRED when `status` is `created` or `running` on Linux hosts, OPTIONAL on other platforms) is the ID of the container process.',
    async run(ctx) {
      const container = await launch(ctx, sleeper(ctx, 'state-pid'));
      const { id } = container;
      const created = await stateOk(ctx, id);
      if (!pidAlive(created['pid'])) fail(`expected pid of a live host process after create, found ${JSON.stringify(created['pid'])}`, { expected: 'pid of a live process', actual: created['pid'] });
      await advance(ctx, container, 'ready');
      const run = await stateOk(ctx, id);
      const pid = run['pid'];
      if (!pidAlive(pid)) fail(`expected pid of a live host process while running, found ${JSON.stringify(pid)}`, { expected: 'pid of a live process', actual: pid });
      const args = cmdline(pid as number);
      if (JSON.stringify(args) !== JSON.stringify(SLEEPER_ARGS)) fail(`expected pid ${String(pid)} to run the container's program, found ${JSON.stringify(args)}`, { expected: SLEEPER_ARGS, actual: args });
      return `pid ${String(pid)} runs the container's program`;
    },
  },
  {
    id: 'cli.pid-file',
    level: 'MUST',
    ref: cliRef('create'),
    text: '`--pid-file <PATH>` The runtime MUST write the container PID to this path.',
    async run(ctx) {
      const bundle = sleeper(ctx, 'pid-file');
      const pidFile = path.join(bundle.dir, 'container.pid');
      const { id } = await launch(ctx, bundle, 'created', { pidFile });
      const state = await stateOk(ctx, id);
      if (!existsSync(pidFile)) fail('expected the pid file to exist after create, found none', { expected: pidFile, actual: 'missing' });
      const text = readFileSync(pidFile, 'utf8').trim();
      if (!isObject(state) || text !== String(state['pid'])) fail(`expected the pid file to hold the container PID ${String(state['pid'])}, found ${JSON.stringify(text)}`, { expected: String(state['pid']), actual: text });
      return `pid file holds ${text}`;
    },
  },
];
