/**
 * A soak of 200 unpack/pack cycles in one process, through the library:
 * open file descriptors and resident memory stay flat (what a long-running
 * registry or build service embedding ocikit relies on).
 */
import { describe, expect, it } from '@jest/globals';
import { appendFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pack, unpack } from '@ocikit/bundle';
import { scratchIn, writeBundle } from './fixtures.js';
import { suiteScratch } from '@ocikit/testkit';

const CYCLES = Number(process.env.OCIKIT_SOAK_CYCLES ?? 200);
const WARM = 20;

const tmp = suiteScratch('chaos-soak');

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('chaos: soak', () => {
  it(`${CYCLES} unpack/pack cycles leave open descriptors and memory flat`, async () => {
    const layout = path.join(tmp.dir, 'layout');
    await pack(writeBundle(path.join(tmp.dir, 'seed'), 1, 20, 0), layout, { ref: 'c0' });
    let warm: { fds: number; rss: number } | undefined;
    for (let i = 1; i <= CYCLES; i++) {
      const bundle = path.join(tmp.dir, `bundle-${i}`);
      await unpack(layout, bundle, { ref: `c${i - 1}`, rootless: true });
      appendFileSync(path.join(bundle, 'rootfs', 'usr', 'd0', 'f0'), `cycle ${i}\n`);
      // Every tenth cycle through the gzip and hashing worker pools; the rest uncompressed on this thread, to keep the soak short.
      await pack(bundle, layout, { ref: `c${i}`, ...(i % 10 === 0 ? {} : { compression: 'none', threads: 1 }) });
      rmSync(bundle, { recursive: true, force: true });
      if (i === WARM) warm = { fds: openFds(), rss: process.memoryUsage().rss };
    }
    const end = { fds: openFds(), rss: process.memoryUsage().rss };
    // Descriptors: none leaked per cycle (a leak of one would add CYCLES - WARM).
    expect(end.fds).toBeLessThanOrEqual(warm!.fds + 4);
    // Memory: no growth with the cycle count beyond the collector's slack.
    expect(end.rss).toBeLessThanOrEqual(warm!.rss * 1.5 + (64 << 20));
    expect(scratchIn(layout)).toEqual([]);
    expect(scratchIn(tmp.dir)).toEqual([]);
  }, 600_000); // longer than the suite's 300 s hang guard: 200 cycles on a loaded 2-core machine
});
