/**
 * `ocikit pack` against `umoci repack` on the same bundle: the realistic
 * image's rootfs (see realistic-image.ts) as one new gzip layer on an empty
 * image, the case the issue measures (umoci 10.4 s for 490 MB). umoci
 * repack without --refresh-bundle leaves its bundle as it was, so every
 * round does the same work; each round writes into a fresh layout.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_TMP, compare, OCIKIT, peakMemoryMiB, sh } from './harness.js';
import { realisticBundle } from './realistic-image.js';
import type { Benchmark } from './registry.js';

const PACK_WORK = path.join(BENCH_TMP, 'ocikit-bench-pack');

export const packBenchmark: Benchmark = {
  name: 'repack',
  description: 'ocikit pack vs umoci repack: a whole rootfs as one gzip layer (tmpfs)',
  async run() {
    const { bundle: unpacked, files, bytes } = realisticBundle();
    mkdirSync(PACK_WORK, { recursive: true });
    // A umoci bundle of an empty image, its rootfs filled with the realistic tree.
    const base = path.join(PACK_WORK, 'empty');
    const umociBundle = path.join(PACK_WORK, 'umoci-bundle');
    if (!existsSync(path.join(umociBundle, 'umoci.json'))) {
      rmSync(base, { recursive: true, force: true });
      rmSync(umociBundle, { recursive: true, force: true });
      sh(['umoci', 'init', '--layout', base]);
      sh(['umoci', 'new', '--image', `${base}:e`]);
      sh(['umoci', 'unpack', '--image', `${base}:e`, umociBundle]);
      sh(['sh', '-c', `cp -a '${unpacked}/rootfs/.' '${umociBundle}/rootfs/'`]);
    }
    const ours = path.join(BENCH_TMP, 'ocikit-bench-pack-out');
    const theirs = path.join(PACK_WORK, 'theirs');
    const umociRepack = {
      label: 'umoci repack',
      argv: ['umoci', 'repack', '--image', `${theirs}:e`, umociBundle],
      before: () => {
        rmSync(theirs, { recursive: true, force: true });
        sh(['cp', '-a', base, theirs]);
      },
    };
    console.log(`   bundle: ${files} files, ${(bytes / 2 ** 20).toFixed(0)} MiB, packed as one gzip layer`);
    await compare({
      name: 'pack: ocikit pack (native libdeflate where installed) vs umoci repack',
      ours: { label: 'ocikit pack', argv: ['node', OCIKIT, 'pack', '--image', `${ours}:t`, umociBundle], before: () => rmSync(ours, { recursive: true, force: true }) },
      theirs: umociRepack,
      rounds: 3,
      units: { count: bytes / 2 ** 20, label: 'MiB' },
      target: { maxRatio: 0.7 },
    });
    // The portable deflater (byte-identical layers on every host), for the record: no target.
    await compare({
      name: 'pack --deflater wasm (portable output) vs umoci repack',
      ours: { label: 'ocikit pack --deflater wasm', argv: ['node', OCIKIT, 'pack', '--deflater', 'wasm', '--image', `${ours}:t`, umociBundle], before: () => rmSync(ours, { recursive: true, force: true }) },
      theirs: umociRepack,
      rounds: 3,
      units: { count: bytes / 2 ** 20, label: 'MiB' },
    });
    const layer = (dir: string) => Number(sh(['sh', '-c', `ls -S '${dir}/blobs/sha256' | head -1 | xargs -I{} stat -c %s '${dir}/blobs/sha256/{}'`]).trim());
    console.log(`   largest blob: ocikit ${(layer(ours) / 2 ** 20).toFixed(1)} MiB, umoci ${(layer(theirs) / 2 ** 20).toFixed(1)} MiB`);
    rmSync(ours, { recursive: true, force: true });
    const peak = peakMemoryMiB(['node', OCIKIT, 'pack', '--image', `${ours}:t`, umociBundle]);
    console.log(`   peak RSS of ocikit pack: ${peak.toFixed(0)} MiB (target < 300 MiB)`);
    rmSync(ours, { recursive: true, force: true });
  },
};
