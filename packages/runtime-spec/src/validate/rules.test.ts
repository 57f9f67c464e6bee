import { describe, it, expect } from '@jest/globals';
import path from 'node:path';
import { validate, type RuntimeSpecKind, type ValidateOptions } from '../index.js';
import { fixtureFiles, readBytes } from '../test-support/fixtures.js';

// A fixture per rule, named after the code it must produce: invalid/<Code>.json
// has that code among its errors, valid/<Code>.json among its warnings (or notes
// at level MAY). A "--suffix" distinguishes several fixtures of one rule.
const OPTIONS: Record<string, ValidateOptions> = {
  ProcRequiredAtStart: { forStart: true },
  PlatformSpecConfOnWindowsSet: { os: 'windows' },
};

const KINDS: RuntimeSpecKind[] = ['runtime-config', 'runtime-state', 'runtime-features'];

describe.each(KINDS)('%s rule fixtures', (kind) => {
  const invalid = fixtureFiles(kind, 'invalid');
  const valid = fixtureFiles(kind, 'valid');

  it('has fixtures', () => {
    expect(invalid.length + valid.length).toBeGreaterThan(3);
  });

  it.each(invalid.map((f) => [path.basename(f, '.json'), f]))('invalid/%s', (name, file) => {
    const code = name.split('--')[0]!;
    const r = validate(kind, readBytes(file), OPTIONS[code] ?? {});
    expect(r.valid).toBe(false);
    expect(r.errors.map((e) => e.code)).toContain(code);
    for (const e of r.errors) {
      // The JSON reader refuses duplicate names (RFC 8259: SHOULD) and deep nesting (MAY) as errors.
      expect(e.level === 'MUST' || e.code === 'JSON_DUPLICATE_KEY' || e.code === 'JSON_TOO_DEEP').toBe(true);
      expect(e.ref).toMatch(/^https:\/\//);
      expect(e.path === '' || e.path.startsWith('/')).toBe(true);
    }
    // The same document without the rule's option is not flagged for it.
    if (OPTIONS[code]) expect(validate(kind, readBytes(file)).errors.map((e) => e.code)).not.toContain(code);
  });

  it.each(valid.map((f) => [path.basename(f, '.json'), f]))('valid/%s', (name, file) => {
    const code = name.split('--')[0]!;
    const r = validate(kind, readBytes(file), { level: 'MAY' });
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    if (code !== 'baseline' && !code.startsWith('baseline-')) {
      const hit = r.warnings.filter((w) => w.code === code);
      // "--" fixtures of a rule show where it must NOT fire.
      if (name.includes('--')) expect(hit).toEqual([]);
      else expect(hit.length).toBeGreaterThan(0);
    } else {
      expect(r.warnings).toEqual([]);
    }
  });
});

describe('levels', () => {
  const file = fixtureFiles('runtime-config', 'valid').find((f) => f.endsWith('LinuxProcCapAmbientNotInheritable.json'))!;

  it('hides MAY-level notes by default and shows them at level MAY', () => {
    expect(validate('runtime-config', readBytes(file)).warnings).toEqual([]);
    expect(validate('runtime-config', readBytes(file), { level: 'MAY' }).warnings.map((w) => w.level)).toContain('MAY');
  });

  it('reports no SHOULD-level warning at level MUST', () => {
    const warn = fixtureFiles('runtime-config', 'valid').find((f) => f.endsWith('RootPathOnPosixConvention.json'))!;
    expect(validate('runtime-config', readBytes(warn)).warnings.map((w) => w.code)).toContain('RootPathOnPosixConvention');
    expect(validate('runtime-config', readBytes(warn), { level: 'MUST' }).warnings).toEqual([]);
  });
});

describe('annotations in the org.opencontainers namespace', () => {
  const base = { ociVersion: '1.3.0', root: { path: 'rootfs' } };
  it('accepts the keys the OCI specs define (runtime-tools flags them)', () => {
    const r = validate('runtime-config', { ...base, annotations: { 'org.opencontainers.image.ref.name': 'v1', 'org.opencontainers.image.stopSignal': 'SIGTERM' } });
    expect(r.warnings).toEqual([]);
  });
  it('warns on other keys there', () => {
    const r = validate('runtime-config', { ...base, annotations: { 'org.opencontainers.runc.foo': 'x' } });
    expect(r.warnings.map((w) => w.code)).toEqual(['AnnotationsKeyReservedNS']);
    expect(r.warnings[0]!.path).toBe('/annotations/org.opencontainers.runc.foo');
  });
});
