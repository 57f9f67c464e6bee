/**
 * A user's environment in a scratch directory for the credentials tests:
 * HOME, XDG_RUNTIME_DIR, a bin directory on PATH holding the real
 * `docker-credential-ocikittest` helper, and that helper's store.
 */
import { copyFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HELPER = fileURLToPath(new URL('./docker-credential-ocikittest', import.meta.url));

export interface TestHome {
  readonly home: string;
  readonly runtimeDir: string;
  readonly store: string;
  readonly env: NodeJS.ProcessEnv;
  /** The search's files, in order. */
  readonly runtimeFile: string;
  readonly configFile: string;
  readonly dockerFile: string;
  readonly dockercfg: string;
}

export function makeHome(dir: string): TestHome {
  const home = path.join(dir, 'home');
  const runtimeDir = path.join(dir, 'run');
  const bin = path.join(dir, 'bin');
  const store = path.join(dir, 'helper-store');
  for (const d of [home, runtimeDir, bin, store]) mkdirSync(d, { recursive: true, mode: 0o700 });
  copyFileSync(HELPER, path.join(bin, 'docker-credential-ocikittest'));
  chmodSync(path.join(bin, 'docker-credential-ocikittest'), 0o755);
  const env: NodeJS.ProcessEnv = { PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, HOME: home, XDG_RUNTIME_DIR: runtimeDir, OCIKITTEST_STORE: store };
  return {
    home,
    runtimeDir,
    store,
    env,
    runtimeFile: path.join(runtimeDir, 'containers', 'auth.json'),
    configFile: path.join(home, '.config', 'containers', 'auth.json'),
    dockerFile: path.join(home, '.docker', 'config.json'),
    dockercfg: path.join(home, '.dockercfg'),
  };
}

export function writeJson(file: string, value: unknown, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2), { mode });
}

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** An `auths` entry for USER:PASSWORD. */
export function basic(username: string, password: string): { auth: string } {
  return { auth: Buffer.from(`${username}:${password}`).toString('base64') };
}

/** What the helper logged: `ACTION SERVER` lines. */
export function helperLog(h: TestHome): string[] {
  try {
    return readFileSync(path.join(h.store, 'log'), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
