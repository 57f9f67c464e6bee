import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `ocikit` bin: end-to-end tests run exactly what users run. */
export const OCIKIT_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/ocikit.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn `ocikit ARGS` with optional stdin; resolves when it exits. */
export function runCli(args: string[], options: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OCIKIT_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run `ocikit ARGS` with a real terminal as stdin, stdout and stderr (util-linux
 * `script` allocates the pty). What the terminal showed comes back as one text.
 */
export function runCliOnTty(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; screen: string }> {
  const commandLine = [process.execPath, OCIKIT_BIN, ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', commandLine, '/dev/null'], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen: Buffer.concat(out).toString('utf8') }));
  });
}

/**
 * `ocikit ARGS` as the unprivileged user nobody, with HOME `home`. The Node
 * running the tests may live where nobody cannot reach it (CI's other Node
 * lines are under /root): a copy of it goes in `dir`. The environment is
 * PATH, HOME and `env` only.
 */
export function runCliAsNobody(dir: string, home: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const node = path.join(dir, 'node');
  if (!existsSync(node)) copyFileSync(process.execPath, node);
  chmodSync(node, 0o755);
  mkdirSync(home, { recursive: true });
  chownSync(home, 65534, 65534);
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', '-i', `PATH=${process.env['PATH']}`, `HOME=${home}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), node, OCIKIT_BIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}
