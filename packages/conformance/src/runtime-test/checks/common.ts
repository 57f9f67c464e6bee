/**
 * Building blocks the checks share: spec links, the create/start/wait/delete
 * sequence with failures phrased as spec deviations, the comparisons that
 * fail a check, and what the harness reads on the host. Probes (what the
 * container prints about itself) are in ./probe.ts.
 */
import { mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, BundleDirs, CheckContext } from '../check.js';
import { describeCall, isObject, sleep, type CallRecord } from '../driver.js';
import { fail } from '../errors.js';
import { parseMountInfo, type MountInfo } from './mountinfo.js';

const SPEC = 'https://github.com/opencontainers/runtime-spec/blob/v1.3.0/';
const CLI = 'https://github.com/opencontainers/runtime-tools/blob/v0.9.0/docs/command-line-interface.md';

/** Versioned link to a section of a runtime-spec document. */
export function specRef(doc: string, anchor?: string): string {
  return `${SPEC}${doc}${anchor ? `#${anchor}` : ''}`;
}

/** Link to a section of the runtime-tools command-line interface. */
export function cliRef(anchor: string): string {
  return `${CLI}#${anchor}`;
}

/** `create` with the bundle's stdio files, whatever the runtime answers (for a create that must fail). */
export function create(ctx: CheckContext, id: string, bundle: Bundle, extra: { pidFile?: string } = {}): Promise<CallRecord> {
  return ctx.driver.create(id, { bundle: bundle.dir, stdin: bundle.stdin, stdout: bundle.stdout, stderr: bundle.stderr, ...extra });
}

/** A call the check needs to succeed (`what`: `create`, `kill KILL of a running container`...). */
export function expectSuccess(call: CallRecord, what: string): CallRecord {
  if (call.code !== 0) fail(`expected ${what} to succeed, found ${describeCall(call)}`, { expected: 'exit 0', actual: call.timedOut ? 'timeout' : `exit ${call.code}` });
  return call;
}

/** `create`, failing the check when the runtime refuses. */
export async function createOk(ctx: CheckContext, id: string, bundle: Bundle, extra: { pidFile?: string } = {}): Promise<CallRecord> {
  return expectSuccess(await create(ctx, id, bundle, extra), 'create');
}

/** `start`, failing the check when the runtime refuses. */
export async function startOk(ctx: CheckContext, id: string): Promise<CallRecord> {
  return expectSuccess(await ctx.driver.start(id), 'start');
}

/** The parsed state of an existing container, failing the check when `state` does not give one. */
export async function stateOk(ctx: CheckContext, id: string): Promise<Record<string, unknown>> {
  const { call, state, parseError } = await ctx.driver.state(id);
  if (call.code !== 0) fail(`expected state of an existing container, found ${describeCall(call)}`);
  if (!isObject(state)) fail(`expected state to print a JSON object, found ${parseError ?? 'another JSON value'}`, { actual: call.stdout.slice(0, 500) });
  return state;
}

/** Whether the runtime still knows container `id`, and its status if it does. */
export async function statusOf(ctx: CheckContext, id: string): Promise<{ known: boolean; status: unknown }> {
  const { call, state } = await ctx.driver.state(id);
  return { known: call.code === 0, status: isObject(state) ? state['status'] : undefined };
}

/** A program that prints `ready`, then sleeps: a container that stays running. */
export const SLEEPER_ARGS = ['sh', '-c', 'echo ready; sleep 30; echo done'];

/** A fresh bundle whose program is {@link SLEEPER_ARGS}. */
export function sleeper(ctx: CheckContext, name: string): Bundle {
  return ctx.bundle(name, { args: SLEEPER_ARGS });
}

/** A container of the check, with the bundle it was created from. */
export interface Container {
  readonly id: string;
  readonly bundle: Bundle;
}

/**
 * How far {@link launch} takes a container: `created`; `started` (start
 * returned); `ready` (its program printed `ready`, as {@link SLEEPER_ARGS}
 * does); `stopped` (its program exited).
 */
export type Stage = 'created' | 'started' | 'ready' | 'stopped';

/** Create a container from `bundle` under a new ID and take it to `stage`, failing the check when the runtime refuses. */
export async function launch(ctx: CheckContext, bundle: Bundle, stage: Stage = 'created', extra: { pidFile?: string } = {}): Promise<Container> {
  const container = { id: ctx.newId(), bundle };
  await createOk(ctx, container.id, bundle, extra);
  await advance(ctx, container, stage);
  return container;
}

