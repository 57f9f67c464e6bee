/**
 * The container process (runtime-spec `config.md`, "Process", "User",
 * "POSIX process", "Linux process", "Hostname", "Domainname"; runtime-tools
 * CLI, standard streams). Each check runs one container whose program prints
 * what busybox can see (`/proc/$$/status`, `/proc/$$/limits`, `pwd`, ...) and
 * compares it with the configuration.
 */
import { readFileSync } from 'node:fs';
import { LINUX_CAPABILITIES, type LinuxCapabilities } from '@ocikit/runtime-spec';
import type { Check, CheckContext } from '../check.js';
import { fail } from '../errors.js';
import { cliRef, expectSame, hostInode, procStatus, specRef } from './common.js';
import { marker, probe, probeOutput, probeScript, readProbe, type ProbeOptions } from './probe.js';

/** `/proc/PID/status` of the program of a fresh container configured by `options`. */
async function statusIn(ctx: CheckContext, name: string, options: ProbeOptions): Promise<Record<string, string>> {
  return procStatus(await probeOutput(ctx, name, 'cat /proc/$$/status', options));
}

/** `oom_score_adj` of the program of a fresh container whose configuration `patch` edits. */
async function oomScoreAdjIn(ctx: CheckContext, name: string, patch: ProbeOptions['patch']): Promise<string> {
  return (await probeOutput(ctx, name, 'cat /proc/$$/oom_score_adj', { patch })).trim();
}

/** Fail unless the `name` the container shows (`umask`) is `want`; the pass message. */
function expectValue(name: string, got: string, want: string): string {
  expectSame(got, want, `expected ${name} ${want}, found ${got}`);
  return `${name} ${want}`;
}

/** A command printing the NUL-separated list in `file` (argv, environ) one entry a line. */
const nulList = (file: string) => `tr '\\000' '\\n' < ${file}`;

/** Bit mask of a capability list, as /proc/PID/status prints it (16 hex digits). */
export function capMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = (LINUX_CAPABILITIES as readonly string[]).indexOf(c);
    if (bit < 0) throw new Error(`unknown capability ${c}`);
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}

/** Names of the bits set in a /proc/PID/status capability mask. */
export function capNames(hex: string): string[] {
  const mask = BigInt(`0x${hex || '0'}`);
  return LINUX_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** `/proc/PID/limits` row names of the RLIMIT_* resources. */
export const LIMIT_ROWS: Readonly<Record<string, string>> = {
  RLIMIT_CPU: 'Max cpu time',
  RLIMIT_FSIZE: 'Max file size',
  RLIMIT_DATA: 'Max data size',
  RLIMIT_STACK: 'Max stack size',
  RLIMIT_CORE: 'Max core file size',
  RLIMIT_RSS: 'Max resident set',
  RLIMIT_NPROC: 'Max processes',
  RLIMIT_NOFILE: 'Max open files',
  RLIMIT_MEMLOCK: 'Max locked memory',
  RLIMIT_AS: 'Max address space',
  RLIMIT_LOCKS: 'Max file locks',
  RLIMIT_SIGPENDING: 'Max pending signals',
  RLIMIT_MSGQUEUE: 'Max msgqueue size',
  RLIMIT_NICE: 'Max nice priority',
  RLIMIT_RTPRIO: 'Max realtime priority',
  RLIMIT_RTTIME: 'Max realtime timeout',
};

/** Soft and hard limits by RLIMIT_* name from /proc/PID/limits (`unlimited` as 2^64-1). */
export function parseLimits(text: string): Record<string, { soft: string; hard: string }> {
  const out: Record<string, { soft: string; hard: string }> = {};
  const norm = (v: string) => (v === 'unlimited' ? '18446744073709551615' : v);
  for (const [type, row] of Object.entries(LIMIT_ROWS)) {
    const line = text.split('\n').find((l) => l.startsWith(row));
    if (!line) continue;
    const [soft = '', hard = ''] = line.slice(row.length).trim().split(/\s+/);
    out[type] = { soft: norm(soft), hard: norm(hard) };
  }
  return out;
}

const lines = (s: string) => s.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');

/** Capabilities sets the checks configure: ambient within inheritable within bounding. */
const CAPS = {
  bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'],
  inheritable: ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],
  ambient: ['CAP_KILL'],
} as const;

function capabilityConfig(): LinuxCapabilities {
  return { bounding: [...CAPS.bounding], effective: [...CAPS.bounding], permitted: [...CAPS.bounding], inheritable: [...CAPS.inheritable], ambient: [...CAPS.ambient] };
}

/**
 * Run a container whose capabilities are {@link CAPS} (and that `configure`
 * edits); fail unless its /proc/PID/status shows the sets of `want`.
 */
