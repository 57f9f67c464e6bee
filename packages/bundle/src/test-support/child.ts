/**
 * Child processes for tests of what survives a crash or a signal: a
 * TypeScript module run by tsx, and the pid of a process that is gone.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// tsx's loader in this very node, so the child's pid is the process that runs the script (a signal reaches it).
const TSX_LOADER = path.resolve(here, '../../../../node_modules/tsx/dist/loader.mjs');
/** The package's src/ folder, for imports in child scripts. */
export const SRC = path.resolve(here, '..');

/** Start `script` (TypeScript, ESM, may import from SRC) with `args`; stdout is piped. */
export function startChild(dir: string, script: string, args: string[] = []): ChildProcessByStdio<null, Readable, null> {
  const file = path.join(dir, `child-${Math.random().toString(16).slice(2)}.mts`);
  writeFileSync(file, script);
  return spawn(process.execPath, ['--import', pathToFileURL(TSX_LOADER).href, file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Resolves with the first line the child prints. */
export async function firstLine(child: ChildProcessByStdio<null, Readable, null>): Promise<string> {
  let text = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout as AsyncIterable<string>) {
    text += chunk;
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl);
  }
  throw new Error(`child exited before printing a line (${text})`);
}

/** Exit code and signal of a child once it has ended. */
export async function ended(child: ChildProcessByStdio<null, Readable, null>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

/** The pid of a process that has exited (and been reaped). */
export function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}
