/**
 * The runtime-spec release a runtime speaks, asked once per runtime binary
 * and kept in the store (`runtimes.json`, keyed by path, size and mtime), so
 * that a run does not pay for `runc features` every time.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StorePaths } from '../store/store-root.js';
import type { OciRuntime } from './oci-runtime.js';
import type { SpokenVersion } from './spec-version.js';

type Cache = Record<string, { key: string; spoken: SpokenVersion }>;

export async function cachedSpecVersion(paths: StorePaths, runtime: OciRuntime): Promise<SpokenVersion> {
  const file = path.join(paths.root, 'runtimes.json');
  const st = statSync(runtime.path);
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  let cache: Cache = {};
  try {
    cache = JSON.parse(readFileSync(file, 'utf8')) as Cache;
  } catch {
    // Missing or damaged: asked again and rewritten.
  }
  const hit = cache[runtime.path];
  if (hit?.key === key) return hit.spoken;
  const spoken = await runtime.specVersion();
  cache[runtime.path] = { key, spoken };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cache, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
  return spoken;
}
