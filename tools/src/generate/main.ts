// Entry of `npm run generate`: writes what generateAll() returns, removes stale
// generated files, and with --check only reports drift (exit 1).
import { mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { REGENERATE_COMMAND, REPO_ROOT, generateAll, generatedRoots } from './generate.js';
import { diffGenerated, listFiles } from './drift.js';

const check = process.argv.includes('--check');
const files = generateAll();

if (check) {
  const drift = diffGenerated(files);
  if (drift.length > 0) {
    console.error(`Generated files drift from the types (${drift.length}):\n${drift.map((d) => `  ${d}`).join('\n')}\nRun \`${REGENERATE_COMMAND}\` and commit the result.`);
    process.exit(1);
  }
  console.log(`generated files up to date (${files.size})`);
} else {
  let written = 0;
  for (const [rel, content] of files) {
    const abs = path.join(REPO_ROOT, rel);
    let current: string | undefined;
    try {
      current = readFileSync(abs, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.tmp-${process.pid}`;
    writeFileSync(tmp, content);
    renameSync(tmp, abs);
    written++;
  }
  let removed = 0;
  for (const root of generatedRoots()) {
    for (const rel of listFiles(root)) {
      if (!files.has(rel)) {
        rmSync(path.join(REPO_ROOT, rel));
        removed++;
      }
    }
  }
  console.log(`generate: ${files.size} files, ${written} written, ${removed} stale removed`);
}

