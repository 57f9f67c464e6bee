/**
 * Run the checks against a runtime: ask it for its version and features,
 * build the rootfs, run each selected check with its own driver view and
 * bundles, and remove every container and (unless asked to keep it) the work
 * directory, whatever happens.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { compareSemVer, parseSemVer } from '@ocikit/runtime-spec';
import { BundleFactory } from './bundle.js';
import type { Check, CheckContext, CheckResult, RuntimeInfo } from './check.js';
import { ALL_CHECKS } from './checks/index.js';
import { RuntimeDriver, specLine, spokenSpecVersion, type CleanupReport, type SpokenVersion } from './driver.js';
import { RuntimeTestError, RuntimeTestErrorCode } from './errors.js';
import { buildBusyboxRootfs, checkRootfs, findStaticBusybox, snapshotRootfs, tidyRootfs, type RootfsSnapshot } from './rootfs.js';
import { selectChecks } from './select.js';
import { readHostFeatures } from './host.js';
import { runPreflight, type Preflight } from './preflight.js';
import { imageRootfs, type ImageRootfsOptions } from './image-rootfs.js';
import { needsRoot } from './rootless.js';

export interface RunOptions {
  /** Runtime executable (path or name on PATH). */
  runtime: string;
  /** Root filesystem to use instead of a fresh busybox one. */
  rootfs?: string;
  /** An image (any `ocikit copy` source) to unpack as the root filesystem instead (see ./image-rootfs.ts). */
  image?: string;
  /**
   * Run as an unprivileged user can: bundles with a user namespace mapping
   * the caller to root and no cgroup resources, the runtime's state in the
   * work directory, and the checks that need root skipped (see ./rootless.ts).
   */
  rootless?: boolean;
  /** How `image` is fetched when it is in a registry. */
  imageOptions?: ImageRootfsOptions;
  /** `--only` patterns (see select.ts); empty runs everything. */
  only?: readonly string[];
  /** Keep the work directory (bundles, container output) for inspection. */
  keep?: boolean;
  /** Global options before every runtime command (e.g. `--root DIR`). */
  runtimeArgs?: readonly string[];
  /** runtime-spec release of every config.json (default: the newest the runtime declares; see `spokenSpecVersion`). */
  ociVersion?: string;
  /** Timeout of one runtime call, and of waiting for a status, in ms. */
  timeoutMs?: number;
  /** Interrupts the run; containers are still cleaned up. */
  signal?: AbortSignal;
  /** Where the work directory is made (default: the OS temp directory). */
  tmpDir?: string;
  /** The catalogue (default: every check). */
  checks?: readonly Check[];
  /** Called once the runtime answered and before the first check, with the number of checks. */
  onStart?: (runtime: RuntimeInfo, total: number) => void;
  /** Called once the preflight container ran (or could not), before the first check. */
  onPreflight?: (preflight: Preflight) => void;
  /** Called after each check, for progress output. */
  onResult?: (result: CheckResult, index: number, total: number) => void;
}

export interface Summary {
  pass: number;
  fail: number;
  skip: number;
}

export interface RunReport {
  runtime: RuntimeInfo;
  /** The runtime-spec release the configs declared, and why. */
  spec: SpokenVersion;
  /** The smoke container run before the checks: whether any container can start here. */
  preflight: Preflight | undefined;
  results: CheckResult[];
  summary: Summary;
  /** Containers left behind despite cleanup (should be empty). */
  cleanup: CleanupReport;
  /** Set when the run was interrupted before every check ran. */
  interrupted: boolean;
  /** The work directory, when kept. */
  workDir?: string;
  durationMs: number;
}

