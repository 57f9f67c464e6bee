import { describe, it, expect } from '@jest/globals';
import { parsePatterns, selectChecks } from './select.js';
import { ALL_CHECKS } from './checks/index.js';

const ids = (patterns: string[]) => selectChecks(ALL_CHECKS, patterns).map((c) => c.id);

describe('--only', () => {
  it('selects everything without patterns', () => {
    expect(ids([])).toHaveLength(ALL_CHECKS.length);
  });
  it('matches an id exactly, not as a string prefix', () => {
    expect(ids(['hooks.poststop'])).toEqual(['hooks.poststop']);
  });
  it('matches a dotted prefix', () => {
    const got = ids(['hooks']);
    expect(got.length).toBeGreaterThan(5);
    expect(got.every((id) => id.startsWith('hooks.'))).toBe(true);
  });
  it('matches globs and keeps catalogue order', () => {
    expect(ids(['process.cap*'])).toEqual(['process.capabilities', 'process.capabilities-nonroot']);
    const both = ids(['state.pid', 'cli.pid-file']);
    const order = ALL_CHECKS.map((c) => c.id);
    expect(both).toEqual([...both].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  });
  it('splits comma-separated and repeated values', () => {
    expect(parsePatterns(['a,b', ' c ', ''])).toEqual(['a', 'b', 'c']);
  });
  it('selects nothing for an unknown pattern', () => {
    expect(ids(['nope'])).toEqual([]);
  });
});

describe('the catalogue', () => {
  it('has unique dotted ids, a level, a versioned reference and a sentence per check', () => {
    const seen = new Set<string>();
    for (const c of ALL_CHECKS) {
      expect(c.id).toMatch(/^[a-z]+\.[a-z0-9-]+$/i);
      expect(seen.has(c.id)).toBe(false);
      seen.add(c.id);
      expect(['MUST', 'SHOULD', 'MAY']).toContain(c.level);
      expect(c.ref).toMatch(/^https:\/\/github\.com\/opencontainers\/(runtime-spec|runtime-tools|runc)\/blob\/v\d+\.\d+\.\d+\/[\w/.-]+\.md(#[a-z0-9-]+)?$/);
      expect(c.text.length).toBeGreaterThan(20);
    }
  });
  it('covers every area the issue lists', () => {
    const all = ALL_CHECKS.map((c) => c.id);
    for (const id of ['lifecycle.create-status', 'state.valid', 'cli.pid-file', 'lifecycle.start-started', 'lifecycle.delete-running', 'lifecycle.kill-stopped', 'lifecycle.delete-removes', 'lifecycle.config-after-create', 'lifecycle.state-unknown', 'hooks.order', 'hooks.state-stdin', 'hooks.fail-prestart', 'hooks.fail-poststart', 'hooks.fail-poststop', 'process.args', 'process.env', 'process.cwd', 'process.user', 'process.additional-gids', 'process.umask', 'process.rlimits', 'process.capabilities', 'process.no-new-privileges', 'process.oom-score-adj', 'process.hostname', 'process.domainname', 'root.readonly', 'mounts.tmpfs', 'mounts.bind', 'linux.masked-paths', 'linux.readonly-paths', 'linux.namespaces-new', 'linux.sysctl', 'linux.default-devices', 'linux.dev-symlinks', 'process.terminal-off', 'features.valid', 'version.report']) {
      expect(all).toContain(id);
    }
  });
});
