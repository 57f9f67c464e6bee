/**
 * Lifecycle, state and process assertions of runtime-tools' validation
 * programs (create, kill, kill_no_effect, killsig, delete, delete_resources,
 * delete_only_create_resources, start, misc_props, hooks_stdin,
 * process_user) that the checks of ./lifecycle.ts, ./hooks.ts and
 * ./process.ts do not make.
 */
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Check, CheckContext } from '../check.js';
import { describeCall, isObject, sleep } from '../driver.js';
import { fail, skip } from '../errors.js';
import { requireController } from '../host.js';
import { cgroupMounts, create, expectError, expectSame, expectSuccess, hostNamespace, launch, procStatus, readIfExists, sleeper, specRef, stateOk, waitForOutput } from './common.js';
import { probe } from './probe.js';

/** The PID of a created or running container, from its state. */
async function pidOf(ctx: CheckContext, id: string): Promise<number> {
  const pid = (await stateOk(ctx, id))['pid'];
  if (typeof pid !== 'number' || pid <= 0) fail(`expected the pid of the container process in its state, found ${JSON.stringify(pid)}`, { expected: 'pid', actual: pid });
  return pid;
}

/**
 * Mount point of the cgroup hierarchy holding `controller` (v1), or of
 * cgroup v2 on a v2-only host; the check is skipped when the host has none.
 */
function controllerHierarchy(ctx: CheckContext, controller: string): string {
  requireController(ctx.host, controller);
  const mount = ctx.host.cgroup === 'v2' ? ctx.host.cgroupV2Mount : cgroupMounts().find((m) => m.fsType === 'cgroup' && m.root === '/' && m.superOptions.includes(controller))?.mountPoint;
  if (mount === undefined) skip(`host: no ${controller} cgroup hierarchy mounted at its root`);
  return mount;
}

