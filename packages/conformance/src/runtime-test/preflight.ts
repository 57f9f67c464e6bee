/**
 * The preflight: before any check, one smoke container tells a host or
 * runtime that cannot run containers at all from a runtime that breaks a
 * rule. When it cannot start, the report says so once, with the runtime's
 * own words, and every check that needs a container is skipped with that
 * reason instead of failing one by one.
 */
import type { BundleFactory } from './bundle.js';
import { describeCall, isObject, sleep, type CallRecord, type RuntimeDriver } from './driver.js';

/** What the smoke container showed. */
export interface Preflight {
  /** A container was created, started, printed its marker and stopped. */
  readonly ok: boolean;
  /** When not ok: the step that failed and the runtime's own message, one line. */
  readonly problem?: string;
  /** A way around a known host problem, when there is one. */
  readonly hint?: string;
  readonly calls: readonly CallRecord[];
}

const MARKER = 'ocikit-preflight-ok';

/**
 * The runtime's own message from a failed call, one line: the last `msg="…"`
 * of logrus-style output (runc), else the last non-empty stderr line.
 */
export function runtimeMessage(call: CallRecord): string {
  const text = `${call.stderr}\n${call.stdout}`;
  const logrus = [...text.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].pop()?.[1];
  if (logrus !== undefined) return logrus.replace(/\\"/g, '"').replace(/\\\\/g, '\\').slice(0, 400);
  const lines = call.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length) return lines[lines.length - 1]!.slice(0, 400);
  return describeCall(call);
}

/** A known host problem the runtime's message points at, and the way around it. */
function hintFor(message: string): string | undefined {
  if (/hybrid/i.test(message) && /cgroup/i.test(message)) {
    return 'the runtime refuses a cgroup v1+v2 (hybrid) host; `ocikit runtime-test --private-cgroup2` runs the suite in a private mount namespace without the cgroup2 hierarchy, where the runtime sees plain cgroup v1';
  }
  return undefined;
}

/** Create, start and wait for a container that prints a marker; always deletes it. */
export async function runPreflight(driver: RuntimeDriver, bundles: BundleFactory, id: string, timeoutMs: number): Promise<Preflight> {
  const bundle = bundles.create('preflight', { args: ['sh', '-c', `echo ${MARKER}`] });
  const failed = (step: string, call: CallRecord): Preflight => {
    const message = runtimeMessage(call);
    const hint = hintFor(message);
    return { ok: false, problem: `${step} failed: ${message}`, ...(hint !== undefined && { hint }), calls: driver.calls };
  };
  try {
    const created = await driver.create(id, { bundle: bundle.dir, stdin: bundle.stdin, stdout: bundle.stdout, stderr: bundle.stderr });
    if (created.code !== 0) return failed('create', created);
    const started = await driver.start(id);
    if (started.code !== 0) return failed('start', started);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (bundle.output().includes(MARKER)) break;
      const { state } = await driver.state(id);
      const stopped = isObject(state) && state['status'] === 'stopped';
      if (stopped && bundle.output().includes(MARKER)) break;
      if (stopped || Date.now() >= deadline) {
        return { ok: false, problem: `the smoke container ran but did not print its marker (${stopped ? 'it stopped' : `still running after ${timeoutMs} ms`}); stdout ${JSON.stringify(bundle.output().slice(0, 200))}`, calls: driver.calls };
      }
      await sleep(20);
    }
    return { ok: true, calls: driver.calls };
  } finally {
    await driver.delete(id, { force: true });
  }
}
