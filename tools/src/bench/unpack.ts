/**
 * `ocikit unpack` against `umoci unpack` and against GNU tar extracting each
 * layer in order, on the realistic image (realistic-image.ts): three layers,
 * tens of thousands of files, a few hundred MB, whiteouts. Everything in
 * tmpfs.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { BENCH_TMP, compare, OCIKIT, peakMemoryMiB } from './harness.js';
import { realisticBundle, realisticImage } from './realistic-image.js';
import type { Benchmark } from './registry.js';

const WORK = path.join(BENCH_TMP, 'ocikit-bench-unpack');

export const benchmark: Benchmark = {
  name: 'unpack',
  description: 'ocikit unpack vs umoci unpack and vs tar -xzf of each layer (3 layers with whiteouts, tmpfs)',
  async run() {
    const { layout, ref, layers } = realisticImage();
    const image = `${layout}:${ref}`;
    const files = realisticBundle().paths;
    mkdirSync(WORK, { recursive: true });
    const sizes = layers.map((l) => statSync(l).size);
    const out = path.join(WORK, 'out');
    const clean = () => rmSync(out, { recursive: true, force: true });
    console.log(`   image: ${layers.length} layers, ${(sizes.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(0)} MiB compressed, ${files} paths unpacked`);
    const ours = { label: 'ocikit unpack', argv: ['node', OCIKIT, 'unpack', '--image', image, out], before: clean };
    await compare({
      name: 'unpack: ocikit vs umoci',
      ours,
      theirs: { label: 'umoci unpack', argv: ['umoci', 'unpack', '--image', image, out], before: clean },
      rounds: 3,
      units: { count: files, label: 'files' },
      target: { maxRatio: 0.5 },
    });
    const tarAll = ['sh', '-c', `mkdir -p '${out}/rootfs' && ${layers.map((l) => `tar --recursive-unlink -xzf '${l}' -C '${out}/rootfs'`).join(' && ')}`];
    await compare({
      name: 'unpack: ocikit vs tar -xzf per layer',
      ours,
      theirs: { label: 'tar --recursive-unlink -xzf (each layer)', argv: tarAll, before: clean },
      rounds: 3,
      units: { count: files, label: 'files' },
      target: { maxRatio: 1.0 },
    });
    // zstd: Node 20 has no zstd; fzstd's streaming decoder is used (node:zlib's where the runtime has it).
    const zstd = realisticImage('zstd');
    await compare({
      name: 'unpack zstd: ocikit vs zstd -dc | tar -x per layer',
      ours: { label: 'ocikit unpack (zstd)', argv: ['node', OCIKIT, 'unpack', '--image', `${zstd.layout}:${zstd.ref}`, out], before: clean },
      theirs: {
        label: 'zstd -dc | tar -x (each layer)',
        argv: ['sh', '-c', `mkdir -p '${out}/rootfs' && ${zstd.layers.map((l) => `zstd -dc '${l}' | tar --recursive-unlink -x -C '${out}/rootfs'`).join(' && ')}`],
        before: clean,
      },
      rounds: 3,
      units: { count: files, label: 'files' },
    });
    clean();
    const peak = peakMemoryMiB(['node', OCIKIT, 'unpack', '--image', image, out]);
    console.log(`   peak RSS of ocikit unpack: ${peak.toFixed(0)} MiB (target < 300 MiB)`);
    clean();
  },
};
