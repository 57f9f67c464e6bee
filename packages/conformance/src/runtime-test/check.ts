/**
 * A check is data: the spec sentence it tests, its RFC 2119 level, a link to
 * the sentence, and a `run` that drives the runtime and throws (via `fail`
 * or `skip` from ./errors.js) when the runtime deviates or the check does not
 * apply. Its return value is the pass message.
 */
import type { ConfigBuilder, Spec } from '@ocikit/runtime-spec';
import type { CallRecord, RuntimeDriver } from './driver.js';
import type { HostFeatures } from './host.js';

/** RFC 2119 level of the sentence a check tests. */
export const Level = { Must: 'MUST', Should: 'SHOULD', May: 'MAY' } as const;
export type Level = (typeof Level)[keyof typeof Level];

/** Outcome of one check. */
export const Outcome = { Pass: 'pass', Fail: 'fail', Skip: 'skip' } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export interface Check {
  /** Stable, dotted: `<area>.<rule>` (`--only` matches it). */
  readonly id: string;
  readonly level: Level;
  /** Versioned link to the sentence. */
  readonly ref: string;
  /** The spec sentence, as close to the text as a sentence allows. */
  readonly text: string;
  /**
   * The runtime-spec release that introduced the rule. A runtime declaring
   * an older version (features `ociVersionMax`, else `--version`) is not held
   * to it: the check is skipped.
   */
  readonly since?: string;
  /**
   * The check makes no container (it asks the runtime about itself, or about
   * IDs that do not exist): it still runs when the preflight found that no
   * container can start on this host.
   */
  readonly standalone?: true;
  run(ctx: CheckContext): Promise<string | void>;
}

/** What the runtime said about itself before the checks ran. */
export interface RuntimeInfo {
  /** The runtime executable as given. */
  readonly path: string;
  /** `--version` output. */
  readonly versionText: string;
  /** The runtime's own version, when `--version` shows one. */
  readonly version?: string;
  /** The runtime-spec version `--version` declares (`spec: 1.0.2`). */
  readonly specVersion?: string;
  /** `features` output, when the runtime has the command. */
  readonly featuresText?: string;
}

/** How a check asks for a bundle. */
export interface BundleOptions {
  /** Process args (default `sh -c true`). */
  args?: string[];
  /** Shorthand for `args: ['sh', '-c', script]`. */
  script?: string;
  /** Typed edits on the default configuration. */
  configure?: (b: ConfigBuilder) => unknown;
  /** Edits the builder has no method for; `bundle` has the directories, for paths into them. */
  patch?: (spec: Spec, bundle: BundleDirs) => void;
  /** Content of the file connected to the container's stdin. */
  stdin?: string;
}

/** Where a bundle lies: known before its configuration is written. */
export interface BundleDirs {
  /** Absolute, symlink-free path of the bundle directory. */
  readonly dir: string;
  /** A host directory inside the bundle for hook scripts, logs and bind sources. */
  readonly host: string;
}

/** A bundle directory made for one check. */
export interface Bundle extends BundleDirs {
  readonly configPath: string;
  /** Files connected to the container's stdin, stdout and stderr by `create`. */
  readonly stdin: string;
  readonly stdout: string;
  readonly stderr: string;
  /** The configuration last written to config.json (a copy is yours to edit). */
  readonly spec: Spec;
  /** Rewrite config.json. */
  write(spec: Spec): void;
  /** What the container has written to stdout so far. */
  output(): string;
}

export interface CheckContext {
  /** A driver view recording this check's calls. */
  readonly driver: RuntimeDriver;
  readonly runtime: RuntimeInfo;
  /** What the host offers (cgroup controllers, user namespaces, seccomp...); see ./host.ts for the skips. */
  readonly host: HostFeatures;
  /** The runtime-spec release every config.json declares. */
  readonly specVersion: string;
  /** PID of the harness, whose namespaces are the runtime's. */
  readonly hostPid: number;
  /** Per-call timeout in milliseconds (also how long to wait for a status). */
  readonly timeoutMs: number;
  /** A fresh bundle on the run's rootfs. */
  bundle(name: string, options?: BundleOptions): Bundle;
  /** A container ID unique to this run. */
  newId(): string;
  /** Run `fn` once per run and share its result between checks (scenarios several checks assert on). */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** One result, as reporters print it. */
export interface CheckResult {
  readonly id: string;
  readonly level: Level;
  readonly ref: string;
  readonly text: string;
  readonly status: Outcome;
  readonly message: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly durationMs: number;
  /** Runtime calls the check made (for diagnosis of failures). */
  readonly calls: readonly CallRecord[];
}
