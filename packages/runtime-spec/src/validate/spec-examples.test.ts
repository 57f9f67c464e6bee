import { describe, it, expect } from '@jest/globals';
import path from 'node:path';
import { validate, type RuntimeSpecKind } from '../index.js';
import { fixtureFiles, readBytes } from '../test-support/fixtures.js';

describe('every example of the runtime-spec markdown is valid', () => {
  const files = fixtureFiles('spec-examples');
  it('has the examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(70);
  });
  it.each(files.map((f) => [path.basename(f, '.json'), f]))('%s', (name, file) => {
    const kind = name.split('--')[0] as RuntimeSpecKind;
    const r = validate(kind, readBytes(file));
    expect(r.errors).toEqual([]);
  });
});

describe("runtime-spec's schema test files get the schema test's verdict", () => {
  const cases: [string, RuntimeSpecKind][] = [
    ['config', 'runtime-config'],
    ['features', 'runtime-features'],
  ];
  for (const [dir, kind] of cases) {
    const good = fixtureFiles('upstream-schema-tests', dir, 'good');
    const bad = fixtureFiles('upstream-schema-tests', dir, 'bad');
    it(`${dir} has good and bad files`, () => {
      expect(good.length).toBeGreaterThan(0);
      expect(bad.length).toBeGreaterThan(0);
    });
    it.each(good.map((f) => [path.basename(f), f]))(`${dir}/good/%s`, (_n, file) => {
      expect(validate(kind, readBytes(file)).errors).toEqual([]);
    });
    it.each(bad.map((f) => [path.basename(f), f]))(`${dir}/bad/%s`, (_n, file) => {
      const r = validate(kind, readBytes(file));
      expect(r.valid).toBe(false);
      // Upstream's bad files break the structure, so the schema tier reports them.
      expect(r.errors.some((e) => e.code.startsWith('SCHEMA_'))).toBe(true);
    });
  }

  it('the full example of config.md (an 0.5.0-dev document) only draws the pre-1.0 warning', () => {
    const file = fixtureFiles('upstream-schema-tests', 'config', 'good').find((f) => f.endsWith('spec-example.json'))!;
    expect(validate('runtime-config', readBytes(file)).warnings.map((w) => w.code)).toEqual(['SpecVersionPre1']);
  });
});
