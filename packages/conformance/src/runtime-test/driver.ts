/**
 * The one way the harness talks to a runtime: its runc-style command line
 * (runtime-tools `docs/command-line-interface.md`, with the signal of `kill`
 * positional as runc and crun take it). Every call has a timeout; every
 * container ID handed to `create` is tracked so that `cleanup()` can remove
 * it, whether the check passed, failed, threw or the run was interrupted.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { spokenSpecVersion, type SpokenVersion } from '@ocikit/container';
import { RuntimeTestError, RuntimeTestErrorCode } from './errors.js';

/** One runtime invocation, as the report shows it. */
export interface CallRecord {
  /** Arguments after the runtime path. */
  args: string[];
  /** Exit status; null when killed by a signal, timed out or not started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Set when the runtime could not be started at all. */
  error?: string;
}

/** Where `create` connects the container's standard streams (files in the bundle). */
export interface CreateIO {
  stdin?: string;
  stdout?: string;
  stderr?: string;
}

export interface CreateOptions extends CreateIO {
  bundle: string;
  pidFile?: string;
}

export interface DriverOptions {
  /** Path (or name on PATH) of the runtime executable. */
  runtime: string;
  /** Timeout of one runtime call in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Aborts in-flight calls and refuses new ones (cleanup still runs). */
  signal?: AbortSignal;
  /** Environment of the runtime (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Global options put before every command (`--root DIR`, `--cgroup-manager=disabled`...). */
  globalArgs?: readonly string[];
}

/** What `cleanup()` did. */
export interface CleanupReport {
  /** Containers that existed and were removed. */
  removed: string[];
  /** Containers the runtime still reports after cleanup. */
  leftovers: string[];
}

/** State shared by a driver and its scoped views. */
interface Shared {
  readonly runtime: string;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  readonly globalArgs: readonly string[];
  readonly signal: AbortSignal | undefined;
  /** Every ID passed to `create`, in order. */
  readonly ids: Set<string>;
  /** IDs whose `delete` succeeded and that `state` no longer knows. */
  readonly gone: Set<string>;
  readonly inflight: Set<ChildProcess>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** After `exit`, how long to wait for pipes held open by a container process. */
const CLOSE_GRACE_MS = 100;
const POLL_MS = 20;

export class RuntimeDriver {
  /** Calls made through this view, oldest first. */
  readonly calls: CallRecord[] = [];
  private readonly shared: Shared;

  constructor(options: DriverOptions);
  constructor(options: DriverOptions, shared: Shared);
  constructor(options: DriverOptions, shared?: Shared) {
    this.shared = shared ?? {
      runtime: options.runtime,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      env: options.env ?? process.env,
      globalArgs: options.globalArgs ?? [],
      signal: options.signal,
      ids: new Set(),
      gone: new Set(),
      inflight: new Set(),
    };
    if (!shared && options.signal) {
      const inflight = this.shared.inflight;
      options.signal.addEventListener('abort', () => inflight.forEach((c) => c.kill('SIGKILL')), { once: true });
    }
  }

  get runtime(): string {
    return this.shared.runtime;
  }

  get timeoutMs(): number {
    return this.shared.timeoutMs;
  }

  /** A view that shares tracking but records its own calls (one per check). */
  scope(): RuntimeDriver {
    return new RuntimeDriver({ runtime: this.shared.runtime }, this.shared);
  }

  /** Container IDs handed to `create` and not yet known to be deleted. */
  get live(): string[] {
    return [...this.shared.ids].filter((id) => !this.shared.gone.has(id));
  }

  version(): Promise<CallRecord> {
    return this.exec(['--version']);
  }

  features(): Promise<CallRecord> {
    return this.exec(['features']);
  }

  /**
   * The runtime-spec release to write configs for: what the runtime declares
   * (`features`, else `--version`), or `override`. See {@link spokenSpecVersion}.
   */
  async specVersion(override?: string): Promise<SpokenVersion> {
    if (override !== undefined) return spokenSpecVersion({}, override);
    const f = await this.features();
    const v = f.code === 0 ? undefined : await this.version();
    return spokenSpecVersion({ ...(f.code === 0 && { featuresText: f.stdout }), ...(v?.code === 0 && { versionText: v.stdout }) });
  }

