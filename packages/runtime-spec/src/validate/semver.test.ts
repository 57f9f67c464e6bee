import { describe, it, expect } from '@jest/globals';
import { compareSemVer, parseSemVer } from './semver.js';

describe('SemVer 2.0.0', () => {
  it('accepts the forms of semver.org', () => {
    for (const v of ['1.0.0', '0.5.0-dev', '1.0.2-dev', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85', '10.20.30']) {
      expect(parseSemVer(v)).toBeDefined();
    }
  });
  it('rejects what is not SemVer', () => {
    for (const v of ['1', '1.0', 'v1.0.0', '01.0.0', '1.0.0-', '1.0.0-01', '1.0.0+', '1.0.0-a..b', ' 1.0.0', '1.0.0 ']) {
      expect(parseSemVer(v)).toBeUndefined();
    }
  });
  it('orders by precedence (semver.org section 11 example)', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1'];
    for (let i = 0; i + 1 < order.length; i++) {
      expect(compareSemVer(parseSemVer(order[i]!)!, parseSemVer(order[i + 1]!)!)).toBeLessThan(0);
      expect(compareSemVer(parseSemVer(order[i + 1]!)!, parseSemVer(order[i]!)!)).toBeGreaterThan(0);
    }
    expect(compareSemVer(parseSemVer('1.0.0+a')!, parseSemVer('1.0.0+b')!)).toBe(0);
  });
});