/** `runc version 1.1.5` / `crun version 1.8.1` and a `spec: 1.0.2-dev` line. */
export function parseVersion(text: string): { version?: string; specVersion?: string } {
  const first = text.split('\n')[0] ?? '';
  const version = /\bversion\s+v?(\d+\.\d+(?:\.\d+)?\S*)/i.exec(first)?.[1] ?? /\bv?(\d+\.\d+(?:\.\d+)?\S*)/.exec(first)?.[1];
  const specVersion = specLine(text);
  return { ...(version !== undefined && { version }), ...(specVersion !== undefined && { specVersion }) };
}

/** Does the runtime know the `features` command? Unknown commands exit non-zero. */
async function probeRuntime(driver: RuntimeDriver): Promise<RuntimeInfo> {
  const v = await driver.version();
  if (v.error !== undefined) {
    throw new RuntimeTestError(RuntimeTestErrorCode.RuntimeNotFound, `expected an executable runtime at ${driver.runtime}, found: ${v.error}`);
  }
  const f = await driver.features();
  return {
    path: driver.runtime,
    versionText: v.stdout.trim(),
    ...parseVersion(v.stdout),
    ...(f.code === 0 && { featuresText: f.stdout }),
  };
}

async function prepareRootfs(workDir: string, options: RunOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const { rootfs } = options;
  if (options.image !== undefined) {
    const dir = await imageRootfs(options.image, workDir, options.imageOptions);
    checkRootfs(dir, `the image ${options.image}`);
    return dir;
  }
  if (rootfs !== undefined) {
    checkRootfs(rootfs);
    return realpathSync(rootfs);
  }
  const busybox = findStaticBusybox(env);
  if (!busybox) {
    throw new RuntimeTestError(RuntimeTestErrorCode.NoRootfs, 'expected a static busybox (Debian: apt-get install busybox-static) or --rootfs DIR, found neither');
  }
  const dir = path.join(workDir, 'rootfs');
  buildBusyboxRootfs(dir, busybox);
  return dir;
}

/** A skip reason when the release tested is older than `since`. */
function olderThan(spec: SpokenVersion, since: string): string | undefined {
  const d = parseSemVer(spec.version);
  const s = parseSemVer(since);
  if (!d || !s || compareSemVer(d, s) >= 0) return undefined;
  const why = spec.source === 'override' ? '--oci-version' : spec.declared !== undefined ? `the runtime declares ${spec.declared}` : 'the default';
  return `a runtime-spec ${since} rule; testing runtime-spec ${spec.version} (${why})`;
}

function summarize(results: readonly CheckResult[]): Summary {
  const s: Summary = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) s[r.status] += 1;
  return s;
}

