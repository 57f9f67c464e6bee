/**
 * Hooks (runtime-spec `config.md`, "POSIX-platform Hooks"; `runtime.md`,
 * "Lifecycle"). Every hook is one small POSIX shell script in the bundle's
 * host directory; it appends its tag, its mount namespace, an environment
 * variable and the state it read on stdin to a log. The directory is bind
 * mounted at the same path inside the container, so the script resolves both
 * in the runtime namespace and in the container namespace (before and after
 * pivot_root), and the container's program can append to the same log.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HookName, validate, type Hook, type Hooks } from '@ocikit/runtime-spec';
import type { Bundle, Check, CheckContext } from '../check.js';
import { describeCall, sleep } from '../driver.js';
import { fail } from '../errors.js';
import { advance, create, expectError, expectSame, expectSuccess, hostNamespace, launch, readIfExists, shq, specRef, statusOf, waitForOutput } from './common.js';

type Kind = (typeof HookName)[keyof typeof HookName];
const KINDS: readonly Kind[] = Object.values(HookName);

/** One line of the hook log. */
interface Entry {
  /** `createRuntime:a`, or `program` for the container's own line. */
  tag: string;
  kind: string;
  ns: string;
  env: string;
  stdin: string;
}

/** A hook entry running the hook script: it logs `tag`, sleeps `sleep` seconds when given, and exits `exit`. */
type HookFactory = (tag: string, options?: { exit?: number; sleep?: number; timeout?: number }) => Hook;

/** A bundle of a hook check and the log its hooks (and program) append to. */
interface HookSetup {
  bundle: Bundle;
  log: string;
}

const HOOK_SCRIPT = 'hook.sh';
const HOOK_LOG = 'hooks.log';

/** A bundle with the hook script, the log, and the same-path bind mount. */
function hookBundle(ctx: CheckContext, name: string, script: (log: string) => string, hooks: (hook: HookFactory) => Hooks): HookSetup {
  const bundle = ctx.bundle(name, {
    patch: (spec, { host }) => {
      const hook: HookFactory = (tag, options = {}) => ({
        path: path.join(host, HOOK_SCRIPT),
        args: [HOOK_SCRIPT, tag, String(options.exit ?? 0), ...(options.sleep !== undefined ? [String(options.sleep)] : [])],
        env: [`OCIKIT_HOOK_ENV=${tag}`],
        ...(options.timeout !== undefined && { timeout: options.timeout }),
      });
      spec.process!.args = ['sh', '-c', script(path.join(host, HOOK_LOG))];
      spec.mounts = [...(spec.mounts ?? []), { destination: host, type: 'bind', source: host, options: ['rbind', 'rw'] }];
      spec.hooks = hooks(hook);
    },
  });
  const log = path.join(bundle.host, HOOK_LOG);
  writeExecutable(
    path.join(bundle.host, HOOK_SCRIPT),
    [
      '#!/bin/sh',
      '# $1: tag, $2: exit status, $3: seconds to sleep first. Builtins and /bin/readlink, /bin/sleep only.',
      's=',
      'while IFS= read -r line || [ -n "$line" ]; do s="$s$line"; done',
      'ns=$(/bin/readlink /proc/self/ns/mnt 2>/dev/null)',
      `printf '%s\\t%s\\t%s\\t%s\\n' "$1" "$ns" "$OCIKIT_HOOK_ENV" "$s" >> ${shq(log)}`,
      '[ -n "$3" ] && exec /bin/sleep "$3"',
      'exit "${2:-0}"',
      '',
    ].join('\n'),
  );
  writeFileSync(log, '');
  return { bundle, log };
}

function writeExecutable(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

/** The program's own log line: its tag and mount namespace. */
const programLine = (log: string) => `printf 'program\\t%s\\t\\t\\n' "$(readlink /proc/self/ns/mnt)" >> ${shq(log)}`;

function readLog(log: string): Entry[] {
  return (readIfExists(log) ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [tag = '', ns = '', env = '', stdin = ''] = line.split('\t');
      return { tag, kind: tag.split(':')[0] ?? '', ns, env, stdin };
    });
}

const tags = (entries: readonly Entry[]) => entries.map((e) => e.tag);

/**
 * `create` of a container whose hook `tag` fails: fails the check unless
 * create generated an error after the hook ran (a failure check proves
 * nothing when create failed before the hook ran).
 */
