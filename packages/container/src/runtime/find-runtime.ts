/**
 * `--runtime runc` or `--runtime /path/to/runc`: a bare name is looked up on
 * PATH and then in the sbin directories, where Debian installs runc
 * (/usr/sbin) and which a non-root PATH often lacks.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ContainerError, ContainerErrorCode } from '../errors.js';

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The runtime's path: `nameOrPath` itself when it names a path, else the first executable of that name. */
export function findRuntime(nameOrPath: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (nameOrPath.includes('/')) return path.resolve(cwd, nameOrPath);
  const dirs = [...(env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, nameOrPath);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new ContainerError(
    ContainerErrorCode.RuntimeNotFound,
    `expected a runtime named "${nameOrPath}" on PATH or in ${SBIN_DIRS.join(', ')}, found none (install it, e.g. apt-get install ${nameOrPath}, or give its path)`,
  );
}
