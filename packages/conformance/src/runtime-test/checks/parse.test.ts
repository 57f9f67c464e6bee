import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { LINUX_CAPABILITIES } from '@ocikit/runtime-spec';
import { procStatus } from './common.js';
import { probeScript, sections } from './probe.js';
import { capMask, capNames, parseLimits } from './process.js';
import { parseMountInfo } from './mountinfo.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

describe('probe sections', () => {
  it('round-trips any text a command prints, with or without a trailing newline', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), fc.string().filter((s) => !s.includes('\n@@'))), (entries) => {
        fc.pre(!('end' in entries));
        const out = Object.entries(entries).map(([k, v]) => `\n@@${k}\n${v}`).join('') + '\n@@end\n';
        expect(sections(out)).toEqual(entries);
      }),
    );
  });
  it('splits what a real shell prints for a probe script', () => {
    const r = spawnSync('/bin/sh', ['-c', probeScript({ a: "printf 'no newline'", b: 'echo one; echo two', c: 'echo err >&2' })], { encoding: 'utf8' });
    expect(sections(r.stdout)).toEqual({ a: 'no newline', b: 'one\ntwo\n', c: 'err\n' });
  });
  it('ignores output before the first marker and after @@end', () => {
    expect(sections('noise\n@@x\nv\n@@end\ntrailing')).toEqual({ x: 'v' });
  });
});

describe('/proc parsers', () => {
  it('reads /proc/self/status fields', () => {
    const st = procStatus('Name:\tsh\nUid:\t0\t0\t0\t0\nCapBnd:\t000001ffffffffff\n');
    expect(st['Uid']).toBe('0\t0\t0\t0');
    expect(st['CapBnd']).toBe('000001ffffffffff');
  });
  it('maps capability names to the kernel bits and back', () => {
    expect(capMask(['CAP_CHOWN'])).toBe('0000000000000001');
    // KILL is bit 5, NET_BIND_SERVICE bit 10, AUDIT_WRITE bit 29 (linux/capability.h).
    expect(capMask(['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'])).toBe('0000000020000420');
    expect(capMask([...LINUX_CAPABILITIES])).toBe('000001ffffffffff');
    fc.assert(fc.property(fc.subarray([...LINUX_CAPABILITIES]), (caps) => expect(capNames(capMask(caps))).toEqual(caps)));
  });
  it('reads the limits of this process like getrlimit does', () => {
    const limits = parseLimits(readFileSync('/proc/self/limits', 'utf8'));
    expect(Number(limits['RLIMIT_NOFILE']!.soft)).toBeGreaterThan(0);
    expect(parseLimits('Max core file size        unlimited            unlimited            bytes\n')).toEqual({ RLIMIT_CORE: { soft: '18446744073709551615', hard: '18446744073709551615' } });
  });
  it('parses mountinfo lines, including escaped mount points', () => {
    const [m] = parseMountInfo('36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n');
    expect(m).toEqual({ root: '/mnt1', mountPoint: '/mnt two', options: ['rw', 'noatime'], optional: ['master:1'], fsType: 'ext3', source: '/dev/root', superOptions: ['rw', 'errors=continue'] });
  });
});
