/**
 * `ocikit run` against what it replaces, on a small busybox image served by
 * Debian's docker-registry on loopback (its storage, the stores, layouts and
 * bundles all in tmpfs). Every run is `echo hi`; the time that counts is from
 * spawn to the first byte on stdout (the time to exit is reported beside it:
 * `ocikit run --rm` removes its container after the output).
 *
 * - Cached: the image already pulled and unpacked in the store, so the pull
 *   policy "missing" does no network; against `runc run` on a bundle that
 *   `umoci unpack` made once. Beside it, for reading that ratio: a bare
 *   `node -e` printing the same bytes, what any node program pays first.
 * - First run: an empty store every round; against what a user would
 *   script: `skopeo copy` to a layout, `umoci unpack`, args set in
 *   config.json, `runc run`, timed as one.
 *
 * The image: Debian's static busybox with a few links, then a 20 MiB layer
 * of 320 files of base64 noise (umoci's gzip leaves it at ~19 MiB), so
 * pulling and unpacking cost something.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRegistry, type RunningRegistry } from '@ocikit/testkit/registry';
import { BENCH_TMP, compare, median, OCIKIT, sh, type Comparison, type ComparisonResult, type Contender } from './harness.js';
import type { Benchmark } from './registry.js';

const WORK = path.join(BENCH_TMP, 'ocikit-bench-run');
/** Debian's busybox-static: runs in an otherwise empty rootfs. */
const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'echo', 'ls', 'cat', 'true', 'env'];
const REPO = 'bench/busybox:latest';
const ROUNDS = 7;
/** What `echo hi` prints; anything else means the run did not do what is timed. */
const EXPECTED = 'hi\n';