async function createFailingAt(ctx: CheckContext, { bundle, log }: HookSetup, tag: string, what: string): Promise<string> {
  const id = ctx.newId();
  const call = await create(ctx, id, bundle);
  expectError(call, what);
  if (!tags(readLog(log)).includes(tag)) fail(`expected the ${tag.split(':')[0]} hook to run (and fail), found create failed before it: ${describeCall(call)}`, { expected: tag, actual: tags(readLog(log)) });
  return id;
}

/** What the full scenario saw: the log after each operation returned. */
interface Scenario {
  id: string;
  bundle: Bundle;
  afterCreate: Entry[];
  afterStart: Entry[];
  afterDelete: Entry[];
  /** The hooks' lines of the whole log (`afterDelete` without the program's). */
  hooks: Entry[];
}

/**
 * Two hooks of every kind, a program that logs itself and exits; the log is
 * read after create, start and delete. Shared by the ordering checks.
 */
function scenario(ctx: CheckContext): Promise<Scenario> {
  return ctx.once('hooks-scenario', async () => {
    const { bundle, log } = hookBundle(ctx, 'scenario', programLine, (hook) => Object.fromEntries(KINDS.map((k) => [k, [hook(`${k}:a`), hook(`${k}:b`)]])));
    const container = await launch(ctx, bundle);
    const afterCreate = readLog(log);
    await advance(ctx, container, 'started');
    const afterStart = readLog(log);
    await ctx.driver.waitForStatus(container.id, ['stopped']);
    expectSuccess(await ctx.driver.delete(container.id), 'delete of the stopped container');
    const afterDelete = readLog(log);
    return { id: container.id, bundle, afterCreate, afterStart, afterDelete, hooks: afterDelete.filter((e) => e.kind !== 'program') };
  });
}

/**
 * Where the hooks of `kind` ran in the scenario: their positions in the whole
 * log, and the program's (-1 when it left no line); fails when none ran.
 */
async function placeOf(ctx: CheckContext, kind: Kind): Promise<{ s: Scenario; all: string[]; program: number; at: number[] }> {
  const s = await scenario(ctx);
  const all = tags(s.afterDelete);
  const at = all.flatMap((t, i) => (t.startsWith(`${kind}:`) ? [i] : []));
  if (at.length === 0) fail(`expected ${kind} hooks to run, found none`);
  return { s, all, program: all.indexOf('program'), at };
}

/** Run a container whose hooks are `hooks`; the program prints `program-ran`. */
function failureBundle(ctx: CheckContext, name: string, hooks: (h: HookFactory) => Hooks, script = 'echo program-ran; sleep 30; echo done'): HookSetup {
  return hookBundle(ctx, name, () => script, hooks);
}

function failBeforeStart(kind: 'prestart' | 'createRuntime' | 'createContainer'): Check {
  return {
    id: `hooks.fail-${kind}`,
    level: 'MUST',
    ref: specRef('runtime.md', 'lifecycle'),
    text: `If any ${kind} hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12.`,
    async run(ctx) {
      const setup = failureBundle(ctx, kind, (hook) => ({ [kind]: [hook(`${kind}:a`, { exit: 1 })] }));
      const id = await createFailingAt(ctx, setup, `${kind}:a`, `create with a failing ${kind} hook`);
      const { known, status } = await statusOf(ctx, id);
      if (known && status !== 'stopped') fail(`expected the container to be stopped or gone after the failed ${kind} hook, found status ${JSON.stringify(status)}`, { expected: 'stopped or no container', actual: status });
      await sleep(100);
      if (setup.bundle.output().includes('program-ran')) fail(`expected the program not to run after the failed ${kind} hook, found its output`);
      return `create failed and the program did not run`;
    },
  };
}

