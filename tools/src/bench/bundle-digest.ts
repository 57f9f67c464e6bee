/**
 * `ocikit bundle digest` of an unpacked realistic image (realistic-image.ts)
 * against the floor: `find rootfs -type f -print0 | xargs -0 openssl dgst
 * -sha256`, every file read and hashed once.
 */
import { compare, OCIKIT, peakMemoryMiB } from './harness.js';
import { realisticBundle } from './realistic-image.js';
import type { Benchmark } from './registry.js';

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
