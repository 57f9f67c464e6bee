/**
 * Building blocks the checks share: spec links, the create/start/wait/delete
 * sequence with failures phrased as spec deviations, and the probe script
 * format (sections printed by busybox applets inside the container).
 */
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import type { Bundle, CheckContext } from '../check.js';
import { describeCall, isObject, sleep, type CallRecord } from '../driver.js';
import { fail } from '../errors.js';

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

/** `create`, failing the check when the runtime refuses. */
export async function createOk(ctx: CheckContext, id: string, bundle: Bundle, extra: { pidFile?: string } = {}): Promise<CallRecord> {
  const call = await ctx.driver.create(id, { bundle: bundle.dir, stdin: bundle.stdin, stdout: bundle.stdout, stderr: bundle.stderr, ...extra });
  if (call.code !== 0) fail(`expected create to succeed, found ${describeCall(call)}`, { expected: 'exit 0', actual: call.timedOut ? 'timeout' : `exit ${call.code}` });
  return call;
}

/** `start`, failing the check when the runtime refuses. */
export async function startOk(ctx: CheckContext, id: string): Promise<CallRecord> {
  const call = await ctx.driver.start(id);
  if (call.code !== 0) fail(`expected start to succeed, found ${describeCall(call)}`, { expected: 'exit 0', actual: call.timedOut ? 'timeout' : `exit ${call.code}` });
  return call;
}

/** The parsed state of an existing container, failing the check when `state` does not give one. */
export async function stateOk(ctx: CheckContext, id: string): Promise<Record<string, unknown>> {
  const { call, state, parseError } = await ctx.driver.state(id);
  if (call.code !== 0) fail(`expected state of an existing container, found ${describeCall(call)}`);
  if (!isObject(state)) fail(`expected state to print a JSON object, found ${parseError ?? 'another JSON value'}`, { actual: call.stdout.slice(0, 500) });
  return state;
}

/**
 * The whole life of a short container: create, start, wait until it stops,
 * read its stdout, delete. Returns the output.
 */
export async function runToCompletion(ctx: CheckContext, bundle: Bundle): Promise<string> {
  const id = ctx.newId();
  await createOk(ctx, id, bundle);
  await startOk(ctx, id);
  await ctx.driver.waitForStatus(id, ['stopped']);
  const out = bundle.output();
  await ctx.driver.delete(id);
  return out;
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

/**
 * A probe script: each entry prints a `@@name` marker line (after a newline,
 * so that output without one cannot run into it), then the command's output
 * with stderr folded in. `sections()` splits the output back, exactly.
 */
export function probeScript(entries: Record<string, string>): string {
  const parts = Object.entries(entries).map(([name, cmd]) => `${marker(name)}; { ${cmd}; } 2>&1`);
  return `${parts.join('; ')}; ${marker('end')}`;
}

/** The shell command printing one section marker. */
export function marker(name: string): string {
  return `printf '\\n@@%s\\n' ${name}`;
}

/** Sections of probe output by name: the exact text between markers. */
export function sections(output: string): Record<string, string> {
  const result: Record<string, string> = {};
  const parts = `\n${output}`.split(/\n@@([\w.-]+)\n/);
  // parts: [before, name1, text1, name2, text2, ...]
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const name = parts[i]!;
    if (name === 'end') break;
    result[name] = parts[i + 1]!;
  }
  return result;
}

/** A section, failing when the probe did not get that far. */
export function section(all: Record<string, string>, name: string, output: string): string {
  const v = all[name];
  if (v === undefined) fail(`expected the probe to print section ${name}, found output ${JSON.stringify(output.slice(0, 500))}`);
  return v;
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
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => {
      const [left = '', right = ''] = l.split(' - ');
      const f = left.split(' ');
      const r = right.split(' ');
      return { root: f[3] ?? '', mountPoint: f[4] ?? '', fsType: r[0] ?? '', options: (r[2] ?? '').split(',') };
    })
    .filter((m) => m.root === '/');
  const dirs: string[] = [];
  for (const c of theirs) {
    if (c.path === mine.get(c.hier) || c.path === '/') continue;
    const wanted = c.controllers.split(',').filter(Boolean);
    const mount = wanted.length === 0 ? mounts.find((m) => m.fsType === 'cgroup2') : mounts.find((m) => m.fsType === 'cgroup' && wanted.every((w) => m.options.includes(w)));
    if (mount) dirs.push(`${mount.mountPoint}${c.path}`);
  }
  return [...new Set(dirs)];
}
