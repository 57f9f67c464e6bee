/**
 * A runc-compatible runtime, as `ocikit run` drives it: its command line
 * (runtime-tools docs/command-line-interface.md, with runc's and crun's
 * `run`, `exec` and positional kill signal). Control calls (`state`, `kill`,
 * `delete`) have a timeout and come back as one typed error naming the
 * call; the container's own process (`run`, `exec`) is a child the caller
 * waits for, with the stdio it chooses.
 */
import { execFile, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { ContainerError, ContainerErrorCode } from '../errors.js';
import { findRuntime } from './find-runtime.js';
import { spokenSpecVersion, type SpokenVersion } from './spec-version.js';

/** What `state` reports (runtime-spec runtime.md "State"). */
export interface RuntimeState {
  ociVersion: string;
  id: string;
  /** `creating`, `created`, `running` or `stopped`. */
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

export interface OciRuntimeOptions {
  /** Path of the runtime executable. */
  path: string;
  /** The runtime's state directory (`--root`); its own default when undefined. */
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** Timeout of one control call (default 30 s). */
  timeoutMs?: number;
}

export interface SpawnOptions {
  stdio: StdioOptions;
  /** Start the runtime in a process group of its own (it then gets no terminal signals). */
  ownProcessGroup?: boolean;
}

export interface ExecOptions extends SpawnOptions {
  tty?: boolean;
  env?: readonly string[];
  cwd?: string;
  /** `UID[:GID]`, numeric. */
  user?: string;
}

const CONTROL_TIMEOUT_MS = 30_000;

function firstLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop()?.slice(0, 300) ?? '';
}

export class OciRuntime {
  readonly path: string;
  readonly root: string | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  constructor(options: OciRuntimeOptions) {
    this.path = options.path;
    this.root = options.root;
    this.env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? CONTROL_TIMEOUT_MS;
  }

  /** `runc`, `crun` or a path: found on PATH or in the sbin directories (RUNTIME_NOT_FOUND). */
  static find(nameOrPath: string, options: Omit<OciRuntimeOptions, 'path'> = {}): OciRuntime {
    const found = findRuntime(nameOrPath, options.env ?? process.env);
    try {
      accessSync(found, constants.X_OK);
    } catch (cause) {
      throw new ContainerError(ContainerErrorCode.RuntimeNotFound, `expected a runtime executable at ${JSON.stringify(found)}, found none`, { cause });
    }
    return new OciRuntime({ ...options, path: found });
  }

  private globalArgs(): string[] {
    return this.root === undefined ? [] : ['--root', this.root];
  }

  /** One control call; its stdout, or RUNTIME_FAILED with the runtime's own last line. */
  call(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.path, [...this.globalArgs(), ...args], { env: this.env, timeout: this.timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const how = err.killed ? `timed out after ${this.timeoutMs} ms` : typeof err.code === 'number' ? `exit ${err.code}` : String(err.code ?? err.message);
        const said = firstLine(stderr) || firstLine(stdout);
        reject(new ContainerError(ContainerErrorCode.RuntimeFailed, `${this.path} ${args[0]}: ${how}${said ? `: ${said}` : ''}`, { cause: err }));
      });
    });
  }

  /** The runtime-spec release to write configs in (what the runtime declares). */
  async specVersion(): Promise<SpokenVersion> {
    const features = await this.call(['features']).catch(() => undefined);
    const version = features === undefined ? await this.call(['--version']).catch(() => undefined) : undefined;
    return spokenSpecVersion({ ...(features !== undefined && { featuresText: features }), ...(version !== undefined && { versionText: version }) });
  }

  /** `state ID`; undefined when the runtime does not know the container. */
  async state(id: string): Promise<RuntimeState | undefined> {
    let out: string;
    try {
      out = await this.call(['state', id]);
    } catch (err) {
      // runc: "container does not exist"; crun: "No such file or directory" / "does not exist".
      if (err instanceof ContainerError && /does not exist|no such file|not found/i.test(err.message)) return undefined;
      throw err;
    }
    return JSON.parse(out) as RuntimeState;
  }

  /** `kill ID SIGNAL` (runc's positional form; crun takes it too). */
  async kill(id: string, signal: string): Promise<void> {
    await this.call(['kill', id, signal]);
  }

  /** `delete [--force] ID`. */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.call(['delete', ...(options.force ? ['--force'] : []), id]);
  }

  /**
   * `run --bundle B [--detach] ID`: create and start in one call. In the
   * foreground the runtime waits for the process, forwards the signals it
   * gets and exits with the process's status (128+N for signal N).
   */
  run(id: string, bundle: string, options: SpawnOptions & { detach?: boolean; pidFile?: string }): ChildProcess {
    const args = ['run', '--bundle', bundle, ...(options.detach ? ['--detach'] : []), ...(options.pidFile !== undefined ? ['--pid-file', options.pidFile] : []), id];
    return spawn(this.path, [...this.globalArgs(), ...args], { stdio: options.stdio, env: this.env, detached: options.ownProcessGroup === true });
  }

  /** `exec [-t] [--env K=V]... [--cwd D] [--user U:G] ID ARGS...`: a new process in a running container. */
  exec(id: string, args: readonly string[], options: ExecOptions): ChildProcess {
    const flags = [
      ...(options.tty ? ['--tty'] : []),
      ...(options.env ?? []).flatMap((e) => ['--env', e]),
      ...(options.cwd !== undefined ? ['--cwd', options.cwd] : []),
      ...(options.user !== undefined ? ['--user', options.user] : []),
    ];
    return spawn(this.path, [...this.globalArgs(), 'exec', ...flags, id, ...args], { stdio: options.stdio, env: this.env, detached: options.ownProcessGroup === true });
  }
}
