/**
 * Seccomp (runtime-spec `config-linux.md`, "Seccomp"; runtime-tools
 * `linux_seccomp`). Each check runs a container whose filter denies one
 * syscall that a busybox applet makes predictably (`mkdir` makes mkdir(2) or
 * mkdirat(2), `linux32` and `linux64` make personality(2)) and allows every
 * other, so that the runtime's own init and the shell still work; the
 * container prints what the applet got (`created`, or busybox's strerror
 * text, or the signal that killed it).
 */
import { createServer, type Socket } from 'node:net';
import { constants } from 'node:os';
import path from 'node:path';
import type { LinuxSeccomp, LinuxSyscall } from '@ocikit/runtime-spec';
import type { Check, CheckContext } from '../check.js';
import { fail } from '../errors.js';
import { requireHost } from '../host.js';
import { create, expectError, expectSame, procStatus, specRef } from './common.js';
import { probe, type ProbeOptions } from './probe.js';

const REF = specRef('config-linux.md', 'seccomp');

/** The syscalls the checks deny: what busybox `mkdir` makes, on every architecture. */
const MKDIR_CALLS = ['mkdir', 'mkdirat'];

/**
 * Every Linux syscall name (the x86_64 table, plus later generic calls),
 * for filters whose default action denies: allow all of these but the one
 * under test. Names the runtime's libseccomp does not know for the host's
 * architecture are no syscall of the container's, whatever the runtime does
 * with them.
 */
const ALL_SYSCALLS = `read write open close stat fstat lstat poll lseek mmap mprotect munmap brk rt_sigaction rt_sigprocmask rt_sigreturn ioctl pread64
pwrite64 readv writev access pipe select sched_yield mremap msync mincore madvise shmget shmat shmctl dup dup2 pause nanosleep getitimer alarm setitimer
getpid sendfile socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind listen getsockname getpeername socketpair setsockopt getsockopt clone
fork vfork execve exit wait4 kill uname semget semop semctl shmdt msgget msgsnd msgrcv msgctl fcntl flock fsync fdatasync truncate ftruncate getdents
getcwd chdir fchdir rename mkdir rmdir creat link unlink symlink readlink chmod fchmod chown fchown lchown umask gettimeofday getrlimit getrusage sysinfo
times ptrace getuid syslog getgid setuid setgid geteuid getegid setpgid getppid getpgrp setsid setreuid setregid getgroups setgroups setresuid getresuid
setresgid getresgid getpgid setfsuid setfsgid getsid capget capset rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend sigaltstack utime mknod
uselib personality ustat statfs fstatfs sysfs getpriority setpriority sched_setparam sched_getparam sched_setscheduler sched_getscheduler
sched_get_priority_max sched_get_priority_min sched_rr_get_interval mlock munlock mlockall munlockall vhangup modify_ldt pivot_root _sysctl prctl
arch_prctl adjtimex setrlimit chroot sync acct settimeofday mount umount2 swapon swapoff reboot sethostname setdomainname iopl ioperm create_module
init_module delete_module get_kernel_syms query_module quotactl nfsservctl getpmsg putpmsg afs_syscall tuxcall security gettid readahead setxattr
lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr removexattr lremovexattr fremovexattr tkill time futex sched_setaffinity
sched_getaffinity set_thread_area io_setup io_destroy io_getevents io_submit io_cancel get_thread_area lookup_dcookie epoll_create epoll_ctl_old
epoll_wait_old remap_file_pages getdents64 set_tid_address restart_syscall semtimedop fadvise64 timer_create timer_settime timer_gettime
timer_getoverrun timer_delete clock_settime clock_gettime clock_getres clock_nanosleep exit_group epoll_wait epoll_ctl tgkill utimes vserver mbind
set_mempolicy get_mempolicy mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr kexec_load waitid add_key request_key keyctl
ioprio_set ioprio_get inotify_init inotify_add_watch inotify_rm_watch migrate_pages openat mkdirat mknodat fchownat futimesat newfstatat unlinkat
renameat linkat symlinkat readlinkat fchmodat faccessat pselect6 ppoll unshare set_robust_list get_robust_list splice tee sync_file_range vmsplice
move_pages utimensat epoll_pwait signalfd timerfd_create eventfd fallocate timerfd_settime timerfd_gettime accept4 signalfd4 eventfd2 epoll_create1 dup3
pipe2 inotify_init1 preadv pwritev rt_tgsigqueueinfo perf_event_open recvmmsg fanotify_init fanotify_mark prlimit64 name_to_handle_at open_by_handle_at
clock_adjtime syncfs sendmmsg setns getcpu process_vm_readv process_vm_writev kcmp finit_module sched_setattr sched_getattr renameat2 seccomp getrandom
memfd_create kexec_file_load bpf execveat userfaultfd membarrier mlock2 copy_file_range preadv2 pwritev2 pkey_mprotect pkey_alloc pkey_free statx
io_pgetevents rseq pidfd_send_signal io_uring_setup io_uring_enter io_uring_register open_tree move_mount fsopen fsconfig fsmount fspick pidfd_open
clone3 close_range openat2 pidfd_getfd faccessat2 process_madvise epoll_pwait2 mount_setattr quotactl_fd landlock_create_ruleset landlock_add_rule
landlock_restrict_self memfd_secret process_mrelease futex_waitv set_mempolicy_home_node cachestat fchmodat2 map_shadow_stack futex_wake futex_wait
futex_requeue statmount listmount lsm_get_self_attr lsm_set_self_attr lsm_list_modules mseal fstat64 fstatat64 _llseek mmap2 stat64 lstat64
statfs64 fstatfs64 fcntl64 sendfile64 truncate64 ftruncate64 getuid32 getgid32 geteuid32 getegid32 setuid32 setgid32 setreuid32 setregid32
setresuid32 getresuid32 setresgid32 getresgid32 setfsuid32 setfsgid32 getgroups32 setgroups32 chown32 fchown32 lchown32 sigreturn sigaction
sigprocmask _newselect waitpid socketcall ipc clock_gettime64 clock_nanosleep64 futex_time64 ppoll_time64 pselect6_time64 rt_sigtimedwait_time64
utimensat_time64 set_tls`
  .split(/\s+/)
  .filter(Boolean);

