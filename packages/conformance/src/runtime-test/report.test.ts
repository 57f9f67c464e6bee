import { describe, it, expect } from '@jest/globals';
import type { CheckResult } from './check.js';
import { formatHuman, formatTap, mustFailed, toJson } from './report.js';
import type { RunReport } from './run.js';

function result(over: Partial<CheckResult>): CheckResult {
  return { id: 'x.y', level: 'MUST', ref: 'https://example.test/spec.md#x', text: 'The runtime MUST do x.', status: 'pass', message: 'did x', durationMs: 3, calls: [], ...over };
}

const report: RunReport = {
  runtime: { path: '/usr/bin/fake', versionText: 'fake version 1.2.3\nspec: 1.0.2', version: '1.2.3', specVersion: '1.0.2' },
  spec: { version: '1.0.2', declared: '1.0.2', source: 'version' },
  preflight: { ok: true, calls: [] },
  results: [
    result({ id: 'a.pass', message: 'fine # really' }),
    result({
      id: 'b.fail',
      status: 'fail',
      message: 'expected "created", found "running"',
      expected: 'created',
      actual: { status: 'running', note: 'a: b\n- c' },
      calls: [{ args: ['state', 'id1'], code: 0, signal: null, timedOut: false, durationMs: 5, stdout: '{}', stderr: '' }],
    }),
    result({ id: 'c.skip', status: 'skip', message: 'no features command' }),
    result({ id: 'd.should', level: 'SHOULD', status: 'fail', message: 'extra fd 3' }),
  ],
  summary: { pass: 1, fail: 2, skip: 1 },
  cleanup: { removed: [], leftovers: [] },
  interrupted: false,
  durationMs: 1234,
};

describe('TAP 13', () => {
  const tap = formatTap(report);
  const lines = tap.split('\n');

  it('has the version line, a plan matching the test points, and numbered points', () => {
    expect(lines[0]).toBe('TAP version 13');
    expect(lines).toContain('1..4');
    expect(lines.filter((l) => /^(not )?ok \d+ - /.test(l)).map((l) => /(\d+)/.exec(l)![1])).toEqual(['1', '2', '3', '4']);
  });

  it('escapes # in descriptions so that it is not read as a directive', () => {
    expect(lines).toContain('ok 1 - a.pass [MUST] fine \\# really');
  });

  it('marks skips with the SKIP directive and SHOULD failures as TODO', () => {
    expect(lines).toContain('ok 3 - c.skip [MUST] # SKIP no features command');
    expect(lines).toContain('not ok 4 - d.should [SHOULD] # TODO SHOULD not met');
  });

  it('puts a YAML block after each failure whose values are JSON (valid YAML flow scalars)', () => {
    const start = lines.indexOf('not ok 2 - b.fail [MUST]');
    expect(lines[start + 1]).toBe('  ---');
    const end = lines.indexOf('  ...', start);
    const block = lines.slice(start + 2, end);
    const field = (k: string) => block.find((l) => l.startsWith(`  ${k}: `))!.slice(k.length + 4);
    expect(JSON.parse(field('message'))).toBe('expected "created", found "running"');
    expect(JSON.parse(field('expected'))).toBe('created');
    expect(JSON.parse(field('actual'))).toEqual({ status: 'running', note: 'a: b\n- c' });
    expect(JSON.parse(field('reference'))).toBe('https://example.test/spec.md#x');
    expect(block).toContain('    - "`state id1`: exit 0"');
  });
});

describe('--json', () => {
  it('has exactly the documented shape', () => {
    const json = JSON.parse(JSON.stringify(toJson(report)));
    expect(Object.keys(json)).toEqual(['runtime', 'version', 'ociVersion', 'preflight', 'results', 'summary']);
    expect(json.preflight).toEqual({ ok: true });
    expect(json.ociVersion).toBe('1.0.2');
    expect(json.runtime).toBe('/usr/bin/fake');
    expect(json.version).toBe('1.2.3');
    for (const r of json.results) expect(Object.keys(r)).toEqual(['id', 'level', 'ref', 'status', 'message']);
    expect(json.summary).toEqual({ pass: 1, fail: 2, skip: 1 });
  });
});

describe('verdict and human output', () => {
  it('fails the run only for a failed MUST', () => {
    expect(mustFailed(report.results)).toBe(true);
    expect(mustFailed(report.results.filter((r) => r.id !== 'b.fail'))).toBe(false);
  });
  it('prints every check and a summary, without colour when asked', () => {
    const text = formatHuman(report, false);
    expect(text).toContain('FAIL b.fail [MUST]');
    expect(text).toContain('warn d.should [SHOULD]');
    expect(text).toContain('1 passed, 2 failed (1 MUST), 1 skipped');
    expect(text).not.toContain('\u001b[');
  });
});
