/**
 * `ocikit bundle digest` of an unpacked realistic image against the floor:
 * `find rootfs -type f -print0 | xargs -0 openssl dgst -sha256`, every file
 * read and hashed once. The image (three layers, tens of thousands of
 * files, a few hundred MB, whiteouts made by umoci repack after deletions)
 * is built here from files on the machine, in tmpfs, and kept between runs.
 * `pack.ts` uses the same image.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_TMP, compare, peakMemoryMiB } from './harness.js';
import type { Benchmark } from './registry.js';

export const OCIKIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/conformance/bin/ocikit.js');
export const PACK_WORK = path.join(BENCH_TMP, 'ocikit-bench-pack');
const LAYOUT = path.join(PACK_WORK, 'layout');
const REF = 'bench';

export function sh(argv: string[], cwd = PACK_WORK): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-800)}`);
  return String(r.stdout);
}

function copyIn(rootfs: string, sources: string[]): void {
  for (const src of sources) {
    if (!existsSync(src)) continue;
    const dest = path.join(rootfs, path.dirname(src));
    mkdirSync(dest, { recursive: true });
    sh(['cp', '-a', src, dest]);
  }
}

/**
 * The realistic image (built once), and an ocikit unpack of it:
 * `{ layout, ref, bundle }`.
 */
export function realisticBundle(): { layout: string; ref: string; bundle: string; files: number; bytes: number } {
  const marker = path.join(PACK_WORK, 'built');
  const bundle = path.join(PACK_WORK, 'bundle');
  if (!existsSync(marker)) {
    rmSync(PACK_WORK, { recursive: true, force: true });
    mkdirSync(PACK_WORK, { recursive: true });
    const build = path.join(PACK_WORK, 'build');
    sh(['umoci', 'init', '--layout', LAYOUT]);
    sh(['umoci', 'new', '--image', `${LAYOUT}:${REF}`]);
    sh(['umoci', 'unpack', '--image', `${LAYOUT}:${REF}`, build]);
    const rootfs = path.join(build, 'rootfs');
    copyIn(rootfs, ['/usr/include', '/usr/share/doc', '/usr/lib/python3', '/usr/share/zoneinfo', '/usr/share/i18n']);
    sh(['umoci', 'repack', '--refresh-bundle', '--image', `${LAYOUT}:${REF}`, build]);
    const doc = path.join(rootfs, 'usr/share/doc');
    for (const name of readdirSync(doc)) if (name.startsWith('lib')) rmSync(path.join(doc, name), { recursive: true, force: true });
    rmSync(path.join(rootfs, 'usr/include/linux'), { recursive: true, force: true });
    copyIn(rootfs, ['/usr/share/vim', '/usr/lib/python3.11']);
    sh(['umoci', 'repack', '--refresh-bundle', '--image', `${LAYOUT}:${REF}`, build]);
    rmSync(path.join(rootfs, 'usr/share/zoneinfo/America'), { recursive: true, force: true });
    copyIn(rootfs, ['/usr/share/locale']);
    sh(['umoci', 'repack', '--refresh-bundle', '--image', `${LAYOUT}:${REF}`, build]);
    sh(['umoci', 'gc', '--layout', LAYOUT]);
    rmSync(build, { recursive: true, force: true });
    sh(['node', OCIKIT, 'unpack', '--image', `${LAYOUT}:${REF}`, bundle]);
    sh(['touch', marker]);
  }
  const files = Number(sh(['sh', '-c', `find '${bundle}/rootfs' -type f | wc -l`]).trim());
  const bytes = Number(sh(['du', '-sb', path.join(bundle, 'rootfs')]).split('\t')[0]);
  return { layout: LAYOUT, ref: REF, bundle, files, bytes };
}

export const bundleDigestBenchmark: Benchmark = {
  name: 'bundle-digest',
  description: 'ocikit bundle digest vs find | xargs openssl dgst -sha256 over the rootfs (tmpfs)',
  async run() {
    const { bundle, files, bytes } = realisticBundle();
    console.log(`   bundle: ${files} files, ${(bytes / 2 ** 20).toFixed(0)} MiB`);
    await compare({
      name: 'bundle digest: ocikit vs find | xargs openssl dgst',
      ours: { label: 'ocikit bundle digest', argv: ['node', OCIKIT, 'bundle', 'digest', bundle] },
      theirs: { label: 'find -type f | xargs openssl dgst -sha256', argv: ['sh', '-c', `find rootfs -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null`], options: { cwd: bundle } },
      rounds: 5,
      units: { count: files, label: 'files' },
      target: { maxRatio: 1.5 },
    });
    const peak = peakMemoryMiB(['node', OCIKIT, 'bundle', 'digest', bundle]);
    console.log(`   peak RSS of ocikit bundle digest: ${peak.toFixed(0)} MiB (target < 300 MiB)`);
  },
};