/** A configuration edit installing `seccomp` as the container's filter. */
function withSeccomp(seccomp: LinuxSeccomp): ProbeOptions {
  return { patch: (spec) => void ((spec.linux ??= {}).seccomp = seccomp) };
}

/** A filter allowing everything but what `rules` say. */
function allowBut(...rules: LinuxSyscall[]): LinuxSeccomp {
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules };
}

/** A filter whose `defaultAction` denies: everything is listed as allowed but mkdir(2) and mkdirat(2). */
function denyByDefault(extra: Partial<LinuxSeccomp> = {}): LinuxSeccomp {
  return { defaultAction: 'SCMP_ACT_ERRNO', ...extra, syscalls: [{ names: ALL_SYSCALLS.filter((n) => !MKDIR_CALLS.includes(n)), action: 'SCMP_ACT_ALLOW' }] };
}

/** Probe command: make a directory, print `created` or busybox's error. */
const MKDIR = 'mkdir /dev/shm/ocikit-seccomp && echo created';
/** Probe command: an unlisted syscall (open with O_CREAT via touch). */
const TOUCH = 'touch /dev/shm/ocikit-touched && echo created';
/** Probe command: mkdir in a child process, then how that process ended. */
const MKDIR_CHILD = '(exec mkdir /dev/shm/ocikit-seccomp); echo "exit $?"';

/** strerror texts of glibc, musl and uClibc busybox prints, by errno name. */
const ERRNO_TEXTS: Readonly<Record<string, RegExp>> = {
  EPERM: /Operation not permitted/,
  ENOSYS: /Function not implemented/,
  EDOM: /Numerical argument out of domain|Domain error/,
  ENOTTY: /Inappropriate ioctl for device|Not a tty/,
  EROFS: /Read-only file system/,
  EACCES: /Permission denied/,
};