export const HOOK_CHECKS: readonly Check[] = [
  {
    id: 'hooks.order',
    level: 'MUST',
    ref: specRef('config.md', 'posix-platform-hooks'),
    text: 'Hooks MUST be called in the listed order.',
    async run(ctx) {
      const { hooks } = await scenario(ctx);
      const problems: string[] = [];
      for (const kind of KINDS) {
        const got = tags(hooks.filter((e) => e.kind === kind));
        const want = [`${kind}:a`, `${kind}:b`];
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${kind}: expected ${want.join(', ')}, found ${got.join(', ') || 'none'}`);
      }
      // Across kinds, in lifecycle order; poststart's place is hooks.poststart's business.
      const sequence = tags(hooks.filter((e) => e.kind !== 'poststart'));
      const want = KINDS.filter((k) => k !== 'poststart').flatMap((k) => [`${k}:a`, `${k}:b`]);
      if (problems.length === 0 && JSON.stringify(sequence) !== JSON.stringify(want)) problems.push(`expected ${want.join(', ')}, found ${sequence.join(', ')}`);
      if (problems.length) fail(`expected every hook, in the listed order: ${problems[0]}`, { expected: want, actual: tags(hooks) });
      return 'two hooks of each kind ran in the listed order';
    },
  },
  {
    id: 'hooks.state-stdin',
    level: 'MUST',
    ref: specRef('config.md', 'posix-platform-hooks'),
    text: 'The state of the container MUST be passed to hooks over stdin so that they may do work appropriate to the current state of the container.',
    async run(ctx) {
      const s = await scenario(ctx);
      if (s.hooks.length === 0) fail('expected hooks to run, found none in the log');
      const problems: string[] = [];
      const statuses: string[] = [];
      for (const e of s.hooks) {
        let state: unknown;
        try {
          state = JSON.parse(e.stdin);
        } catch {
          problems.push(`${e.tag}: expected the state as JSON on stdin, found ${JSON.stringify(e.stdin.slice(0, 120))}`);
          continue;
        }
        const r = validate('runtime-state', state, { level: 'MUST' });
        for (const err of r.errors) problems.push(`${e.tag}: ${err.path || '(document)'}: ${err.message}`);
        const st = state as { id?: unknown; bundle?: unknown; status?: unknown };
        if (st.id !== s.id) problems.push(`${e.tag}: expected id ${s.id}, found ${JSON.stringify(st.id)}`);
        if (st.bundle !== s.bundle.dir) problems.push(`${e.tag}: expected bundle ${s.bundle.dir}, found ${JSON.stringify(st.bundle)}`);
        statuses.push(`${e.tag}=${String(st.status)}`);
      }
      if (problems.length) fail(`expected every hook to read a valid state of the container on stdin, found ${problems.length} problem(s): ${problems[0]}`, { expected: 'valid runtime-state with id and bundle', actual: problems });
      return `every hook read a valid state (${statuses.join(', ')})`;
    },
  },
  {
    id: 'hooks.create-phase',
    level: 'MUST',
    ref: specRef('config.md', 'createruntime-hooks'),
    text: 'The createRuntime hooks MUST be called as part of the create operation after the runtime environment has been created (according to the configuration in config.json) but before the pivot_root or any equivalent operation has been executed.',
    async run(ctx) {
      const s = await scenario(ctx);
      const early = ['prestart', 'createRuntime', 'createContainer'];
      const inCreate = tags(s.afterCreate.filter((e) => early.includes(e.kind)));
      const later = tags(s.afterDelete.slice(s.afterCreate.length).filter((e) => early.includes(e.kind)));
      if (later.length) fail(`expected prestart, createRuntime and createContainer hooks during create, found ${later.join(', ')} after it returned`, { expected: 'during create', actual: later });
      if (s.afterCreate.some((e) => e.kind === 'program')) fail('expected the program not to run during create, found its log line');
      return `${inCreate.length} prestart/createRuntime/createContainer hooks ran during create`;
    },
  },
  {
    id: 'hooks.start-container',
    level: 'MUST',
    ref: specRef('config.md', 'startcontainer-hooks'),
    text: 'The startContainer hooks MUST be called before the user-specified process is executed as part of the start operation.',
    async run(ctx) {
      const { s, all, program, at } = await placeOf(ctx, 'startContainer');
      if (at.some((i) => i < s.afterCreate.length)) fail('expected startContainer hooks during start, found them during create', { expected: 'after create returned', actual: tags(s.afterCreate) });
      if (program < 0) fail('expected the program to run, found no log line of it');
      if (at.some((i) => i > program)) fail('expected startContainer hooks before the program, found them after it', { expected: 'startContainer before program', actual: all });
      return 'startContainer hooks ran during start, before the program';
    },
  },
  {
    id: 'hooks.poststart',
    level: 'MUST',
    ref: specRef('config.md', 'poststart'),
    text: 'The poststart hooks MUST be called after the user-specified process is executed but before the start operation returns.',
    async run(ctx) {
      const { s, all, program, at } = await placeOf(ctx, 'poststart');
      if (at.some((i) => i < s.afterCreate.length)) fail('expected poststart hooks during start, found them run during create', { expected: 'after the program started', actual: tags(s.afterCreate) });
      if (program < 0 || at.some((i) => i < program)) fail('expected poststart hooks after the program was executed, found them before it', { expected: 'program before poststart', actual: all });
      if (at.some((i) => i >= s.afterStart.length)) fail('expected poststart hooks before start returned, found them after', { expected: tags(s.afterStart), actual: all });
      return 'poststart hooks ran after the program, before start returned';
    },
  },
  {
    id: 'hooks.poststop',
    level: 'MUST',
    ref: specRef('config.md', 'poststop'),
    text: 'The poststop hooks MUST be called after the container is deleted but before the delete operation returns.',
    async run(ctx) {
      const s = await scenario(ctx);
      const early = tags(s.afterStart.filter((e) => e.kind === 'poststop'));
      if (early.length) fail(`expected poststop hooks only during delete, found ${early.join(', ')} before`);
      const late = tags(s.afterDelete.filter((e) => e.kind === 'poststop'));
      if (late.length === 0) fail('expected poststop hooks before delete returned, found none');
      return 'poststop hooks ran during delete';
    },
  },
  {
    id: 'hooks.namespaces',
    level: 'MUST',
    ref: specRef('config.md', 'createcontainer-hooks'),
    text: 'The createContainer hooks MUST be executed in the container namespace.',
    async run(ctx) {
      const s = await scenario(ctx);
      // The runtime namespace is the runtime's, which a wrapper script may have made its own:
      // hooks that run there must share one mount namespace that is not the container's.
      const container = s.afterDelete.find((e) => e.kind === 'program')?.ns;
      if (!container) fail('expected to read the container mount namespace from the program, found none');
      const inContainer = (k: string) => k === 'createContainer' || k === 'startContainer';
      const { hooks } = s;
      const runtimeNs = [...new Set(hooks.filter((e) => !inContainer(e.kind)).map((e) => e.ns))];
      const problems: string[] = [];
      for (const e of hooks.filter((h) => inContainer(h.kind))) if (e.ns !== container) problems.push(`${e.tag}: expected the container mount namespace ${container}, found ${e.ns || 'unreadable'}`);
      if (runtimeNs.includes(container)) problems.push(`${hooks.filter((e) => !inContainer(e.kind) && e.ns === container).map((e) => e.tag).join(', ')}: expected the runtime mount namespace, found the container's ${container}`);
      else if (runtimeNs.length > 1) problems.push(`expected prestart, createRuntime, poststart and poststop hooks in one runtime mount namespace, found ${runtimeNs.join(', ')}`);
      if (problems.length) fail(`expected createContainer/startContainer hooks in the container namespace and the others in the runtime namespace, found: ${problems[0]}`, { actual: problems });
      const host = hostNamespace(ctx.hostPid, 'mnt');
      return `createContainer and startContainer hooks ran in the container mount namespace, the others in ${runtimeNs[0] === host ? "the harness's" : 'one other'} mount namespace`;
    },
  },
  {
    id: 'hooks.args-env',
    level: 'MUST',
    ref: specRef('config.md', 'posix-platform-hooks'),
    text: '`args` (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008 `execv`\'s argv; `env` (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008\'s `environ`.',
    async run(ctx) {
      const bundle = ctx.bundle('args-env', {
        patch: (spec, { host }) => void (spec.hooks = { createRuntime: [{ path: path.join(host, 'args-env.sh'), args: ['argv0', 'one', 'two words', ''], env: ['OCIKIT_A=alpha', 'OCIKIT_B=beta gamma'] }] }),
      });
      const out = path.join(bundle.host, 'args-env.out');
      writeExecutable(path.join(bundle.host, 'args-env.sh'), `#!/bin/sh\n{ printf '%s\\n' "$#" "$@" "env=$OCIKIT_A" "env=$OCIKIT_B"; } > ${shq(out)}\n`);
      await launch(ctx, bundle);
      const got = (readIfExists(out) ?? '').split('\n').slice(0, -1);
      expectSame(got, ['3', 'one', 'two words', '', 'env=alpha', 'env=beta gamma'], 'expected the hook to get args[1..] and env as configured');
      return 'the hook got its args and env';
    },
  },
  failBeforeStart('prestart'),
  failBeforeStart('createRuntime'),
  failBeforeStart('createContainer'),
  {
    id: 'hooks.fail-startContainer',
    level: 'MUST',
    ref: specRef('runtime.md', 'lifecycle'),
    text: 'If any startContainer hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12.',
    async run(ctx) {
      const { id, bundle } = await launch(ctx, failureBundle(ctx, 'startContainer', (hook) => ({ startContainer: [hook('startContainer:a', { exit: 1 })] })).bundle);
      const start = await ctx.driver.start(id);
      await sleep(200);
      const ran = bundle.output().includes('program-ran');
      const { known, status } = await statusOf(ctx, id);
      expectError(start, 'start with a failing startContainer hook');
      if (ran) fail('expected the program not to run after the failed startContainer hook, found its output');
      if (known && status !== 'stopped') fail(`expected the container stopped after the failed hook, found ${JSON.stringify(status)}`, { expected: 'stopped', actual: status });
      return 'start failed, the program did not run';
    },
  },
  {
    id: 'hooks.fail-poststart',
    level: 'MUST',
    ref: specRef('runtime.md', 'lifecycle'),
    text: 'If any poststart hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle continue as if the hook had succeeded.',
    async run(ctx) {
      const { bundle, log } = failureBundle(ctx, 'poststart', (hook) => ({ poststart: [hook('poststart:a', { exit: 1 }), hook('poststart:b')] }));
      const { id } = await launch(ctx, bundle, 'started');
      const logged = tags(readLog(log));
      if (!logged.includes('poststart:b')) fail('expected the poststart hook after the failing one to run, found it skipped', { expected: ['poststart:a', 'poststart:b'], actual: logged });
      await waitForOutput(bundle, 'program-ran', ctx.timeoutMs);
      const { known, status } = await statusOf(ctx, id);
      if (status !== 'running') fail(`expected the container to keep running, found ${known ? `status ${JSON.stringify(status)}` : 'no container'}`, { expected: 'running', actual: status });
      return 'start succeeded, the next poststart hook ran and the container kept running';
    },
  },
  {
    id: 'hooks.fail-poststop',
    level: 'MUST',
    ref: specRef('runtime.md', 'lifecycle'),
    text: 'If any poststop hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle continue as if the hook had succeeded.',
    async run(ctx) {
      const { bundle, log } = failureBundle(ctx, 'poststop', (hook) => ({ poststop: [hook('poststop:a', { exit: 1 }), hook('poststop:b')] }), 'echo program-ran');
      const { id } = await launch(ctx, bundle, 'stopped');
      const del = await ctx.driver.delete(id);
      const logged = tags(readLog(log));
      const after = await ctx.driver.state(id);
      if (del.code !== 0) fail(`expected delete to succeed despite the failing poststop hook, found ${describeCall(del)}`, { expected: 'exit 0', actual: `exit ${del.code}` });
      if (!logged.includes('poststop:b')) fail('expected the poststop hook after the failing one to run, found it skipped', { expected: ['poststop:a', 'poststop:b'], actual: logged });
      if (after.call.code === 0) fail('expected the container deleted, found state still reports it');
      return 'delete succeeded and the next poststop hook ran';
    },
  },
  {
    id: 'hooks.fail-runs-poststop',
    level: 'MUST',
    ref: specRef('runtime.md', 'lifecycle'),
    text: 'The poststop hooks MUST be invoked by the runtime (step 13, which the lifecycle reaches after a failing createRuntime hook).',
    async run(ctx) {
      const setup = failureBundle(ctx, 'runs-poststop', (hook) => ({ createRuntime: [hook('createRuntime:a', { exit: 1 })], poststop: [hook('poststop:a')] }));
      const { log } = setup;
      const id = await createFailingAt(ctx, setup, 'createRuntime:a', 'create with a failing createRuntime hook');
      // Some runtimes destroy the container only on delete; give them that chance.
      if (!tags(readLog(log)).includes('poststop:a')) await ctx.driver.delete(id, { force: true });
      const logged = tags(readLog(log));
      if (!logged.includes('poststop:a')) fail('expected poststop hooks after the failed create, found none', { expected: ['createRuntime:a', 'poststop:a'], actual: logged });
      return 'poststop hooks ran after the failed create';
    },
  },
  {
    id: 'hooks.timeout',
    level: 'MUST',
    ref: specRef('config.md', 'posix-platform-hooks'),
    text: '`timeout` (int, OPTIONAL) is the number of seconds before aborting the hook.',
    async run(ctx) {
      const setup = failureBundle(ctx, 'timeout', (hook) => ({ createRuntime: [hook('createRuntime:a', { sleep: 5, timeout: 1 })] }));
      const t0 = Date.now();
      await createFailingAt(ctx, setup, 'createRuntime:a', 'create with a createRuntime hook that outlives its timeout');
      const took = Date.now() - t0;
      if (took >= 4500) fail(`expected the hook aborted after about 1 s, found create took ${took} ms`, { expected: '< 4500 ms', actual: took });
      return `create failed after ${took} ms`;
    },
  },
];
