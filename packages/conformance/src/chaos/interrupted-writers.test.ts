/**
 * Writers killed at random points. SIGTERM and SIGINT: the writer removes
 * its scratch, then dies of the signal (a shell reports 143 or 130). SIGKILL: its scratch stays until the
 * next writer, whose retry succeeds and leaves no scratch. The layout (or
 * the bundle's folder) is never half-written: the previous state or the
 * new one, nothing between.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../test-support/run-cli.js';
import { scratchDir } from '../test-support/scratch.js';
import { exitOf, type Exit, layoutErrors, randomPause, refsOf, ROUNDS, scratchIn, startCli, writeBundle } from './fixtures.js';

/** Each signal, and whether the writer cleans up after it (SIGKILL leaves scratch for the next writer). */
const SIGNALS = [
  ['SIGTERM', true],
  ['SIGINT', true],
  ['SIGKILL', false],
] as const;

/** Long enough that most kills land while the writer works; some land before it starts or after it ends. */
const KILL_WINDOW_MS = 1500;

let tmp: string;
let bundle: string;
let source: string;
/** The digest of the bundle an unpack that is not interrupted makes. */
let wholeBundleDigest: string;
beforeAll(async () => {
  tmp = scratchDir('chaos-interrupted');
  bundle = writeBundle(path.join(tmp, 'bundle'), 7);
  source = path.join(tmp, 'source');
  const r = await runCli(['pack', '--image', `${source}:v1`, bundle]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  const whole = path.join(tmp, 'whole');
  expect((await runCli(['unpack', '--rootless', '--image', `${source}:v1`, whole])).code).toBe(0);
  wholeBundleDigest = (await runCli(['bundle', 'digest', whole])).stdout;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A writer that did not finish first dies of the signal (after cleaning up, for SIGINT and SIGTERM), saying nothing. */
function expectInterrupted(exit: Exit, signal: NodeJS.Signals): void {
  if (exit.code === 0) return; // it finished before the signal came
  const how = { code: exit.code, signal: exit.signal, stderr: exit.stderr };
  expect(how).toEqual({ code: null, signal, stderr: '' });
}

describe('chaos: writers killed at random points', () => {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [signal, cleansUp] of SIGNALS) {
      it(`pack into a layout, ${signal} (round ${round + 1}); the retry lands and no scratch remains`, async () => {
        const layout = path.join(tmp, `pack-${signal}-${round}`);
        const first = await runCli(['pack', '--image', `${layout}:before`, bundle, '--compress', 'none']);
        expect(first.code).toBe(0);
        const child = startCli(['pack', '--image', `${layout}:v1`, bundle]);
        await randomPause(KILL_WINDOW_MS);
        child.kill(signal);
        const exit = await exitOf(child);
        expectInterrupted(exit, signal);
        if (cleansUp) expect(scratchIn(layout)).toEqual([]);
        // Before or after: never between.
        expect(await layoutErrors(layout)).toBe('');
        expect(['before', 'before,v1']).toContain((await refsOf(layout)).join(','));

        const retry = await runCli(['pack', '--image', `${layout}:v1`, bundle]);
        expect([retry.code, retry.stderr]).toEqual([0, '']);
        expect(await refsOf(layout)).toEqual(['before', 'v1']);
        expect(scratchIn(layout)).toEqual([]);
        expect(scratchIn(tmp)).toEqual([]);
      });

      it(`pack into an oci-archive, ${signal} (round ${round + 1}); the retry lands and no scratch remains`, async () => {
        const dir = path.join(tmp, `archive-${signal}-${round}`);
        mkdirSync(dir);
        const archive = path.join(dir, 'image.tar');
        const child = startCli(['pack', '--image', `${archive}:v1`, bundle]);
        await randomPause(KILL_WINDOW_MS);
        child.kill(signal);
        expectInterrupted(await exitOf(child), signal);
        if (cleansUp) expect(scratchIn(dir)).toEqual([]);
        if (existsSync(archive)) expect(await layoutErrors(archive)).toBe('');

        const retry = await runCli(['pack', '--image', `${archive}:v2`, bundle]);
        expect([retry.code, retry.stderr]).toEqual([0, '']);
        expect(scratchIn(dir)).toEqual([]);
        expect(await layoutErrors(archive)).toBe('');
      });

      it(`unpack, ${signal} (round ${round + 1}); no half bundle, the retry lands and no scratch remains`, async () => {
        const parent = path.join(tmp, `unpack-${signal}-${round}`);
        mkdirSync(parent);
        const target = path.join(parent, 'bundle');
        const child = startCli(['unpack', '--rootless', '--image', `${source}:v1`, target]);
        await randomPause(KILL_WINDOW_MS);
        child.kill(signal);
        const exit = await exitOf(child);
        expectInterrupted(exit, signal);
        if (cleansUp) expect(scratchIn(parent)).toEqual([]);
        // The bundle appears whole (renamed into place at the end) or not at all.
        if (existsSync(target)) {
          const digest = await runCli(['bundle', 'digest', target]);
          expect([digest.code, digest.stdout]).toEqual([0, wholeBundleDigest]);
          rmSync(target, { recursive: true, force: true });
        }
        const retry = await runCli(['unpack', '--rootless', '--image', `${source}:v1`, target]);
        expect([retry.code, retry.stderr]).toEqual([0, '']);
        expect(scratchIn(parent)).toEqual([]);
      });
    }
  }
});