/** errno numbers the checks configure (the same on every Linux architecture). */
const ERRNO = { EDOM: 33, ENOTTY: 25 } as const;

/** What a probe command's output says: `created`, the errno name busybox's message shows, or the message itself. */
function outcome(text: string): string {
  const t = text.trim();
  if (/(^|\n)created$/.test(t)) return 'created';
  for (const [name, re] of Object.entries(ERRNO_TEXTS)) if (re.test(t)) return name;
  return t.split('\n').pop() || 'no output';
}

/** Exit status of a process killed by SIGSYS as sh shows it. */
const SIGSYS_EXIT = `exit ${128 + constants.signals.SIGSYS}`;

/** Run `entries` under filter `seccomp`; their outcomes. */
async function underFilter(ctx: CheckContext, name: string, seccomp: LinuxSeccomp, entries: Record<string, string>): Promise<Record<string, string>> {
  requireHost(ctx.host, 'seccomp');
  const s = await probe(ctx, name, entries, withSeccomp(seccomp));
  return Object.fromEntries(Object.keys(entries).map((k) => [k, outcome(s(k))]));
}

/** Fail unless every outcome is as wanted. */
function expectOutcomes(got: Record<string, string>, want: Record<string, string>, what: string): void {
  const wrong = Object.keys(want).filter((k) => got[k] !== want[k]);
  if (wrong.length) fail(`expected ${what}, found ${wrong.map((k) => `${k} ${got[k]} instead of ${want[k]}`).join('; ')}`, { expected: want, actual: got });
}

