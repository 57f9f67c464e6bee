import { describe, expect, it } from '@jest/globals';
import type { CallRecord } from './driver.js';
import { runtimeMessage } from './preflight.js';
import { humanPreflight, tapPreflight } from './report.js';

const call = (stderr: string, code = 1): CallRecord => ({ args: ['create', 'x'], code, signal: null, timedOut: false, durationMs: 4, stdout: '', stderr });

describe('preflight reporting', () => {
  it("takes the runtime's own message: runc's logrus msg, else the last stderr line", () => {
    expect(runtimeMessage(call('time="2026-12-06T05:00:00Z" level=error msg="runc create failed: unable to start container process: error during container init: \\"mount\\" failed"\n'))).toBe(
      'runc create failed: unable to start container process: error during container init: "mount" failed',
    );
    expect(runtimeMessage(call('some warning\ncgroups in hybrid mode not supported, drop all controllers from cgroupv2\n'))).toBe('cgroups in hybrid mode not supported, drop all controllers from cgroupv2');
    expect(runtimeMessage(call(''))).toMatch(/exit 1/);
  });

  it('says once that no container can start, with a hint for a known host problem', () => {
    const failed = { ok: false, problem: 'create failed: cgroups in hybrid mode not supported, drop all controllers from cgroupv2', hint: 'use --private-cgroup2', calls: [] };
    expect(tapPreflight(failed).split('\n')).toEqual([
      '# preflight: no container can start: create failed: cgroups in hybrid mode not supported, drop all controllers from cgroupv2',
      '# hint: use --private-cgroup2',
      '# every check that needs a container is skipped',
    ]);
    expect(humanPreflight(failed, false)).toContain('host problem: no container can start: create failed: cgroups in hybrid mode');
    expect(tapPreflight({ ok: true, calls: [] })).toBe('# preflight: a smoke container started and ran');
    expect(humanPreflight({ ok: true, calls: [] }, false)).toBeUndefined();
  });
});