/** The image, built with umoci in a layout of its own: busybox, then the data layer. */
function buildImage(layout: string): void {
  const image = `${layout}:latest`;
  const bundle = path.join(WORK, 'build');
  const rootfs = path.join(bundle, 'rootfs');
  sh(['umoci', 'init', '--layout', layout]);
  sh(['umoci', 'new', '--image', image]);
  sh(['umoci', 'config', '--image', image, '--config.cmd', 'sh', '--config.env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  sh(['umoci', 'unpack', '--image', image, bundle]);
  mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
  chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of APPLETS) symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  sh(['umoci', 'repack', '--refresh-bundle', '--image', image, bundle]);
  // 8 x 40 files of 64 KiB: 20 MiB.
  for (let d = 0; d < 8; d++) {
    const dir = path.join(rootfs, 'usr', 'share', 'bench', `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 40; f++) writeFileSync(path.join(dir, `f${f}.txt`), randomBytes(48 << 10).toString('base64'));
  }
  sh(['umoci', 'repack', '--image', image, bundle]);
  sh(['umoci', 'gc', '--layout', layout]);
  rmSync(bundle, { recursive: true, force: true });
}

/** Set `echo hi` as the process of the bundle umoci made, without a terminal. */
function setEchoHi(bundle: string): void {
  const file = path.join(bundle, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { process: { args: string[]; terminal?: boolean } };
  config.process.args = ['echo', 'hi'];
  config.process.terminal = false;
  writeFileSync(file, JSON.stringify(config));
}

/**
 * A child's first byte on stdout and its exit, both in ms from `t0`. The
 * exit rejects unless it exited 0 having printed exactly {@link EXPECTED}.
 */
function watch(child: ChildProcess, t0: number, label: string): { firstByte: Promise<number>; exit: Promise<number> } {
  let out = '';
  let err = '';
  const exit = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = performance.now() - t0;
      if (code === 0 && out === EXPECTED) resolve(ms);
      else reject(new Error(`${label}: exited ${code ?? signal}, stdout ${JSON.stringify(out.slice(0, 200))}, stderr ${JSON.stringify(err.slice(-800))}`));
    });
  });
  const firstByte = new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', () => resolve(performance.now() - t0));
    // Settles nothing once the first byte came; otherwise the exit's reason.
    exit.then(() => reject(new Error(`${label}: exited without output`)), reject);
  });
  return { firstByte, exit };
}

/**
 * Contenders timed to their first byte on stdout. A round's process is left
 * to finish (its --rm, runc's teardown) untimed: the next `before` waits for
 * it, and its time to exit is kept for the report.
 */
class FirstByteRuns {
  private last: Promise<number> | undefined;
  private readonly exits = new WeakMap<Contender, number[]>();

  /** Wait for the last process to exit; its failure is thrown here. */
  async settle(): Promise<void> {
    const last = this.last;
    this.last = undefined;
    await last;
  }

  /**
   * `setup` runs first inside the timed span (skopeo, umoci: steps of the
   * contender's own), then `launch` starts the process whose output counts;
   * `before` is untimed, after the previous process has exited.
   */
  contender(label: string, launch: () => ChildProcess, before?: () => void, setup?: () => void): Contender {
    const exits: number[] = [];
    const contender: Contender = {
      label,
      before: async () => {
        await this.settle();
        before?.();
      },
      fn: () => {
        const t0 = performance.now();
        setup?.();
        const { firstByte, exit } = watch(launch(), t0, label);
        const last = exit.then((ms) => (exits.push(ms), ms));
        last.catch(() => undefined); // handled when settled
        this.last = last;
        return firstByte;
      },
    };
    this.exits.set(contender, exits);
    return contender;
  }

  /** The harness's comparison of two contenders made here, then their times to exit (less compare's warm-up run). */
  async compare(cmp: Comparison): Promise<ComparisonResult> {
    const exits = [this.exits.get(cmp.ours)!, this.exits.get(cmp.theirs)!] as const;
    for (const e of exits) e.length = 0;
    const result = await compare(cmp);
    await this.settle();
    const [a, b] = exits.map((e) => e.slice(1));
    const paired = median(a!.map((x, i) => x / b![i]!));
    console.log(`   to exit: A median ${median(a!).toFixed(1)} ms, B median ${median(b!).toFixed(1)} ms, ratio A/B (paired) ${paired.toFixed(3)}; no target`);
    return result;
  }
}

const spawnPiped = (argv: string[], env?: NodeJS.ProcessEnv) => spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...(env && { env: { ...process.env, ...env } }) });

/** The containers ocikit left in a store (none with --rm), deleted through ocikit; their names. */
function deleteLeftContainers(store: string): string[] {
  const dir = path.join(store, 'containers');
  const names = existsSync(dir) ? readdirSync(dir) : [];
  for (const name of names) ocikitSync(store, ['delete', '--force', name]);
  return names;
}

/** `ocikit ARGS` on `store`, untimed. */
function ocikitSync(store: string, args: string[]): void {
  sh(['env', `OCIKIT_STORE=${store}`, 'node', OCIKIT, ...args]);
}

/** Registry requests logged so far (the access log's lines). */
function requestCount(registry: RunningRegistry): number {
  return readFileSync(registry.logFile, 'utf8').split('\n').filter((l) => /"(GET|HEAD|POST|PUT|PATCH) \/v2\//.test(l)).length;
}

export const benchmark: Benchmark = {
  name: 'run',
  description: 'ocikit run vs runc run (cached image) and vs skopeo copy + umoci unpack + runc run (first run), busybox from a loopback registry (tmpfs)',
  async run() {
    if (!existsSync(BUSYBOX)) throw new Error(`run: needs a static busybox at ${BUSYBOX} (apt-get install busybox-static)`);
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    const layout = path.join(WORK, 'layout');
    const warmStore = path.join(WORK, 'store-cached');
    const coldStore = path.join(WORK, 'store-cold');
    const runs = new FirstByteRuns();
    const runcIds = new Set<string>();
    let serial = 0;
    const runcId = () => {
      const id = `ocikit-bench-run-${process.pid}-${serial++}`;
      runcIds.add(id);
      return id;
    };
    const runcDelete = () => {
      for (const id of runcIds) sh(['runc', 'delete', '--force', id]);
      runcIds.clear();
    };
    let registry: RunningRegistry | undefined;
    try {
      buildImage(layout);
      registry = await startRegistry();
      const ref = `docker://${registry.host}/${REPO}`;
      sh(['skopeo', 'copy', '-q', '--dest-tls-verify=false', `oci:${layout}:latest`, ref]);
      const blobs = path.join(layout, 'blobs', 'sha256');
      const sizes = readdirSync(blobs).map((b) => statSync(path.join(blobs, b)).size);
      console.log(`   image: busybox + ${APPLETS.length} links, 320 files of 64 KiB; ${(sizes.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(1)} MiB of blobs; ${ROUNDS} rounds each`);
      const ocikitRun = (store: string) => () => spawnPiped(['node', OCIKIT, 'run', '--rm', '--tls-verify=false', ref, 'echo', 'hi'], { OCIKIT_STORE: store });

      // Cached: the store holds the image, pulled and unpacked by this first run.
      ocikitSync(warmStore, ['run', '--rm', '-q', '--tls-verify=false', ref, 'echo', 'hi']);
      const bundle = path.join(WORK, 'bundle-cached');
      sh(['umoci', 'unpack', '--image', `${layout}:latest`, bundle]);
      setEchoHi(bundle);
      const requestsBefore = requestCount(registry);
      const runcCached = () => spawnPiped(['runc', 'run', '--bundle', bundle, runcId()]);
      // What any node program pays before its first byte, for reading the cached ratio: no target.
      await runs.compare({
        name: 'floor: node printing hi vs runc run, spawn to first byte',
        ours: runs.contender('node -e (write hi)', () => spawnPiped(['node', '-e', `process.stdout.write(${JSON.stringify(EXPECTED)})`])),
        theirs: runs.contender('runc run (bundle unpacked once)', runcCached, runcDelete),
        rounds: ROUNDS,
      });
      await runs.compare({
        name: 'cached image, spawn to first byte: ocikit run --rm vs runc run',
        ours: runs.contender('ocikit run --rm (in store, unpacked)', ocikitRun(warmStore)),
        theirs: runs.contender('runc run (bundle unpacked once)', runcCached, runcDelete),
        rounds: ROUNDS,
        target: { maxRatio: 1.5 },
      });
      runcDelete();
      console.log(`   registry requests during the cached rounds: ${requestCount(registry) - requestsBefore}`);
      const leftCached = deleteLeftContainers(warmStore);
      if (leftCached.length > 0) console.log(`   ocikit run --rm left ${leftCached.length} container(s) in the store: ${leftCached.join(', ')}`);

      // First run: nothing in the store, or in skopeo's layout and umoci's bundle.
      const theirLayout = path.join(WORK, 'layout-pulled');
      const theirBundle = path.join(WORK, 'bundle-pulled');
      const left: string[] = [];
      const requestsBeforeFirst = requestCount(registry);
      await runs.compare({
        name: 'first run from the loopback registry, spawn to first byte: ocikit run --rm vs skopeo copy + umoci unpack + runc run',
        ours: runs.contender('ocikit run --rm (empty store)', ocikitRun(coldStore), () => {
          left.push(...deleteLeftContainers(coldStore));
          rmSync(coldStore, { recursive: true, force: true });
        }),
        theirs: runs.contender(
          'skopeo copy + umoci unpack + runc run',
          () => spawnPiped(['runc', 'run', '--bundle', theirBundle, runcId()]),
          () => {
            runcDelete();
            rmSync(theirLayout, { recursive: true, force: true });
            rmSync(theirBundle, { recursive: true, force: true });
          },
          () => {
            sh(['skopeo', 'copy', '-q', '--src-tls-verify=false', ref, `oci:${theirLayout}:latest`]);
            sh(['umoci', 'unpack', '--image', `${theirLayout}:latest`, theirBundle]);
            setEchoHi(theirBundle);
          },
        ),
        rounds: ROUNDS,
        target: { maxRatio: 0.8 },
      });
      // Each side pulls in every round, the warm-up included.
      console.log(`   registry requests per round (both sides): ${((requestCount(registry) - requestsBeforeFirst) / (ROUNDS + 1)).toFixed(1)}`);
      left.push(...deleteLeftContainers(coldStore));
      if (left.length > 0) console.log(`   ocikit run --rm left ${left.length} container(s) in the store: ${left.join(', ')}`);
    } finally {
      // Each step on its own, so one failing still lets the rest clean up.
      const attempt = async (what: string, step: () => unknown) => {
        try {
          await step();
        } catch (err) {
          console.error(`   clean-up: ${what}: ${(err as Error).message}`);
        }
      };
      await attempt('the last run', () => runs.settle());
      await attempt('runc delete', runcDelete);
      for (const store of [warmStore, coldStore]) await attempt(`containers in ${store}`, () => deleteLeftContainers(store));
      await attempt('the registry', () => registry?.stop());
      await attempt(WORK, () => rmSync(WORK, { recursive: true, force: true }));
    }
  },
};
