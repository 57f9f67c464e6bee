/**
 * Shared by the chaos suite: bundles to pack, child `ocikit` processes to
 * kill, and the invariants every layout must keep whatever happened to the
 * writers (valid, every landed ref readable, no scratch left once a writer
 * has run after the crash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OCIKIT_BIN, runCli } from '../test-support/run-cli.js';

/** Chaos rounds: a few in a normal run, more with OCIKIT_CHAOS_ROUNDS (e.g. 20 by hand). */
export const ROUNDS = Number(process.env.OCIKIT_CHAOS_ROUNDS ?? 3);

const CONFIG = { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { args: ['/bin/sh'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } } };

/**
 * A bundle whose pack takes long enough to be interrupted in the middle:
 * `files` small files and one file of `bigMiB` MiB that compresses poorly.
 * `seed` makes bundles differ, so their images differ.
 */
export function writeBundle(dir: string, seed: number, files = 400, bigMiB = 8): string {
  const rootfs = path.join(dir, 'rootfs');
  for (let d = 0; d < 20; d++) mkdirSync(path.join(rootfs, 'usr', `d${d}`), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(rootfs, 'usr', `d${i % 20}`, `f${i}`), `file ${i} of bundle ${seed}\n`);
  let x = seed * 2654435761 + 1;
  const big = Buffer.allocUnsafe(bigMiB << 20);
  for (let i = 0; i < big.length; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    big.writeUInt32LE(x, i);
  }
  writeFileSync(path.join(rootfs, 'big'), big);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
  return dir;
}

/** Start `ocikit ARGS` to be signalled; output is discarded. */
export function startCli(args: string[]): ChildProcess & { stderrText: () => string } {
  const child = spawn(process.execPath, [OCIKIT_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let text = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (text += s));
  return Object.assign(child, { stderrText: () => text });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** How the child ended, and what it said on stderr. */
export async function exitOf(child: ChildProcess & { stderrText: () => string }): Promise<Exit> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  if (!child.stderr!.readableEnded) await once(child.stderr!, 'end');
  return { code: child.exitCode, signal: child.signalCode, stderr: child.stderrText() };
}

/** A uniformly random pause of up to `maxMs`: where in a writer's run the signal lands. */
export function randomPause(maxMs: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.floor(Math.random() * maxMs)));
}

/** Scratch entries (`.ocikit-tmp-…`, `.ocikit-unpack-…`, …) in `dir`; the lock files are not scratch. */
export function scratchIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.startsWith('.ocikit-') && !n.endsWith('lock'));
  } catch {
    return [];
  }
}

/** What `ocikit validate` (with `--deep`: layers too) says of an invalid layout or archive; '' when it is valid. */
export async function layoutErrors(layout: string, deep = false): Promise<string> {
  const r = await runCli(['validate', '--level', 'must', ...(deep ? ['--deep'] : []), layout]);
  return r.code === 0 ? '' : `${r.stdout}${r.stderr}`;
}

/** The ref names in a layout's index.json, sorted. */
export async function refsOf(layout: string): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
  return index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'] ?? '').sort();
}