/** Run the selected checks; never leaves a container behind it could remove. */
export async function runRuntimeTest(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const checks = selectChecks(options.checks ?? ALL_CHECKS, options.only ?? []);
  const driverOptions = { runtime: options.runtime, globalArgs: options.runtimeArgs ?? [], ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }), ...(options.signal && { signal: options.signal }) };
  const runtime = await probeRuntime(new RuntimeDriver(driverOptions));
  // Before any work: an unknown --oci-version is the caller's error (UNSUPPORTED_VERSION).
  const spec = spokenSpecVersion(runtime, options.ociVersion);
  options.onStart?.(runtime, checks.length);
  const workDir = realpathSync(mkdtempSync(path.join(options.tmpDir ?? tmpdir(), 'ocikit-runtime-test-')));
  // Rootless: the runtime keeps its state in the work directory unless told where (an unprivileged user cannot write /run).
  const ownRoot = options.rootless && !driverOptions.globalArgs.some((a) => a === '--root' || a.startsWith('--root='));
  const driver = new RuntimeDriver({ ...driverOptions, globalArgs: [...driverOptions.globalArgs, ...(ownRoot ? [`--root=${path.join(workDir, 'runtime-root')}`] : [])] });
  const results: CheckResult[] = [];
  let interrupted = false;
  let cleanup: CleanupReport = { removed: [], leftovers: [] };
  // A user's rootfs gets mount points made in it; they are removed again at the end.
  let snapshot: RootfsSnapshot | undefined;
  let preflight: Preflight | undefined;
  try {
    const rootfs = await prepareRootfs(workDir, options, process.env);
    if (options.rootfs !== undefined) snapshot = snapshotRootfs(rootfs, [path.join(workDir, 'bundles')]);
    const bundles = new BundleFactory(workDir, rootfs, spec.version, options.rootless ? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 } : undefined);
    const host = readHostFeatures();
    const token = randomBytes(4).toString('hex');
    let serial = 0;
    const shared = new Map<string, Promise<unknown>>();
    // Only when a check needs a container: `--only features.valid` asks nothing of the host.
    if (checks.some((c) => !c.standalone)) {
      preflight = await runPreflight(driver.scope(), bundles, `ocikit-${token}-preflight`, driver.timeoutMs);
      await driver.cleanup();
      options.onPreflight?.(preflight);
    }
    // The problem itself is reported once (the preflight line); each check names the reason.
    const noContainer = preflight?.ok === false ? 'no container can start with this runtime on this host (see the preflight line)' : undefined;
    for (const check of checks) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const view = driver.scope();
      const ctx: CheckContext = {
        driver: view,
        runtime,
        host,
        specVersion: spec.version,
        hostPid: process.pid,
        timeoutMs: driver.timeoutMs,
        bundle: (name, bundleOptions) => bundles.create(`${check.id}-${name}`.slice(0, 80), bundleOptions),
        newId: () => `ocikit-${token}-${++serial}`,
        once: <T>(key: string, fn: () => Promise<T>): Promise<T> => {
          if (!shared.has(key)) shared.set(key, fn());
          return shared.get(key) as Promise<T>;
        },
      };
      const t0 = performance.now();
      const older = check.since !== undefined ? olderThan(spec, check.since) : undefined;
      const skipped = older ?? (check.standalone ? undefined : noContainer) ?? (options.rootless ? needsRoot(check.id) : undefined);
      if (skipped) {
        const full: CheckResult = { id: check.id, level: check.level, ref: check.ref, text: check.text, status: 'skip', message: skipped, durationMs: 0, calls: [] };
        results.push(full);
        options.onResult?.(full, results.length, checks.length);
        continue;
      }
      let result: Omit<CheckResult, 'durationMs' | 'calls'>;
      const base = { id: check.id, level: check.level, ref: check.ref, text: check.text };
      try {
        const message = await check.run(ctx);
        result = { ...base, status: 'pass', message: message ?? 'ok' };
      } catch (err) {
        if (err instanceof RuntimeTestError && err.code === RuntimeTestErrorCode.Aborted) {
          interrupted = true;
          break;
        }
        if (err instanceof RuntimeTestError && err.code === RuntimeTestErrorCode.Skipped) {
          result = { ...base, status: 'skip', message: err.message };
        } else if (err instanceof RuntimeTestError) {
          result = { ...base, status: 'fail', message: err.message, ...(err.expected !== undefined && { expected: err.expected }), ...(err.actual !== undefined && { actual: err.actual }) };
        } else {
          const e = err instanceof Error ? err : new Error(String(err));
          result = { ...base, status: 'fail', message: `harness error: ${e.message}` };
        }
      }
      // Containers this check left behind go now, not at the end of the run.
      await driver.cleanup();
      // A check cut short by the interruption proves nothing either way.
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const full: CheckResult = { ...result, durationMs: Math.round(performance.now() - t0), calls: view.calls };
      results.push(full);
      options.onResult?.(full, results.length, checks.length);
    }
  } finally {
    cleanup = await driver.cleanup();
    if (snapshot && cleanup.leftovers.length === 0) tidyRootfs(snapshot);
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
  return {
    runtime,
    spec,
    preflight,
    results,
    summary: summarize(results),
    cleanup,
    interrupted,
    ...(options.keep && { workDir }),
    durationMs: Math.round(performance.now() - started),
  };
}
