import { describe, expect, it } from '@jest/globals';
import { Findings } from './findings.js';
import { filterFindings, reportsLevel, type Finding, type Level } from './finding.js';

const REF = 'https://example.com/spec#rule';
const codes = (fs: readonly Finding[]) => fs.map((f) => f.code);

function collect(level?: Level): Findings {
  const f = new Findings(level);
  f.must('A_MUST', '/a', 'expected a, found b', REF);
  f.should('B_SHOULD', '/b', 'expected b, found c', REF);
  f.may('C_MAY', '/c', 'c is ignored', REF);
  return f;
}

describe('Findings', () => {
  it('puts MUST breaks in errors and SHOULD/MAY breaks in warnings, with their level', () => {
    const r = collect('MAY').result();
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual([{ path: '/a', message: 'expected a, found b', code: 'A_MUST', level: 'MUST', ref: REF }]);
    expect(r.warnings.map((f) => [f.code, f.level])).toEqual([['B_SHOULD', 'SHOULD'], ['C_MAY', 'MAY']]);
  });

  it('filters warnings by level (SHOULD by default), never errors', () => {
    expect(codes(collect().result().warnings)).toEqual(['B_SHOULD']);
    expect(codes(collect('SHOULD').result().warnings)).toEqual(['B_SHOULD']);
    expect(codes(collect('MUST').result().warnings)).toEqual([]);
    for (const level of ['MUST', 'SHOULD', 'MAY'] as const) expect(codes(collect(level).result().errors)).toEqual(['A_MUST']);
  });

  it('tells checks whether their notes are wanted', () => {
    expect([new Findings('MUST').wantsShould, new Findings('MUST').wantsMay]).toEqual([false, false]);
    expect([new Findings().wantsShould, new Findings().wantsMay]).toEqual([true, false]);
    expect([new Findings('MAY').wantsShould, new Findings('MAY').wantsMay]).toEqual([true, true]);
  });

  it('add() picks the side from the level', () => {
    const f = new Findings('MAY');
    f.add('MUST', 'X', '', 'm', REF);
    f.add('SHOULD', 'Y', '', 'm', REF);
    f.add('MAY', 'Z', '', 'm', REF);
    expect([codes(f.errors), codes(f.warnings)]).toEqual([['X'], ['Y', 'Z']]);
  });

  it('keeps ready-made findings on the side asked for, whatever their level', () => {
    const f = new Findings('MUST');
    f.error({ path: '', message: 'duplicate name', code: 'DUP', level: 'SHOULD', ref: REF });
    f.warning({ path: '', message: 'byte order mark', code: 'BOM', level: 'MUST', ref: REF });
    f.warning({ path: '', message: 'a SHOULD warning', code: 'DROPPED', level: 'SHOULD', ref: REF });
    const r = f.result();
    expect([r.valid, codes(r.errors), codes(r.warnings)]).toEqual([false, ['DUP'], ['BOM']]);
  });

  it('merges another result, each finding on its side, warnings level-filtered', () => {
    const f = new Findings('MUST');
    f.merge(collect('MAY').result());
    expect([codes(f.errors), codes(f.warnings)]).toEqual([['A_MUST'], []]);
  });

  it('is valid with no errors, however many warnings', () => {
    const f = new Findings();
    expect(f.valid).toBe(true);
    f.should('W', '', 'm', REF);
    expect(f.result()).toEqual({ valid: true, errors: [], warnings: [expect.objectContaining({ code: 'W' })] });
  });
});

describe('filterFindings', () => {
  const r = collect('MAY').result();

  it('keeps warnings at the level or stricter, and every error', () => {
    expect(codes(filterFindings(r, 'MUST').warnings)).toEqual([]);
    expect(codes(filterFindings(r, 'SHOULD').warnings)).toEqual(['B_SHOULD']);
    expect(filterFindings(r, 'MAY')).toBe(r);
    expect(filterFindings(r, 'MUST').errors).toEqual(r.errors);
    expect(filterFindings(r, 'MUST').valid).toBe(false);
  });

  it('ranks MUST above SHOULD above MAY', () => {
    expect(reportsLevel('MUST', 'MUST')).toBe(true);
    expect(reportsLevel('MUST', 'SHOULD')).toBe(false);
    expect(reportsLevel('SHOULD', 'MUST')).toBe(true);
    expect(reportsLevel('SHOULD', 'MAY')).toBe(false);
    expect(reportsLevel('MAY', 'MAY')).toBe(true);
  });
});
