import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * For tests that try to get out of a root: `DIR/ROOT` (empty) and, beside
 * it, `DIR/outside` holding one host file whose content must survive.
 */
export function rootBesideHost(dir: string, rootName: string, [hostName, hostContent]: [string, string]): { rootDir: string; outside: string } {
  const rootDir = path.join(dir, rootName);
  const outside = path.join(dir, 'outside');
  mkdirSync(rootDir);
  mkdirSync(outside);
  writeFileSync(path.join(outside, hostName), hostContent);
  return { rootDir, outside };
}
