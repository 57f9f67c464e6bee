// Test helpers: where the fixtures are and how to list them. Not built (tsconfig.build excludes this folder).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');

/** JSON files directly in a fixtures sub-folder (sorted), or [] when it does not exist. */
export function fixtureFiles(...rel: string[]): string[] {
  const dir = path.join(FIXTURES, ...rel);
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

export function readBytes(file: string): Buffer {
  return readFileSync(file);
}
