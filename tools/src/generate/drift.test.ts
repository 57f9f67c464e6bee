import { describe, expect, it } from '@jest/globals';
import { REGENERATE_COMMAND, REPO_ROOT, RUNTIME_HELPERS, VALIDATION_PACKAGE, generateAll } from './generate.js';
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

describe('generated modules', () => {
  const files = generateAll();
  const modules = [...files].filter(([file]) => file.endsWith('.ts'));

  it(`import only ${VALIDATION_PACKAGE} and each other (no copy of the validation runtime in any package)`, () => {
    expect(modules.length).toBeGreaterThan(0);
    for (const [file, content] of modules) {
      const imported = [...content.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1]!);
      for (const spec of imported) expect({ file, spec, ok: spec === VALIDATION_PACKAGE || /^\.\/[a-z-]+\.js$/.test(spec) }).toEqual({ file, spec, ok: true });
    }
  });

  it(`call only helpers ${VALIDATION_PACKAGE} exports`, async () => {
    const validation = (await import(VALIDATION_PACKAGE)) as Record<string, unknown>;
    for (const helper of Object.values(RUNTIME_HELPERS)) expect({ helper, type: typeof validation[helper] }).toEqual({ helper, type: 'function' });
  });
});