/** The filter most checks share: allow everything, SCMP_ACT_ERRNO for mkdir. */
function errnoRuleScenario(ctx: CheckContext) {
  return ctx.once('seccomp.errno-rule', async () => {
    requireHost(ctx.host, 'seccomp');
    const s = await probe(ctx, 'seccomp-errno', { status: 'cat /proc/$$/status', mkdir: MKDIR, touch: TOUCH }, withSeccomp(allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_ERRNO' })));
    return { status: procStatus(s('status')), mkdir: outcome(s('mkdir')), touch: outcome(s('touch')) };
  });
}

/** A container that makes an SCMP_ACT_NOTIFY call with `listenerPath` a socket of the harness: what the socket got, and what the call got. */
async function notifyScenario(ctx: CheckContext): Promise<{ messages: { data: string; closed: boolean }[]; mkdir: string; id: string }> {
  requireHost(ctx.host, 'seccomp');
  const messages: { data: string; closed: boolean }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const m = { data: '', closed: false };
    messages.push(m);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => void (m.data += d));
    socket.on('end', () => {
      m.closed = true;
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  let socketPath = '';
  const id = ctx.newId();
  const bundle = ctx.bundle('seccomp-notify', {
    script: `${MKDIR} 2>&1`,
    patch: (spec, b) => {
      socketPath = path.join(b.host, 'agent.sock');
      (spec.linux ??= {}).seccomp = { ...allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_NOTIFY' }), listenerPath: socketPath, listenerMetadata: 'ocikit-metadata' };
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  try {
    const call = await create(ctx, id, bundle);
    if (call.code !== 0) fail(`expected create with an SCMP_ACT_NOTIFY rule and a listening listenerPath to succeed, found exit ${call.code}: ${call.stderr.trim().split('\n').pop() ?? ''}`);
    // The agent (this harness) kept no seccomp fd, so the notifying call fails once the runtime has closed its copy.
    const start = await ctx.driver.start(id);
    if (start.code !== 0) fail(`expected start to succeed, found exit ${start.code}`);
    await ctx.driver.waitForStatus(id, ['stopped']);
    return { messages, mkdir: outcome(bundle.output()), id };
  } finally {
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export const SECCOMP_CHECKS: readonly Check[] = [
  {
    id: 'seccomp.filter',
    level: 'MUST',
    ref: REF,
    text: 'Seccomp configuration allows one to configure actions to take for matched syscalls: with `linux.seccomp` set, the container process runs under a seccomp filter.',
    async run(ctx) {
      const { status } = await errnoRuleScenario(ctx);
      expectSame(status['Seccomp'], '2', `expected Seccomp: 2 (filter mode) in /proc/PID/status, found Seccomp: ${status['Seccomp'] ?? 'missing'}`);
      return 'Seccomp: 2';
    },
  },
  {
    id: 'seccomp.syscall-errno',
    level: 'MUST',
    ref: REF,
    text: '`syscalls` match a syscall in seccomp; with `action` `SCMP_ACT_ERRNO` the matched syscall fails with an error.',
    async run(ctx) {
      const { mkdir } = await errnoRuleScenario(ctx);
      if (mkdir === 'created') fail('expected mkdir(2) matched by an SCMP_ACT_ERRNO rule to fail, found it succeeded', { expected: 'an error', actual: 'created' });
      return `mkdir failed with ${mkdir}`;
    },
  },
  {
    id: 'seccomp.default-allow',
    level: 'MUST',
    ref: REF,
    text: '`defaultAction` (string, REQUIRED) - the default action for seccomp: with `SCMP_ACT_ALLOW`, syscalls no rule matches are allowed.',
    async run(ctx) {
      const { touch } = await errnoRuleScenario(ctx);
      expectSame(touch, 'created', `expected an unlisted syscall to succeed under defaultAction SCMP_ACT_ALLOW, found ${touch}`);
      return 'unlisted syscalls allowed';
    },
  },
  {
    id: 'seccomp.default-errno',
    level: 'MUST',
    ref: REF,
    text: '`defaultAction` (string, REQUIRED) - the default action for seccomp: with `SCMP_ACT_ERRNO`, syscalls no rule matches fail.',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-default-errno', denyByDefault(), { touch: TOUCH, mkdir: MKDIR });
      if (got['touch'] !== 'created') fail(`expected a syscall listed with SCMP_ACT_ALLOW to succeed, found ${got['touch']}`, { expected: 'created', actual: got['touch'] });
      if (got['mkdir'] === 'created') fail('expected mkdir(2), unlisted, to fail under defaultAction SCMP_ACT_ERRNO, found it succeeded', { expected: 'an error', actual: 'created' });
      return `listed syscalls allowed, unlisted mkdir failed with ${got['mkdir']}`;
    },
  },
  {
    id: 'seccomp.action-kill',
    level: 'MUST',
    ref: REF,
    text: '`action` `SCMP_ACT_KILL` (libseccomp): the thread making the matched syscall is killed (by SIGSYS).',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-kill', allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_KILL' }), { child: MKDIR_CHILD });
      expectOutcomes(got, { child: SIGSYS_EXIT }, 'mkdir(2) under SCMP_ACT_KILL to kill its process by SIGSYS');
      return `mkdir process killed (${SIGSYS_EXIT})`;
    },
  },
  {
    id: 'seccomp.action-trap',
    level: 'MUST',
    ref: REF,
    text: '`action` `SCMP_ACT_TRAP` (libseccomp): the thread making the matched syscall gets SIGSYS, which kills a process that does not catch it.',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-trap', allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_TRAP' }), { child: MKDIR_CHILD });
      expectOutcomes(got, { child: SIGSYS_EXIT }, 'mkdir(2) under SCMP_ACT_TRAP to raise SIGSYS');
      return `mkdir process got SIGSYS (${SIGSYS_EXIT})`;
    },
  },
  {
    id: 'seccomp.action-trace',
    level: 'MUST',
    ref: REF,
    text: '`action` `SCMP_ACT_TRACE` (libseccomp, seccomp(2)): with no tracer attached, the matched syscall is not made and fails with ENOSYS.',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-trace', allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_TRACE' }), { mkdir: MKDIR });
      expectOutcomes(got, { mkdir: 'ENOSYS' }, 'mkdir(2) under SCMP_ACT_TRACE with no tracer to fail with ENOSYS');
      return 'mkdir failed with ENOSYS';
    },
  },
  {
    id: 'seccomp.action-log',
    level: 'MUST',
    since: '1.0.2',
    ref: REF,
    text: '`action` `SCMP_ACT_LOG` (libseccomp): the matched syscall is made (and logged).',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-log', allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_LOG' }), { mkdir: MKDIR });
      expectOutcomes(got, { mkdir: 'created' }, 'mkdir(2) under SCMP_ACT_LOG to succeed');
      return 'mkdir allowed';
    },
  },
  {
    id: 'seccomp.args',
    level: 'MUST',
    ref: REF,
    text: '`args` (array of objects, OPTIONAL) - the specific syscall in seccomp: a rule with `args` (`index`, `value`, `op`) matches only calls whose arguments compare true.',
    async run(ctx) {
      // personality(PER_LINUX32 = 8) denied; personality(PER_LINUX = 0) not.
      const rule: LinuxSyscall = { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] };
      const got = await underFilter(ctx, 'seccomp-args', allowBut(rule), { linux32: 'linux32 true && echo created', linux64: 'linux64 true && echo created' });
      expectOutcomes(got, { linux32: 'EPERM', linux64: 'created' }, 'personality(8) denied and personality(0) allowed by an SCMP_CMP_EQ 8 rule on argument 0');
      return 'only the call whose argument matched was denied';
    },
  },
  {
    id: 'seccomp.args-masked-eq',
    level: 'MUST',
    ref: REF,
    text: '`op` (string, REQUIRED) - the operator for syscall arguments in seccomp: `SCMP_CMP_MASKED_EQ` compares the argument under a mask.',
    async run(ctx) {
      // Mask and value both 8, so that either reading of value/valueTwo matches personality(8) and not personality(0).
      const rule: LinuxSyscall = { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 8, valueTwo: 8, op: 'SCMP_CMP_MASKED_EQ' }] };
      const got = await underFilter(ctx, 'seccomp-masked-eq', allowBut(rule), { linux32: 'linux32 true && echo created', linux64: 'linux64 true && echo created' });
      expectOutcomes(got, { linux32: 'EPERM', linux64: 'created' }, 'personality(8) denied and personality(0) allowed by an SCMP_CMP_MASKED_EQ 8/8 rule');
      return 'only the call whose masked argument matched was denied';
    },
  },
  {
    id: 'seccomp.flags',
    level: 'MUST',
    since: '1.0.2',
    ref: REF,
    text: '`flags` (array of strings, OPTIONAL) - list of flags to use with seccomp(2): `SECCOMP_FILTER_FLAG_LOG`, `SECCOMP_FILTER_FLAG_SPEC_ALLOW`.',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-flags', { ...allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_ERRNO' }), flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }, { touch: TOUCH, mkdir: MKDIR });
      expectOutcomes(got, { touch: 'created', mkdir: 'EPERM' }, 'the filter installed with flags LOG and SPEC_ALLOW to deny mkdir(2) and nothing else');
      return 'filter with flags LOG and SPEC_ALLOW enforced';
    },
  },
  {
    id: 'seccomp.errno-default',
    level: 'MUST',
    since: '1.1.0',
    ref: REF,
    text: '`errnoRet` (uint, OPTIONAL) - the errno return code to use. The default is `EPERM`.',
    async run(ctx) {
      const { mkdir } = await errnoRuleScenario(ctx);
      expectSame(mkdir, 'EPERM', `expected mkdir(2) under SCMP_ACT_ERRNO without errnoRet to fail with EPERM, found ${mkdir}`);
      return 'EPERM';
    },
  },
  {
    id: 'seccomp.errno-ret',
    level: 'MUST',
    since: '1.1.0',
    ref: REF,
    text: '`errnoRet` (uint, OPTIONAL) - the errno return code to use. Some actions like `SCMP_ACT_ERRNO` and `SCMP_ACT_TRACE` allow to specify the errno code to return.',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-errno-ret', allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO.EDOM }), { mkdir: MKDIR });
      expectOutcomes(got, { mkdir: 'EDOM' }, `mkdir(2) to fail with errnoRet ${ERRNO.EDOM} (EDOM)`);
      return 'mkdir failed with EDOM';
    },
  },
  {
    id: 'seccomp.default-errno-ret',
    level: 'MUST',
    since: '1.1.0',
    ref: REF,
    text: '`defaultErrnoRet` (uint, OPTIONAL) - the errno return code to use. The default is `EPERM`.',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-default-errno-ret', denyByDefault({ defaultErrnoRet: ERRNO.ENOTTY }), { mkdir: MKDIR, touch: TOUCH });
      expectOutcomes(got, { touch: 'created', mkdir: 'ENOTTY' }, `unlisted mkdir(2) to fail with defaultErrnoRet ${ERRNO.ENOTTY} (ENOTTY)`);
      return 'mkdir failed with ENOTTY';
    },
  },
  {
    id: 'seccomp.errno-ret-unsupported',
    level: 'MUST',
    since: '1.1.0',
    ref: REF,
    text: 'When the action doesn\'t support an errno, the runtime MUST print and error and fail.',
    async run(ctx) {
      requireHost(ctx.host, 'seccomp');
      const bundle = ctx.bundle('seccomp-errno-ret-kill', withSeccomp(allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_KILL', errnoRet: ERRNO.EDOM })));
      expectError(await create(ctx, ctx.newId(), bundle), 'create with errnoRet on an SCMP_ACT_KILL rule');
      return 'create refused errnoRet on SCMP_ACT_KILL';
    },
  },
  {
    id: 'seccomp.action-kill-process',
    level: 'MUST',
    since: '1.1.0',
    ref: REF,
    text: '`action` `SCMP_ACT_KILL_PROCESS` (libseccomp): the process making the matched syscall is killed (by SIGSYS).',
    async run(ctx) {
      const got = await underFilter(ctx, 'seccomp-kill-process', allowBut({ names: MKDIR_CALLS, action: 'SCMP_ACT_KILL_PROCESS' }), { child: MKDIR_CHILD });
      expectOutcomes(got, { child: SIGSYS_EXIT }, 'mkdir(2) under SCMP_ACT_KILL_PROCESS to kill its process by SIGSYS');
      return `mkdir process killed (${SIGSYS_EXIT})`;
    },
  },
  {
    id: 'seccomp.listener',
    level: 'MUST',
    since: '1.1.0',
    ref: REF,
    text: 'The runtime MUST send exactly one container process state per connection. The connection MUST NOT be reused and it MUST be closed after sending a seccomp state.',
    async run(ctx) {
      const { messages, id } = await notifyScenario(ctx);
      if (messages.length !== 1) fail(`expected one connection to listenerPath, found ${messages.length}`, { expected: 1, actual: messages.length });
      const m = messages[0]!;
      if (!m.closed) fail('expected the runtime to close the connection after sending the state, found it open', { expected: 'closed', actual: 'open' });
      let state: Record<string, unknown>;
      try {
        state = JSON.parse(m.data) as Record<string, unknown>;
      } catch {
        fail(`expected one JSON container process state, found ${JSON.stringify(m.data.slice(0, 300))}`, { actual: m.data.slice(0, 300) });
      }
      const inner = (state['state'] ?? {}) as Record<string, unknown>;
      const got = { ociVersion: typeof state['ociVersion'], fds: state['fds'], pid: typeof state['pid'], metadata: state['metadata'], stateId: inner['id'] };
      expectSame(got, { ociVersion: 'string', fds: ['seccompFd'], pid: 'number', metadata: 'ocikit-metadata', stateId: id }, 'expected a container process state with ociVersion, fds ["seccompFd"], pid, the metadata and the state of the container');
      return 'one state (fds, pid, metadata, state) per connection, connection closed';
    },
  },
];
