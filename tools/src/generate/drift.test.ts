import { describe, expect, it } from '@jest/globals';
import { REGENERATE_COMMAND, REPO_ROOT, generateAll } from './generate.js';
import { diffGenerated } from './drift.js';
import { SCHEMA_REGISTRY } from './registry.js';

describe('generated schemas and validators', () => {
  const files = generateAll();

  it('match what the TypeScript types generate (run `npm run generate` when this fails)', () => {
    const drift = diffGenerated(files);
    if (drift.length > 0) {
      throw new Error(`generated files drift from the types:\n  ${drift.join('\n  ')}\nFix: ${REGENERATE_COMMAND}, then commit.`);
    }
    expect(drift).toEqual([]);
  });

  it('produce one schema per registry row, each with a $id and the banner', () => {
    for (const entry of SCHEMA_REGISTRY) {
      const text = files.get(`schemas/${entry.package}/${entry.kind}.schema.json`);
      expect(text).toBeDefined();
      const schema = JSON.parse(text!) as Record<string, unknown>;
      expect(schema['$id']).toBe(`urn:ocikit:schema:${entry.package}:${entry.kind}`);
      expect(String(schema['$comment'])).toContain(REGENERATE_COMMAND);
    }
  });

  it('carries no path of this checkout (output must be the same in any clone)', () => {
    for (const [file, content] of files) expect({ file, leaks: content.includes(REPO_ROOT) }).toEqual({ file, leaks: false });
  });

  it('is deterministic', () => {
    const again = generateAll();
    expect([...again.entries()]).toEqual([...files.entries()]);
  });
});
