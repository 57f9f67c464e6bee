import { describe, it, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, validate, RUNTIME_SPEC_VERSION, type Spec } from '../index.js';
import { describeWithPeers } from '@ocikit/testkit';

/** Run `<tool> spec [args]` in a scratch directory and read the config.json it writes. */
function toolSpec(tool: string, args: string[] = []): Spec {
  const dir = mkdtempSync(path.join(tmpdir(), `ocikit-${tool}-spec-`));
  try {
    execFileSync(tool, ['spec', ...args], { cwd: dir, stdio: 'pipe' });
    return JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Spec;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Everything but the fields a tool fills with its own name and version. */
function comparable(spec: Spec): Spec {
  const { ociVersion: _v, hostname: _h, ...rest } = spec;
  return rest as Spec;
}

describeWithPeers(['runc'], 'defaultConfig matches runc spec (Base Config Compatibility)', () => {
  it('runc spec', () => {
    const runc = toolSpec('runc');
    expect(comparable(defaultConfig({ os: 'linux' }))).toEqual(comparable(runc));
    // Same key order, so the JSON reads the same too.
    expect(JSON.stringify(comparable(defaultConfig()))).toBe(JSON.stringify(comparable(runc)));
  });

  it('runc spec --rootless (mapping this process\'s IDs, as runc does)', () => {
    const runc = toolSpec('runc', ['--rootless']);
    expect(comparable(defaultConfig({ os: 'linux', rootless: true }))).toEqual(comparable(runc));
  });

  it('declares the implemented version', () => {
    expect(defaultConfig().ociVersion).toBe(RUNTIME_SPEC_VERSION);
    expect(defaultConfig({ ociVersion: '1.0.2' }).ociVersion).toBe('1.0.2');
  });
});

describeWithPeers(['runc', 'crun'], 'tool output validates clean', () => {
  it.each([
    ['runc', []],
    ['runc', ['--rootless']],
    ['crun', []],
    ['crun', ['--rootless']],
  ] as [string, string[]][])('%s spec %s', (tool, args) => {
    const r = validate('runtime-config', toolSpec(tool, args), { forStart: true });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

describe('every platform default validates clean', () => {
  it.each(['linux', 'windows', 'solaris', 'freebsd', 'zos', 'vm'] as const)('%s', (os) => {
    const spec = defaultConfig({ os });
    const r = validate('runtime-config', spec, { forStart: true, os });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(spec).not.toBe(defaultConfig({ os }));
  });

  it('rootless linux and vm validate; rootless elsewhere is refused', () => {
    expect(validate('runtime-config', defaultConfig({ os: 'vm', rootless: true, hostUid: 1000, hostGid: 100 })).errors).toEqual([]);
    expect(() => defaultConfig({ os: 'windows', rootless: true })).toThrow(/rootless/);
    expect(() => defaultConfig({ rootless: true, hostUid: -1 })).toThrow(/hostUid/);
  });
});