async function expectCapabilities(ctx: CheckContext, name: string, want: Record<string, readonly string[]>, configure?: ProbeOptions['configure']): Promise<void> {
  const status = await statusIn(ctx, name, { ...(configure && { configure }), patch: (spec) => void (spec.process!.capabilities = capabilityConfig()) });
  const problems: string[] = [];
  for (const [field, caps] of Object.entries(want)) {
    const got = status[field] ?? '';
    if (got !== capMask(caps)) problems.push(`${field}: expected ${caps.join(',') || 'none'}, found ${capNames(got).join(',') || 'none'}`);
  }
  if (problems.length) fail(`expected the configured capability sets, found ${problems.join('; ')}`, { expected: want, actual: Object.fromEntries(Object.keys(want).map((k) => [k, capNames(status[k] ?? '')])) });
}

export const PROCESS_CHECKS: readonly Check[] = [
  {
    id: 'process.args',
    level: 'MUST',
    ref: specRef('config.md', 'process'),
    text: '`args` (array of strings, OPTIONAL) with similar semantics to IEEE Std 1003.1-2008 `execvp`\'s argv.',
    async run(ctx) {
      const args = ['sh', '-c', probeScript({ cmdline: nulList('/proc/$$/cmdline') }), 'ocikit-arg0', 'two words', '', "quote's", 'ünïcode', '$HOME'];
      const got = lines((await readProbe(ctx, ctx.bundle('args', { args })))('cmdline'));
      expectSame(got, args, 'expected the process argv to be args exactly');
      return `argv is the ${args.length} configured args`;
    },
  },
  {
    id: 'process.env',
    level: 'MUST',
    ref: specRef('config.md', 'process'),
    text: '`env` (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008\'s `environ`.',
    async run(ctx) {
      const got = lines(await probeOutput(ctx, 'env', nulList('/proc/$$/environ'), {
        configure: (b) => b.env('OCIKIT_GREETING', 'hello world').env('OCIKIT_EQUALS', 'a=b=c').env('OCIKIT_EMPTY', ''),
      }));
      const want = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm', 'OCIKIT_GREETING=hello world', 'OCIKIT_EQUALS=a=b=c', 'OCIKIT_EMPTY='];
      const missing = want.filter((e) => !got.includes(e));
      if (missing.length) fail(`expected every configured variable in the environment, found ${missing.join(', ')} missing`, { expected: want, actual: got });
      return `all ${want.length} configured variables present`;
    },
  },
  {
    id: 'process.cwd',
    level: 'MUST',
    ref: specRef('config.md', 'process'),
    text: '`cwd` (string, REQUIRED) is the working directory that will be set for the executable.',
    async run(ctx) {
      const s = await probe(ctx, 'cwd', { pwd: 'pwd', link: 'readlink /proc/$$/cwd' }, { configure: (b) => b.cwd('/tmp') });
      expectSame([s('pwd').trim(), s('link').trim()], ['/tmp', '/tmp'], 'expected the working directory /tmp');
      return 'working directory is /tmp';
    },
  },
  {
    id: 'process.user',
    level: 'MUST',
    ref: specRef('config.md', 'user'),
    text: '`uid` (int, REQUIRED) specifies the user ID in the container namespace; `gid` (int, REQUIRED) specifies the group ID in the container namespace.',
    async run(ctx) {
      const st = await statusIn(ctx, 'user', { configure: (b) => b.user(1234, 2345) });
      const ids = (field: string) => (st[field] ?? '').split(/\s+/).join(' ');
      expectSame({ Uid: ids('Uid'), Gid: ids('Gid') }, { Uid: '1234 1234 1234 1234', Gid: '2345 2345 2345 2345' }, 'expected real, effective, saved and filesystem IDs uid 1234 gid 2345');
      return 'uid 1234, gid 2345';
    },
  },
  {
    id: 'process.additional-gids',
    level: 'MUST',
    ref: specRef('config.md', 'user'),
    text: '`additionalGids` (array of ints, OPTIONAL) specifies additional group IDs in the container namespace to be added to the process.',
    async run(ctx) {
      const groups = ((await statusIn(ctx, 'additional-gids', { configure: (b) => b.user(1234, 2345, [3456, 4567]) }))['Groups'] ?? '').split(/\s+/).filter(Boolean).map(Number);
      const missing = [3456, 4567].filter((g) => !groups.includes(g));
      const extra = groups.filter((g) => ![3456, 4567, 2345].includes(g));
      if (missing.length || extra.length) fail(`expected supplementary groups 3456 4567, found ${groups.join(' ') || 'none'}`, { expected: [3456, 4567], actual: groups });
      return `groups ${groups.join(' ')}`;
    },
  },
  {
    id: 'process.umask',
    level: 'MUST',
    ref: specRef('config.md', 'user'),
    text: '`umask` (int, OPTIONAL) specifies the umask of the user.',
    async run(ctx) {
      const got = (await statusIn(ctx, 'umask', { patch: (spec) => void (spec.process!.user = { ...spec.process!.user!, umask: 0o027 }) }))['Umask'];
      if (got === undefined) fail('expected a Umask line in /proc/PID/status (Linux 4.7+), found none');
      return expectValue('umask', got, '0027');
    },
  },
  {
    id: 'process.rlimits',
    level: 'MUST',
    ref: specRef('config.md', 'posix-process'),
    text: '`soft` (uint64, REQUIRED) the value of the limit enforced for the corresponding resource. `rlim.rlim_cur` MUST match the configured value; `hard` (uint64, REQUIRED) `rlim.rlim_max` MUST match the configured value.',
    async run(ctx) {
      // Only lower limits: raising a hard limit needs CAP_SYS_RESOURCE in the runtime.
      const host = parseLimits(readFileSync('/proc/self/limits', 'utf8'));
      const cap = (type: string, v: number) => Math.min(v, Number(host[type]?.hard ?? v));
      const want = [
        { type: 'RLIMIT_NOFILE', soft: cap('RLIMIT_NOFILE', 200), hard: cap('RLIMIT_NOFILE', 300) },
        { type: 'RLIMIT_MSGQUEUE', soft: cap('RLIMIT_MSGQUEUE', 40_960), hard: cap('RLIMIT_MSGQUEUE', 81_920) },
        { type: 'RLIMIT_CORE', soft: 0, hard: cap('RLIMIT_CORE', 4096) },
      ];
      const got = parseLimits(await probeOutput(ctx, 'rlimits', 'cat /proc/$$/limits', { configure: (b) => want.forEach((r) => b.rlimit(r.type, r.soft, r.hard)) }));
      const problems = want.filter((r) => got[r.type]?.soft !== String(r.soft) || got[r.type]?.hard !== String(r.hard));
      if (problems.length) {
        fail(`expected the configured limits, found ${problems.map((r) => `${r.type} ${got[r.type]?.soft}/${got[r.type]?.hard} instead of ${r.soft}/${r.hard}`).join('; ')}`, {
          expected: want,
          actual: Object.fromEntries(want.map((r) => [r.type, got[r.type]])),
        });
      }
      return want.map((r) => `${r.type} ${r.soft}/${r.hard}`).join(', ');
    },
  },
  {
    id: 'process.capabilities',
    level: 'MUST',
    ref: specRef('config.md', 'linux-process'),
    text: '`capabilities` (object, OPTIONAL) is an object containing arrays that specifies the sets of capabilities for the process.',
    async run(ctx) {
      // As root, execve makes permitted and effective the bounding set plus inheritable (capabilities(7)).
      await expectCapabilities(ctx, 'capabilities', { CapBnd: CAPS.bounding, CapPrm: CAPS.bounding, CapEff: CAPS.bounding, CapInh: CAPS.inheritable, CapAmb: CAPS.ambient });
      return 'bounding, permitted, effective, inheritable and ambient sets as configured';
    },
  },
  {
    id: 'process.capabilities-nonroot',
    level: 'MUST',
    ref: specRef('config.md', 'linux-process'),
    text: '`capabilities` (object, OPTIONAL) is an object containing arrays that specifies the sets of capabilities for the process.',
    async run(ctx) {
      // Not root: after execve permitted and effective are the ambient set (capabilities(7)).
      await expectCapabilities(ctx, 'capabilities-nonroot', { CapBnd: CAPS.bounding, CapPrm: CAPS.ambient, CapEff: CAPS.ambient, CapInh: CAPS.inheritable, CapAmb: CAPS.ambient }, (b) => b.user(1000, 1000));
      return 'as uid 1000: bounding, inheritable and ambient sets as configured';
    },
  },
  {
    id: 'process.no-new-privileges',
    level: 'MUST',
    ref: specRef('config.md', 'linux-process'),
    text: '`noNewPrivileges` (bool, OPTIONAL) setting `noNewPrivileges` to true prevents the process from gaining additional privileges.',
    async run(ctx) {
      const withNoNewPrivileges = (value: boolean) => statusIn(ctx, `nnp-${value ? 'on' : 'off'}`, { patch: (spec) => void (spec.process!.noNewPrivileges = value) });
      const on = await withNoNewPrivileges(true);
      const off = await withNoNewPrivileges(false);
      if (on['NoNewPrivs'] !== '1') fail(`expected NoNewPrivs 1 with noNewPrivileges true, found ${on['NoNewPrivs']}`, { expected: '1', actual: on['NoNewPrivs'] });
      const host = procStatus(readFileSync('/proc/self/status', 'utf8'))['NoNewPrivs'];
      if (host === '0' && off['NoNewPrivs'] !== '0') fail(`expected NoNewPrivs 0 with noNewPrivileges false, found ${off['NoNewPrivs']}`, { expected: '0', actual: off['NoNewPrivs'] });
      return 'NoNewPrivs follows noNewPrivileges';
    },
  },
  {
    id: 'process.oom-score-adj',
    level: 'MUST',
    ref: specRef('config.md', 'linux-process'),
    text: 'If `oomScoreAdj` is set, the runtime MUST set `oom_score_adj` to the given value.',
    async run(ctx) {
      const got = await oomScoreAdjIn(ctx, 'oom-score-adj', (spec) => void (spec.process!.oomScoreAdj = 123));
      return expectValue('oom_score_adj', got, '123');
    },
  },
  {
    id: 'process.oom-score-adj-unset',
    level: 'MUST',
    ref: specRef('config.md', 'linux-process'),
    text: 'If `oomScoreAdj` is not set, the runtime MUST NOT change the value of `oom_score_adj`.',
    async run(ctx) {
      const host = readFileSync('/proc/self/oom_score_adj', 'utf8').trim();
      const got = await oomScoreAdjIn(ctx, 'oom-score-adj-unset', (spec) => void delete spec.process!.oomScoreAdj);
      expectSame(got, host, `expected the runtime's own oom_score_adj ${host}, found ${got}`);
      return `oom_score_adj unchanged (${got})`;
    },
  },
  {
    id: 'process.terminal-off',
    level: 'MUST',
    ref: specRef('config.md', 'process'),
    text: '`terminal` (bool, OPTIONAL) specifies whether a terminal is attached to the process, defaults to `false`.',
    async run(ctx) {
      const got = (await probeOutput(ctx, 'terminal-off', 'for fd in 0 1 2; do [ -t $fd ] && echo "fd $fd is a terminal"; done; true')).trim();
      expectSame(got, '', `expected no terminal with terminal false, found ${got}`);
      return 'no terminal on fds 0, 1, 2';
    },
  },
  {
    id: 'cli.stdio',
    level: 'MUST',
    ref: cliRef('create'),
    text: 'If `process.terminal` is not true, the runtime MUST pass its stdin, stdout and stderr file descriptors through to the container process without manipulation or modification.',
    async run(ctx) {
      const token = `stdin-token-${ctx.newId()}`;
      const bundle = ctx.bundle('stdio', {
        stdin: `${token}\n`,
        // No redirections here: the shell's own fds are the ones under test.
        script: ['stdin', 'fd0', 'fd1', 'fd2', 'end'].map((n) => `${marker(n)}; ${n === 'stdin' ? 'cat' : n === 'end' ? 'true' : `stat -L -c %d:%i /proc/$$/fd/${n.slice(2)}`}`).join('; '),
      });
      const s = await readProbe(ctx, bundle);
      const got = { stdin: s('stdin').trim(), fd0: s('fd0').trim(), fd1: s('fd1').trim(), fd2: s('fd2').trim() };
      const want = { stdin: token, fd0: hostInode(bundle.stdin), fd1: hostInode(bundle.stdout), fd2: hostInode(bundle.stderr) };
      expectSame(got, want, 'expected the container to read the runtime\'s stdin and write to its stdout and stderr files');
      return 'stdin, stdout and stderr are the files given to create';
    },
  },
  {
    id: 'process.hostname',
    level: 'MUST',
    ref: specRef('config.md', 'hostname'),
    text: '`hostname` (string, OPTIONAL) specifies the container\'s hostname as seen by processes running inside the container.',
    async run(ctx) {
      const s = await probe(ctx, 'hostname', { hostname: 'hostname', proc: 'cat /proc/sys/kernel/hostname' }, { configure: (b) => b.hostname('ocikit-probe-host') });
      expectSame([s('hostname').trim(), s('proc').trim()], ['ocikit-probe-host', 'ocikit-probe-host'], 'expected hostname ocikit-probe-host');
      return 'hostname ocikit-probe-host';
    },
  },
  {
    id: 'process.domainname',
    level: 'MUST',
    since: '1.1.0',
    ref: specRef('config.md', 'domainname'),
    text: '`domainname` (string, OPTIONAL) specifies the container\'s domainname as seen by processes running inside the container.',
    async run(ctx) {
      const got = (await probeOutput(ctx, 'domainname', 'cat /proc/sys/kernel/domainname', { patch: (spec) => void (spec.domainname = 'ocikit.example') })).trim();
      return expectValue('domainname', got, 'ocikit.example');
    },
  },
];