  /** `create [--bundle B] [--pid-file F] ID`; the container's stdio are the files in `options`. */
  create(id: string, options: CreateOptions): Promise<CallRecord> {
    this.shared.ids.add(id);
    this.shared.gone.delete(id);
    const args = ['create', '--bundle', options.bundle];
    if (options.pidFile !== undefined) args.push('--pid-file', options.pidFile);
    args.push(id);
    return this.exec(args, { io: options });
  }

  start(id: string): Promise<CallRecord> {
    return this.exec(['start', id]);
  }

  /** `state ID`, with the JSON parsed when the call succeeded. */
  async state(id: string): Promise<{ call: CallRecord; state: unknown; parseError?: string }> {
    const call = await this.exec(['state', id]);
    if (call.code !== 0) return { call, state: undefined };
    try {
      return { call, state: JSON.parse(call.stdout) as unknown };
    } catch (err) {
      return { call, state: undefined, parseError: (err as Error).message };
    }
  }

  /** `kill ID SIGNAL` (runc form: the signal is positional). */
  kill(id: string, signal = 'TERM'): Promise<CallRecord> {
    return this.exec(['kill', id, signal]);
  }

  async delete(id: string, options: { force?: boolean } = {}): Promise<CallRecord> {
    const call = await this.exec(['delete', ...(options.force ? ['--force'] : []), id]);
    if (call.code === 0) this.shared.gone.add(id);
    return call;
  }

  /**
   * `update --resources FILE ID` (runc, crun): `resources` is a LinuxResources
   * object, written as JSON to `file` (a path in the bundle's host directory).
   * Not a runtime-spec operation.
   */
  update(id: string, resources: unknown, file: string): Promise<CallRecord> {
    writeFileSync(file, `${JSON.stringify(resources)}\n`);
    return this.exec(['update', '--resources', file, id]);
  }

  /** `pause ID` (runc, crun): freeze every process of the container. Not a runtime-spec operation. */
  pause(id: string): Promise<CallRecord> {
    return this.exec(['pause', id]);
  }

  /** `resume ID` (runc, crun): thaw a paused container. Not a runtime-spec operation. */
  resume(id: string): Promise<CallRecord> {
    return this.exec(['resume', id]);
  }

  /** Any other invocation (e.g. an unknown command). */
  raw(args: string[]): Promise<CallRecord> {
    return this.exec(args);
  }

