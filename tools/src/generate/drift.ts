import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, generatedRoots } from './generate.js';

/** Paths whose committed content differs from freshly generated content (or that should not exist). */
export function diffGenerated(files: ReadonlyMap<string, string>): string[] {
  const drift: string[] = [];
  for (const [rel, content] of files) {
    let current: string | undefined;
    try {
      current = readFileSync(path.join(REPO_ROOT, rel), 'utf8');
    } catch {
      current = undefined;
    }
    if (current === undefined) drift.push(`${rel} (missing)`);
    else if (current !== content) drift.push(`${rel} (differs)`);
  }
  for (const root of generatedRoots()) {
    for (const rel of listFiles(root)) if (!files.has(rel)) drift.push(`${rel} (stale: nothing generates it)`);
  }
  return drift;
}

/** Repo-relative paths of every file below `rel` (none when it does not exist). */
export function listFiles(rel: string): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(`${rel}/${e.name}`) : [`${rel}/${e.name}`]));
}