/** Remove a cgroup the check made, moving any process still in it to the hierarchy's root first. */
function removeCgroup(mount: string, dir: string): void {
  for (const pid of (readIfExists(path.join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)) {
    try {
      writeFileSync(path.join(mount, 'cgroup.procs'), pid);
    } catch {
      // the process exited meanwhile
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // already gone
  }
}

const ANNOTATIONS = { 'com.example.ocikit-empty': '', 'org.opencontainers.ocikit.test': 'state annotations' };

/** An object with its keys sorted (a map compares equal whatever order the runtime wrote it in). */
function sorted(v: unknown): unknown {
  return isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v;
}

export const LIFECYCLE_EXTRA_CHECKS: readonly Check[] = [
  {
    id: 'lifecycle.missing-id',
    level: 'MUST',
    ref: specRef('runtime.md', 'operations'),
    text: 'This operation MUST generate an error if it is not provided the container ID (state, create, start, kill and delete).',
    async run(ctx) {
      const bundle = sleeper(ctx, 'missing-id');
      const calls = [
        await ctx.driver.raw(['state']),
        await ctx.driver.raw(['create', '--bundle', bundle.dir]),
        await ctx.driver.raw(['start']),
        await ctx.driver.raw(['kill']),
        await ctx.driver.raw(['delete']),
      ];
      const ok = calls.filter((c) => c.code === 0 || c.timedOut);
      if (ok.length) fail(`expected every operation without a container ID to generate an error, found ${ok.map(describeCall).join('; ')}`, { expected: 'non-zero exit', actual: ok.map((c) => c.args.join(' ')) });
      return `state, create, start, kill and delete without an ID failed (exit ${calls.map((c) => c.code).join(', ')})`;
    },
  },
  {
    id: 'lifecycle.start-no-process',
    level: 'MUST',
    ref: specRef('runtime.md', 'start'),
    text: 'This operation MUST generate an error if `process` was not set.',
    async run(ctx) {
      const bundle = ctx.bundle('start-no-process', { patch: (spec) => void delete spec.process });
      const id = ctx.newId();
      const made = await create(ctx, id, bundle);
      if (made.timedOut) fail('expected create without process to return, found it still running after the timeout', { expected: 'exit', actual: 'timeout' });
      if (made.code !== 0) return `create without process already failed (${describeCall(made)})`;
      expectError(await ctx.driver.start(id), 'start of a container without process');
      return 'create accepted a config without process; start failed';
    },
  },
  {
    id: 'lifecycle.kill-created',
    level: 'MUST',
    ref: specRef('runtime.md', 'kill'),
    text: 'This operation MUST send the specified signal to the container process (here a `created` one: "neither `created` nor `running`" is what fails).',
    async run(ctx) {
      const { id, bundle } = await launch(ctx, ctx.bundle('kill-created', { script: 'echo program-ran' }));
      const pid = await pidOf(ctx, id);
      expectSuccess(await ctx.driver.kill(id, 'KILL'), 'kill KILL of a created container');
      await ctx.driver.waitForStatus(id, ['stopped']);
      const deadline = Date.now() + ctx.timeoutMs;
      while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await sleep(20);
      if (existsSync(`/proc/${pid}`) && !(readIfExists(`/proc/${pid}/status`) ?? '').includes('zombie')) fail(`expected the container process ${pid} killed, found it alive`, { expected: 'no process', actual: pid });
      if (bundle.output().includes('program-ran')) fail('expected the killed created container never to run its program, found its output');
      return 'kill KILL of a created container succeeded; status "stopped", program never ran';
    },
  },
  {
    id: 'lifecycle.kill-signals',
    level: 'MUST',
    ref: specRef('runtime.md', 'kill'),
    text: 'This operation MUST send the specified signal to the container process (TERM, USR1 and USR2, each trapped by the process).',
    async run(ctx) {
      const script = "for s in TERM USR1 USR2; do trap \"echo got-$s\" $s; done; echo ready; while :; do sleep 0.1; done";
      const { id, bundle } = await launch(ctx, ctx.bundle('kill-signals', { script }), 'ready');
      for (const signal of ['TERM', 'USR1', 'USR2']) {
        expectSuccess(await ctx.driver.kill(id, signal), `kill ${signal}`);
        await waitForOutput(bundle, `got-${signal}`, ctx.timeoutMs);
      }
      return 'the process trapped SIGTERM, SIGUSR1 and SIGUSR2';
    },
  },
  {
    id: 'lifecycle.kill-stopped-unchanged',
    level: 'MUST',
    ref: specRef('runtime.md', 'kill'),
    text: 'Attempting to send a signal to a container that is neither `created` nor `running` MUST have no effect on the container (its whole state is unchanged).',
    async run(ctx) {
      const { id } = await launch(ctx, ctx.bundle('kill-stopped-unchanged', { script: 'echo ran' }), 'stopped');
      const before = await stateOk(ctx, id);
      await ctx.driver.kill(id, 'KILL');
      await sleep(100);
      const after = await stateOk(ctx, id);
      expectSame(after, before, 'expected kill of a stopped container to leave its state unchanged, found it changed');
      return 'state of the stopped container identical before and after kill';
    },
  },
  {
    id: 'lifecycle.delete-created',
    level: 'MUST',
    ref: specRef('runtime.md', 'delete'),
    text: 'Attempting to `delete` a container that is not `stopped` MUST have no effect on the container and MUST generate an error (here a `created` one).',
    async run(ctx) {
      const { id } = await launch(ctx, sleeper(ctx, 'delete-created'));
      const pid = await pidOf(ctx, id);
      const call = await ctx.driver.delete(id);
      const after = await ctx.driver.state(id);
      const status = isObject(after.state) ? after.state['status'] : undefined;
      if (call.code === 0) fail(`expected delete of a created container to generate an error, found exit 0 and the container ${after.call.code === 0 ? `still ${JSON.stringify(status)}` : 'deleted'}`, { expected: 'non-zero exit, status created', actual: after.call.code === 0 ? status : 'deleted' });
      expectError(call, 'delete of a created container');
      if (status !== 'created' || !existsSync(`/proc/${pid}`)) fail(`expected the created container left as it was, found ${after.call.code === 0 ? `status ${JSON.stringify(status)}` : 'it gone'}`, { expected: 'created', actual: status });
      return 'delete of a created container failed and left it created';
    },
  },
  {
    id: 'lifecycle.delete-cgroups-path',
    level: 'MUST',
    ref: specRef('runtime.md', 'delete'),
    text: 'Deleting a container MUST delete the resources that were created during the `create` step (the cgroup at `linux.cgroupsPath`, with a pids limit).',
    async run(ctx) {
      const mount = controllerHierarchy(ctx, 'pids');
      const cgroupsPath = `/ocikit-delete-${ctx.newId()}`;
      const dir = path.join(mount, cgroupsPath);
      const bundle = ctx.bundle('delete-cgroups-path', {
        script: 'echo ran',
        patch: (spec) => {
          spec.linux!.cgroupsPath = cgroupsPath;
          spec.linux!.resources = { ...spec.linux!.resources, pids: { limit: 1000 } };
        },
      });
      try {
        const { id } = await launch(ctx, bundle);
        if (!existsSync(dir)) fail(`expected create to make the cgroup ${dir} of linux.cgroupsPath, found none`, { expected: dir, actual: 'missing' });
        const limit = readIfExists(path.join(dir, 'pids.max'))?.trim();
        await ctx.driver.start(id);
        await ctx.driver.waitForStatus(id, ['stopped']);
        expectSuccess(await ctx.driver.delete(id), 'delete of a stopped container');
        if (existsSync(dir)) fail(`expected delete to remove the cgroup ${dir} that create made, found it still there`, { expected: 'removed', actual: dir });
        return `cgroup ${cgroupsPath} (pids.max ${limit ?? '?'}) made by create, removed by delete`;
      } finally {
        if (existsSync(dir)) removeCgroup(mount, dir);
      }
    },
  },
  {
    id: 'lifecycle.delete-foreign-cgroup',
    level: 'MUST',
    ref: specRef('runtime.md', 'delete'),
    text: 'Note that resources associated with the container, but not created by this container, MUST NOT be deleted (a cgroup the container process was moved into after create).',
    async run(ctx) {
      const mount = controllerHierarchy(ctx, 'pids');
      const dir = path.join(mount, `ocikit-foreign-${ctx.newId()}`);
      try {
        mkdirSync(dir);
        const { id } = await launch(ctx, ctx.bundle('delete-foreign-cgroup', { script: 'echo ran' }));
        writeFileSync(path.join(dir, 'cgroup.procs'), String(await pidOf(ctx, id)));
        await ctx.driver.start(id);
        await ctx.driver.waitForStatus(id, ['stopped']);
        expectSuccess(await ctx.driver.delete(id), 'delete of a stopped container');
        if (!existsSync(dir)) fail(`expected the cgroup ${dir} made outside the runtime to survive delete, found it removed`, { expected: 'exists', actual: 'removed' });
        return `the cgroup the harness made and moved the container into survived delete`;
      } finally {
        if (existsSync(dir)) removeCgroup(mount, dir);
      }
    },
  },
  {
    id: 'lifecycle.unknown-property',
    level: 'MUST',
    ref: specRef('config.md', 'extensibility'),
    text: 'Runtimes MAY log unknown properties but MUST otherwise ignore them. That includes not generating errors if they encounter an unknown property.',
    async run(ctx) {
      const bundle = ctx.bundle('unknown-property', {
        script: 'echo program-ran',
        patch: (spec) => {
          Object.assign(spec, { ocikitUnknown: 'unknown' });
          Object.assign(spec.process!, { ocikitUnknown: { nested: true } });
        },
      });
      await launch(ctx, bundle, 'stopped');
      if (!bundle.output().includes('program-ran')) fail('expected the program to run, found no output', { expected: 'program-ran', actual: bundle.output() });
      return 'unknown top-level and process properties ignored; the program ran';
    },
  },
  {
    id: 'lifecycle.unknown-annotation',
    level: 'MUST',
    ref: specRef('config.md', 'annotations'),
    text: 'Runtimes MUST handle unknown annotation keys like any other unknown property.',
    async run(ctx) {
      const key = `org.${ctx.newId()}`;
      const bundle = ctx.bundle('unknown-annotation', { script: 'echo program-ran', patch: (spec) => void (spec.annotations = { ...spec.annotations, [key]: '', 'com.example.ocikit/unknown': 'value' }) });
      await launch(ctx, bundle, 'stopped');
      if (!bundle.output().includes('program-ran')) fail('expected the program to run, found no output', { expected: 'program-ran', actual: bundle.output() });
      return `unknown annotation keys ${key} and com.example.ocikit/unknown ignored`;
    },
  },
  {
    id: 'lifecycle.invalid-version',
    level: 'MUST',
    ref: specRef('config.md', 'valid-values'),
    text: 'Runtimes MUST generate an error when invalid or unsupported values are encountered (`ociVersion` "invalid", not SemVer 2.0.0).',
    async run(ctx) {
      const bundle = ctx.bundle('invalid-version', { script: 'echo program-ran', patch: (spec) => void (spec.ociVersion = 'invalid') });
      const id = ctx.newId();
      const made = await create(ctx, id, bundle);
      expectError(made, 'create with ociVersion "invalid"');
      const after = await ctx.driver.state(id);
      if (after.call.code === 0) fail('expected no container after the failed create, found state reports one', { expected: 'error', actual: after.call.stdout.slice(0, 300) });
      return 'create with ociVersion "invalid" failed';
    },
  },
  {
    id: 'state.annotations',
    level: 'MUST',
    ref: specRef('runtime.md', 'state'),
    text: '`annotations` (map, OPTIONAL) contains the list of annotations associated with the container. If no annotations were provided then this property MAY either be absent or an empty map.',
    async run(ctx) {
      const { id } = await launch(ctx, ctx.bundle('state-annotations', { script: 'echo ran', patch: (spec) => void (spec.annotations = { ...ANNOTATIONS }) }));
      const got = (await stateOk(ctx, id))['annotations'];
      expectSame(sorted(got), ANNOTATIONS, 'expected the annotations of config.json in the state');
      const plain = await launch(ctx, ctx.bundle('state-no-annotations', { script: 'echo ran', patch: (spec) => void delete spec.annotations }));
      const none = (await stateOk(ctx, plain.id))['annotations'];
      if (none !== undefined && !(isObject(none) && Object.keys(none).length === 0)) fail(`expected no annotations (absent or empty) without annotations in config.json, found ${JSON.stringify(none)}`, { expected: 'absent or {}', actual: none });
      return `state carries the ${Object.keys(ANNOTATIONS).length} configured annotations; ${none === undefined ? 'absent' : 'empty'} without any`;
    },
  },
  {
    id: 'state.pid-namespace',
    level: 'MUST',
    ref: specRef('runtime.md', 'state'),
    text: '`pid` (int, REQUIRED when `status` is `created` or `running` on Linux) is the ID of the container process, as seen by the runtime (not the ID inside the container\'s PID namespace).',
    async run(ctx) {
      const { id, bundle } = await launch(ctx, ctx.bundle('state-pid-namespace', { script: 'echo "inner=$$ ns=$(readlink /proc/$$/ns/pid)"; echo ready; sleep 30' }), 'ready');
      const pid = await pidOf(ctx, id);
      const line = bundle.output().split('\n').find((l) => l.startsWith('inner=')) ?? '';
      const [, inner = '', ns = ''] = /^inner=(\d+) ns=(.*)$/.exec(line) ?? [];
      const st = procStatus(readIfExists(`/proc/${pid}/status`) ?? '');
      const chain = (st['NSpid'] ?? '').split(/\s+/).filter(Boolean);
      const theirNs = hostNamespace(pid, 'pid');
      if (theirNs !== ns) fail(`expected state pid ${pid} in the container's PID namespace ${ns}, found it in ${theirNs ?? 'none'}`, { expected: ns, actual: theirNs });
      expectSame({ first: chain[0], last: chain[chain.length - 1] }, { first: String(pid), last: inner }, `expected state pid ${pid} to be the runtime's view of the container process (${inner} inside)`);
      return `pid ${pid} is the container process (${inner} in its namespace ${ns})`;
    },
  },
  {
    id: 'hooks.state-stdin-fields',
    level: 'MUST',
    ref: specRef('config.md', 'posix-platform-hooks'),
    text: 'The state of the container MUST be passed to hooks over stdin: its `pid` is the container process\'s, its `annotations` those of config.json, and a prestart hook sees the container not yet started (`created`, or `creating` while create has not returned).',
    async run(ctx) {
      if (!existsSync('/bin/sh')) skip('host: no /bin/sh to run the hooks');
      const bundle = ctx.bundle('hooks-state-stdin-fields', { script: 'echo ran' });
      const hook = (kind: string) => ({ path: '/bin/sh', args: ['sh', '-c', `cat > ${path.join(bundle.host, `${kind}.json`)}`], timeout: 5 });
      const spec = structuredClone(bundle.spec);
      spec.annotations = { ...ANNOTATIONS };
      spec.hooks = { prestart: [hook('prestart')], poststart: [hook('poststart')], poststop: [hook('poststop')] };
      bundle.write(spec);
      const container = await launch(ctx, bundle);
      const pid = await pidOf(ctx, container.id);
      await ctx.driver.start(container.id);
      await ctx.driver.waitForStatus(container.id, ['stopped']);
      expectSuccess(await ctx.driver.delete(container.id), 'delete of a stopped container');
      const problems: string[] = [];
      let prestartStatus: unknown;
      for (const kind of ['prestart', 'poststart', 'poststop']) {
        const text = readIfExists(path.join(bundle.host, `${kind}.json`));
        if (text === undefined) {
          problems.push(`${kind}: hook did not run`);
          continue;
        }
        let state: Record<string, unknown>;
        try {
          state = JSON.parse(text) as Record<string, unknown>;
        } catch {
          problems.push(`${kind}: stdin not JSON: ${JSON.stringify(text.slice(0, 100))}`);
          continue;
        }
        if (kind !== 'poststop' && state['pid'] !== pid) problems.push(`${kind}: pid ${JSON.stringify(state['pid'])} instead of ${pid}`);
        if (JSON.stringify(sorted(state['annotations'])) !== JSON.stringify(ANNOTATIONS)) problems.push(`${kind}: annotations ${JSON.stringify(state['annotations'])}`);
        if (kind === 'prestart') prestartStatus = state['status'];
        // runtime-tools asks "created"; runc says "creating" (create has not returned yet): both precede the program.
        if (kind === 'prestart' && state['status'] !== 'created' && state['status'] !== 'creating') problems.push(`prestart: status ${JSON.stringify(state['status'])} instead of "created" (or "creating")`);
      }
      if (problems.length) fail(`expected each hook's stdin state to carry the container's pid and annotations, found ${problems.join('; ')}`, { expected: { pid, annotations: ANNOTATIONS, prestartStatus: 'created' }, actual: problems });
      return `prestart, poststart and poststop read pid ${pid} (poststop: not asked) and the annotations; prestart saw status ${JSON.stringify(prestartStatus)}`;
    },
  },
  {
    id: 'process.user-combined',
    level: 'MUST',
    ref: specRef('config.md', 'user'),
    text: '`uid`, `gid`, `additionalGids` and `umask` apply together: the process runs with uid 10, gid 10, supplementary group 5 and umask 0002.',
    async run(ctx) {
      const s = await probe(ctx, 'user-combined', { status: 'cat /proc/$$/status' }, { patch: (spec) => void (spec.process!.user = { uid: 10, gid: 10, additionalGids: [5], umask: 0o002 }) });
      const st = procStatus(s('status'));
      const got = { Uid: (st['Uid'] ?? '').split(/\s+/).join(' '), Gid: (st['Gid'] ?? '').split(/\s+/).join(' '), Groups: (st['Groups'] ?? '').split(/\s+/).filter((g) => g !== '10').join(' '), Umask: st['Umask'] };
      expectSame(got, { Uid: '10 10 10 10', Gid: '10 10 10 10', Groups: '5', Umask: '0002' }, 'expected uid 10, gid 10, groups 5 and umask 0002 together');
      return 'uid 10, gid 10, groups 5, umask 0002';
    },
  },
];