  /**
   * Poll `state` until the status is one of `statuses`; returns that state.
   * Throws an ASSERTION error naming the last status seen on timeout.
   */
  async waitForStatus(id: string, statuses: readonly string[], timeoutMs = this.shared.timeoutMs): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no state';
    for (;;) {
      const { call, state } = await this.state(id);
      if (isObject(state)) {
        const status = state['status'];
        if (typeof status === 'string' && statuses.includes(status)) return state;
        last = `status ${JSON.stringify(status)}`;
      } else {
        last = call.code === 0 ? 'unparsable state output' : `state failed (exit ${call.code}): ${firstLine(call.stderr)}`;
      }
      if (Date.now() >= deadline) {
        throw new RuntimeTestError(RuntimeTestErrorCode.Assertion, `expected status ${statuses.join(' or ')} within ${timeoutMs} ms, found ${last}`, {
          expected: statuses.join(' or '),
          actual: last,
        });
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * Remove every container this driver (or any of its views) created: `delete
   * --force`, then `kill KILL` and `delete --force` again for stubborn ones.
   * Runs even after the abort signal fired.
   */
  async cleanup(): Promise<CleanupReport> {
    const removed: string[] = [];
    const leftovers: string[] = [];
    for (const id of this.live) {
      const first = await this.exec(['delete', '--force', id], { cleanup: true });
      if (first.code !== 0) {
        const probe = await this.exec(['state', id], { cleanup: true });
        if (probe.code !== 0) {
          this.shared.gone.add(id);
          continue;
        }
        await this.exec(['kill', id, 'KILL'], { cleanup: true });
        await sleep(100);
        await this.exec(['delete', '--force', id], { cleanup: true });
      }
      const after = await this.exec(['state', id], { cleanup: true });
      if (after.code === 0) leftovers.push(id);
      else {
        this.shared.gone.add(id);
        if (first.code === 0) removed.push(id);
      }
    }
    return { removed, leftovers };
  }

  private exec(args: string[], options: { io?: CreateIO; cleanup?: boolean } = {}): Promise<CallRecord> {
    const { signal } = this.shared;
    if (signal?.aborted && !options.cleanup) {
      return Promise.reject(new RuntimeTestError(RuntimeTestErrorCode.Aborted, 'expected to run, found the run interrupted'));
    }
    const fds: number[] = [];
    const open = (file: string, flags: string): number => {
      const fd = openSync(file, flags);
      fds.push(fd);
      return fd;
    };
    const io = options.io;
    let stdio: StdioOptions;
    try {
      stdio = [io?.stdin ? open(io.stdin, 'r') : 'ignore', io?.stdout ? open(io.stdout, 'a') : 'pipe', io?.stderr ? open(io.stderr, 'a') : 'pipe'];
    } catch (err) {
      fds.forEach((fd) => closeSync(fd));
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const started = performance.now();
    return new Promise<CallRecord>((resolve) => {
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let timedOut = false;
      let done = false;
      let exitCode: number | null = null;
      let exitSignal: NodeJS.Signals | null = null;
      let child: ChildProcess;
      const finish = (error?: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.shared.inflight.delete(child);
        child.stdout?.destroy();
        child.stderr?.destroy();
        const record: CallRecord = {
          args,
          code: exitCode,
          signal: exitSignal,
          timedOut,
          durationMs: Math.round(performance.now() - started),
          stdout: io?.stdout ? readText(io.stdout) : Buffer.concat(out).toString('utf8'),
          stderr: io?.stderr ? readText(io.stderr) : Buffer.concat(errs).toString('utf8'),
          ...(error !== undefined && { error }),
        };
        this.calls.push(record);
        resolve(record);
      };
      try {
        child = spawn(this.shared.runtime, [...this.shared.globalArgs, ...args], { stdio, env: this.shared.env });
      } finally {
        // The child has its own copies; ours would keep container pipes open.
        fds.forEach((fd) => closeSync(fd));
      }
      this.shared.inflight.add(child);
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.shared.timeoutMs);
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => errs.push(b));
      child.on('error', (err) => finish(err.message));
      child.on('exit', (code, sig) => {
        exitCode = code;
        exitSignal = sig;
        // A container process may inherit the pipes: do not wait for it.
        setTimeout(() => finish(), CLOSE_GRACE_MS).unref();
      });
      child.on('close', () => finish());
    });
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.slice(0, 300) ?? '';
}

/**
 * The stderr line that says why a call failed: the last logrus `level=error`
 * or `level=fatal` line (runc logs warnings before its error), else the first.
 */
export function reasonLine(s: string): string {
  const lines = s.trim().split('\n');
  const error = lines.filter((l) => /\blevel=(error|fatal)\b/.test(l)).pop();
  return (error ?? lines[0] ?? '').slice(0, 300);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One line describing a call, for failure messages. */
export function describeCall(c: CallRecord): string {
  const how = c.error ? `could not run: ${c.error}` : c.timedOut ? 'timed out' : c.signal ? `killed by ${c.signal}` : `exit ${c.code}`;
  const err = reasonLine(c.stderr);
  return `\`${c.args.join(' ')}\`: ${how}${err ? `: ${err}` : ''}`;
}

export { clampSpecVersion, specLine, spokenSpecVersion, type SpokenVersion } from '@ocikit/container';