/** Take a created container on to `stage`. */
export async function advance(ctx: CheckContext, { id, bundle }: Container, stage: Stage): Promise<void> {
  if (stage === 'created') return;
  await startOk(ctx, id);
  if (stage === 'ready') await waitForOutput(bundle, 'ready', ctx.timeoutMs);
  if (stage === 'stopped') await ctx.driver.waitForStatus(id, ['stopped']);
}

/** `kill KILL` of a running container, failing the check when refused; resolves with its state once stopped. */
export async function killAndWait(ctx: CheckContext, id: string): Promise<Record<string, unknown>> {
  expectSuccess(await ctx.driver.kill(id, 'KILL'), 'kill KILL of a running container');
  return ctx.driver.waitForStatus(id, ['stopped']);
}

/** Run a short container until its program exits; what it printed. */
export async function runToCompletion(ctx: CheckContext, bundle: Bundle): Promise<string> {
  await launch(ctx, bundle, 'stopped');
  return bundle.output();
}

/** Wait until the container's stdout contains `marker` (the program reached a point). */
export async function waitForOutput(bundle: Bundle, marker: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = bundle.output();
    if (out.includes(marker)) return out;
    if (Date.now() >= deadline) fail(`expected the container to print ${JSON.stringify(marker)} within ${timeoutMs} ms, found ${JSON.stringify(out.slice(-300))}`);
    await sleep(20);
  }
}

/** A call that the spec says MUST generate an error. */
export function expectError(call: CallRecord, what: string): void {
  if (call.timedOut) fail(`expected ${what} to fail, found it still running after the timeout`, { expected: 'non-zero exit', actual: 'timeout' });
  if (call.code === 0) fail(`expected ${what} to generate an error, found exit 0`, { expected: 'non-zero exit', actual: 'exit 0' });
}

/** Fail the check with `message` unless `got` is `want` (compared as JSON). */
export function expectSame(got: unknown, want: unknown, message: string): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) fail(message, { expected: want, actual: got });
}

/** Fields of a /proc/PID/status document. */
export function procStatus(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** Namespace identity of a host process (`net:[4026531840]`), or undefined. */
export function hostNamespace(pid: number, kind: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** `dev:ino` of a host file, as busybox `stat -L -c %d:%i` prints it. */
export function hostInode(file: string): string {
  const st = statSync(file);
  return `${st.dev}:${st.ino}`;
}

/** Read a host file, undefined when it does not exist. */
export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Single-quote a string for sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The host's cgroup and cgroup2 mounts, as /proc/self/mountinfo lists them. */
export function cgroupMounts(): MountInfo[] {
  return parseMountInfo(readIfExists('/proc/self/mountinfo') ?? '').filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2');
}

/**
 * Host directories of the cgroups `pid` belongs to that the harness itself
 * is not in (the ones the runtime made for the container), found through the
 * cgroup mounts of /proc/self/mountinfo. Empty when the runtime made none.
 */
export function containerCgroupDirs(pid: number): string[] {
  const parse = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [hier = '', controllers = '', ...rest] = line.split(':');
        return { hier, controllers, path: rest.join(':') };
      });
  let theirs: ReturnType<typeof parse>;
  try {
    theirs = parse(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  } catch {
    return [];
  }
  const mine = new Map(parse(readFileSync('/proc/self/cgroup', 'utf8')).map((c) => [c.hier, c.path]));
  const mounts = cgroupMounts().filter((m) => m.root === '/');
  const dirs: string[] = [];
  for (const c of theirs) {
    if (c.path === mine.get(c.hier) || c.path === '/') continue;
    const wanted = c.controllers.split(',').filter(Boolean);
    const mount = wanted.length === 0 ? mounts.find((m) => m.fsType === 'cgroup2') : mounts.find((m) => m.fsType === 'cgroup' && wanted.every((w) => m.superOptions.includes(w)));
    if (mount) dirs.push(`${mount.mountPoint}${c.path}`);
  }
  return [...new Set(dirs)];
}

/** A host directory inside the bundle with files (relative names, made with their parents), for bind mounts. */
export function hostDir(bundle: BundleDirs, name: string, files: Record<string, string> = {}): string {
  const dir = path.join(bundle.host, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), content);
  }
  return dir;
}

/** A probe command writing `file`: prints `writable`, or `refused` when the write failed. */
export function tryWrite(file: string): string {
  return `touch ${file} && echo writable || echo refused`;
}

/** The last line a command printed (after any error message of its own). */
export function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
