/**
 * `ocikit digest` against `openssl dgst` (the machine's ceiling: OpenSSL
 * uses the CPU's SHA instructions) on the same 1 GiB file in tmpfs, for
 * sha256 and sha512; blake3 against our own sha256; two files at once
 * (both cores) against openssl hashing them one after the other; and peak
 * memory for a 1 GiB file and a 10 GiB stream.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import path from 'node:path';
import { BENCH_TMP, compare, OCIKIT, peakMemoryMiB } from './harness.js';
import type { Benchmark } from './registry.js';

const GIB = 1 << 30;

/** A file of `size` random bytes, reused while it exists with that size. */
function randomFile(name: string, size: number): string {
  const file = path.join(BENCH_TMP, name);
  if (existsSync(file) && statSync(file).size === size) return file;
  const fd = openSync(file, 'w');
  const chunk = Buffer.allocUnsafe(16 << 20);
  for (let left = size; left > 0; left -= chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(left, chunk.length));
  closeSync(fd);
  return file;
}

/** Our digest of `file` and openssl's must agree before any timing means anything. */
function sameAnswer(file: string, algorithm: 'sha256' | 'sha512'): void {
  const ours = spawnSync(process.execPath, [OCIKIT, 'digest', '-a', algorithm, file], { encoding: 'utf8' });
  const theirs = spawnSync('openssl', ['dgst', `-${algorithm}`, '-r', file], { encoding: 'utf8' });
  const a = ours.stdout.split('  ')[0];
  const b = `${algorithm}:${theirs.stdout.split(' ')[0]}`;
  if (a !== b) throw new Error(`digest disagreement on ${file}: ocikit ${a}, openssl ${b}`);
}

function cpuPercent(argv: string[]): string {
  const r = spawnSync('/usr/bin/time', ['-f', '%P', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines = String(r.stderr).trim().split('\n');
  return lines[lines.length - 1]!;
}

export const benchmark: Benchmark = {
  name: 'digest',
  description: 'ocikit digest vs openssl dgst on a 1 GiB file in tmpfs (sha256, sha512), blake3 vs our sha256, two files on two cores, peak memory',
  async run() {
    const file = randomFile('ocikit-bench-digest-1g.bin', GIB);
    const second = randomFile('ocikit-bench-digest-1g-b.bin', GIB);
    const units = { count: GIB / (1 << 20), label: 'MiB' };
    const results = [];

    for (const algorithm of ['sha256', 'sha512'] as const) {
      sameAnswer(file, algorithm);
      results.push(
        await compare({
          name: `digest ${algorithm} 1 GiB: ocikit vs openssl`,
          ours: { label: `ocikit digest -a ${algorithm}`, argv: [process.execPath, OCIKIT, 'digest', '-a', algorithm, file] },
          theirs: { label: `openssl dgst -${algorithm}`, argv: ['openssl', 'dgst', `-${algorithm}`, file] },
          units,
          target: { maxRatio: 1.1 },
        }),
      );
    }

    results.push(
      await compare({
        name: 'digest blake3 vs sha256 1 GiB (both ocikit)',
        ours: { label: 'ocikit digest -a blake3', argv: [process.execPath, OCIKIT, 'digest', '-a', 'blake3', file] },
        theirs: { label: 'ocikit digest -a sha256', argv: [process.execPath, OCIKIT, 'digest', '-a', 'sha256', file] },
        units,
        target: { maxRatio: 1 },
      }),
    );

    // Two files: a worker per file, so wall time should approach one file's.
    const two = [file, second];
    results.push(
      await compare({
        name: 'digest sha256 2 x 1 GiB: ocikit (two cores) vs openssl (one after the other)',
        ours: { label: 'ocikit digest FILE FILE', argv: [process.execPath, OCIKIT, 'digest', ...two] },
        theirs: { label: 'openssl dgst -sha256 FILE FILE', argv: ['openssl', 'dgst', '-sha256', ...two] },
        units: { count: 2 * units.count, label: 'MiB' },
        target: { maxRatio: 0.75 },
      }),
    );
    console.log(`   CPU use, two files: ocikit ${cpuPercent([process.execPath, OCIKIT, 'digest', ...two])}, openssl ${cpuPercent(['openssl', 'dgst', '-sha256', ...two])}`);

    const memFile = peakMemoryMiB([process.execPath, OCIKIT, 'digest', file]);
    const memStream = peakMemoryMiB(['sh', '-c', `head -c ${10 * GIB} /dev/zero | '${process.execPath}' '${OCIKIT}' digest`]);
    const memTwo = peakMemoryMiB([process.execPath, OCIKIT, 'digest', ...two]);
    const memOpenssl = peakMemoryMiB(['openssl', 'dgst', '-sha256', file]);
    const ok = (mib: number) => (mib < 100 ? 'met' : 'NOT met');
    console.log(
      [
        '== digest peak memory (GNU time max RSS), target < 100 MiB',
        `   ocikit digest, 1 GiB file           ${memFile.toFixed(1)} MiB  ${ok(memFile)}`,
        `   ocikit digest, 10 GiB from stdin    ${memStream.toFixed(1)} MiB  ${ok(memStream)}`,
        `   ocikit digest, 2 x 1 GiB (workers)  ${memTwo.toFixed(1)} MiB  ${ok(memTwo)}`,
        `   openssl dgst, 1 GiB file            ${memOpenssl.toFixed(1)} MiB`,
      ].join('\n'),
    );
    if (results.some((r) => r.meetsTarget === false)) process.exitCode = 1;
  },
};
