import { SPEC_VERSIONS } from '@ocikit/runtime-spec';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, enumOption, flags } from '../options.js';
import { ALL_CHECKS } from '../../runtime-test/checks/index.js';
import { RuntimeTestError, RuntimeTestErrorCode } from '../../runtime-test/errors.js';
import { humanLine, humanPreflight, humanSummary, mustFailed, tapFooter, tapHeader, tapLine, tapPreflight, toJson } from '../../runtime-test/report.js';
import { readHostFeatures } from '../../runtime-test/host.js';
import { PRIVATE_CGROUP2_ENV, runWithoutCgroup2 } from '../../runtime-test/private-cgroup2.js';
import { runRuntimeTest, type RunReport } from '../../runtime-test/run.js';
import { parsePatterns, selectChecks } from '../../runtime-test/select.js';
import { findRuntime } from '@ocikit/container';
import { REGISTRY_FLAGS, registryClientOptions, registryFlagsHelp } from '../registry-options.js';

const usage = `Usage: ocikit runtime-test --runtime NAME|PATH [--rootfs DIR | --image IMAGE] [--only PATTERN] [--tap | --json] [--keep]
                           [--timeout S] [--runtime-arg ARG]... [--oci-version V]
                           [--private-cgroup2] [--rootless]
       ocikit runtime-test --list [--only PATTERN]

Test an OCI runtime that speaks the runc command line (create, start, state,
kill, delete) against the runtime-spec: lifecycle, state, hooks, process and
Linux environment, features. Needs root and a static busybox (Debian:
busybox-static) or --rootfs. Every container it creates is removed, also on
failure and Ctrl-C.

  --runtime R     the runtime: a name found on PATH or in /usr/sbin, /sbin
                  (runc, crun), or the path of its executable
  --rootfs DIR    root filesystem with busybox applets in /bin (default: a
                  fresh one from the static busybox on this machine)
  --image IMAGE   the root filesystem of an image with busybox applets in
                  /bin: any source ocikit copy reads (busybox,
                  docker://HOST/REPO:TAG, oci:PATH:REF, oci-archive:PATH),
                  copied and unpacked, verified, into the work directory
  --platform P    the image's platform (default: this host's)
${registryFlagsHelp()}
  --only PATTERN  run the checks whose id matches: an id, a dotted prefix
                  (hooks), or a glob (process.cap*); comma-separated or repeated
  --tap           TAP version 13 (the default when stdout is not a terminal)
  --json          {"runtime","version","ociVersion","preflight","results":[{id,level,ref,status,message}],"summary"}
  --keep          keep the work directory (bundles, container output)
  --timeout S     seconds allowed for each runtime call (default 10)
  --runtime-arg A a global option put before every runtime command, e.g.
                  --runtime-arg=--root=/run/test (repeatable)
  --oci-version V runtime-spec release every config.json declares (${SPEC_VERSIONS.join(', ')});
                  default: the newest the runtime declares (features ociVersionMax,
                  else the spec: line of --version), clamped to those releases
  --rootless      run as an unprivileged user can: each bundle gets a user
                  namespace mapping you to root and no cgroup resources, the
                  runtime keeps its state in the work directory (unless
                  --runtime-arg --root=DIR), and the checks that need root
                  are skipped with the reason
  --private-cgroup2
                  on a cgroup v1+v2 (hybrid) host, run in a private mount
                  namespace without the cgroup2 hierarchy, where the runtime
                  sees plain cgroup v1 (crun 1.8 refuses hybrid hosts); the
                  host's mounts are not changed
  --list          print the checks (id, level, sentence) and exit

Before the checks, one smoke container runs. When it cannot start, the host
or the runtime's set-up is at fault, not a rule: the report says so once,
with the runtime's message, and every check that needs a container is
skipped.

Exit status: 0 no MUST failed, 1 a MUST failed, 2 usage error, no runtime or
no rootfs, 3 no container can start on this host (preflight), 130 interrupted.
`;

const INTERRUPTED = 130;
/** The preflight container could not start: nothing that needs a container was tested. */
const HOST_UNFIT = 3;

const options = {
  ...flags('string', 'runtime', 'rootfs', 'image', 'platform', 'timeout', 'oci-version'),
  ...REGISTRY_FLAGS,
  ...flags('boolean', 'tap', 'json', 'keep', 'list', 'private-cgroup2', 'rootless'),
  only: { type: 'string', multiple: true },
  'runtime-arg': { type: 'string', multiple: true },
} as const;

export const command = defineCommand('runtime-test', { summary: 'test an OCI runtime (runc command line) against the runtime-spec', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length > 0) throw new UsageError(`runtime-test: takes no arguments besides its options, found ${JSON.stringify(positionals[0])}`);
  const patterns = parsePatterns(values.only ?? []);
  const checks = selectChecks(ALL_CHECKS, patterns);
  if (checks.length === 0) throw new UsageError(`runtime-test: no check matches --only ${patterns.join(',')} (see --list)`);
  if (values.list) {
    await write(io.stdout, checks.map((c) => `${c.id}\t${c.level}\t${c.text}\t${c.ref}\n`).join(''));
    return ExitCode.Ok;
  }
  if (values.runtime === undefined || values.runtime === '') throw new UsageError('runtime-test: --runtime NAME|PATH is required');
  const runtime = findRuntime(values.runtime, io.env, io.cwd);
  if (values.tap && values.json) throw new UsageError('runtime-test: choose one of --tap and --json');
  if (values.rootfs !== undefined && values.image !== undefined) throw new UsageError('runtime-test: choose one of --rootfs and --image');
  if (values.platform !== undefined && values.image === undefined) throw new UsageError('runtime-test: --platform goes with --image');
  const ociVersion = values['oci-version'] === undefined ? undefined : enumOption('runtime-test', 'oci-version', values['oci-version'], SPEC_VERSIONS, values['oci-version']);
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new UsageError(`runtime-test: --timeout must be a positive number of seconds, not "${values.timeout}"`);

  if (values['private-cgroup2'] && io.env[PRIVATE_CGROUP2_ENV] !== '1') {
    const mount = readHostFeatures().cgroupV2Mount;
    if (mount === undefined) throw new UsageError('runtime-test: --private-cgroup2: this host mounts no cgroup2 hierarchy to hide');
    const script = process.argv[1];
    if (script === undefined) throw new UsageError('runtime-test: --private-cgroup2 needs the ocikit script path (process.argv[1])');
    return runWithoutCgroup2(mount, script, process.argv.slice(2), io.env);
  }

  // The bundles are not rootless: without root every create is expected to fail.
  if (process.getuid?.() !== 0 && !values.rootless) await write(io.stderr, 'ocikit: warning: runtime-test creates containers from root bundles; run it as root, or with --rootless\n');
  const mode = values.json ? 'json' : values.tap || io.stdout.isTTY !== true ? 'tap' : 'human';
  const color = mode === 'human' && !io.env['NO_COLOR'];
  // Ctrl-C and SIGTERM stop the run; the harness still removes its containers.
  const controller = new AbortController();
  // A reader that went away (`| head`) stops the run the same way: nobody reads the rest, and the containers still go.
  let output = Promise.resolve();
  let outputError: Error | undefined;
  const emit = (text: string) => {
    output = output
      .then(() => (outputError === undefined ? write(io.stdout, text) : undefined))
      .catch((err: unknown) => {
        outputError ??= err instanceof Error ? err : new Error('writing the report failed', { cause: err });
        controller.abort();
      });
  };

  const onSignal = () => {
    if (!controller.signal.aborted) void write(io.stderr, 'ocikit: interrupted, removing containers...\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Only an image in a registry needs the registry client: loaded then, not at every start.
  const registry = values.image === undefined ? undefined : (await import('@ocikit/transport')).registryOpener((host) => registryClientOptions('runtime-test', values, host, undefined, io));
  let report: RunReport;
  try {
    report = await runRuntimeTest({
      runtime,
      checks,
      ...(values.rootfs !== undefined && { rootfs: values.rootfs }),
      ...(values.image !== undefined && { image: values.image, imageOptions: { ...(registry && { registry }), ...(values.platform !== undefined && { platform: values.platform }) } }),
      ...(values.keep && { keep: true }),
      ...(values.rootless && { rootless: true }),
      runtimeArgs: values['runtime-arg'] ?? [],
      ...(ociVersion !== undefined && { ociVersion }),
      ...(timeout !== undefined && { timeoutMs: Math.round(timeout * 1000) }),
      signal: controller.signal,
      onStart: (runtime, total) => {
        if (mode === 'tap') emit(`${tapHeader({ runtime }, total)}\n`);
      },
      onPreflight: (preflight) => {
        if (mode === 'tap') emit(`${tapPreflight(preflight)}\n`);
        else if (mode === 'human') {
          const line = humanPreflight(preflight, color);
          if (line !== undefined) emit(`${line}\n`);
        }
      },
      onResult: (result, n) => {
        if (mode === 'tap') emit(`${tapLine(result, n)}\n`);
        else if (mode === 'human') emit(`${humanLine(result, color)}\n`);
      },
    });
  } catch (err) {
    await output;
    if (err instanceof RuntimeTestError && err.code === RuntimeTestErrorCode.Aborted) return INTERRUPTED;
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    registry?.close();
  }
  if (mode === 'json') emit(`${JSON.stringify(toJson(report), null, 2)}\n`);
  else if (mode === 'tap') emit(`${tapFooter(report)}\n`);
  else emit(humanSummary(report, color));
  await output;
  if (report.cleanup.leftovers.length) await write(io.stderr, `ocikit: could not remove containers ${report.cleanup.leftovers.join(' ')}\n`);
  if (report.workDir && mode !== 'human') await write(io.stderr, `ocikit: bundles kept in ${report.workDir}\n`);
  if (outputError !== undefined) {
    if ((outputError as NodeJS.ErrnoException).code === 'EPIPE') return INTERRUPTED;
    throw outputError;
  }
  if (report.interrupted) return INTERRUPTED;
  if (report.preflight?.ok === false) return HOST_UNFIT;
  return mustFailed(report.results) ? ExitCode.Failure : ExitCode.Ok;
});
