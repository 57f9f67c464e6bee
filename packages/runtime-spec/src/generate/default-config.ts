/**
 * Default configurations ("Base Config Compatibility"): for Linux the same
 * document `runc spec` (and `runc spec --rootless`) writes, for the other
 * platforms a small configuration that passes validation and shows each
 * platform section. Pure functions: every call returns a fresh object.
 */
import { RUNTIME_SPEC_VERSION, type TargetOS } from '../constants.js';
import { RuntimeSpecError, RuntimeSpecErrorCode } from '../errors.js';
import type { Mount, Process, Spec } from '../types/config.js';
import type { Linux } from '../types/config-linux.js';

export interface DefaultConfigOptions {
  /** Target platform (default `linux`). */
  os?: TargetOS;
  /** Linux only: a configuration an unprivileged user can run (user namespace, no cgroup device rules). */
  rootless?: boolean;
  /** Rootless: host UID mapped to root in the container (default: this process's effective UID). */
  hostUid?: number;
  /** Rootless: host GID mapped to root in the container (default: this process's effective GID). */
  hostGid?: number;
  /** ociVersion to declare (default: the version this package implements). */
  ociVersion?: string;
}

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

function posixProcess(args: string[]): Process {
  return {
    terminal: true,
    user: { uid: 0, gid: 0 },
    args,
    env: [PATH, 'TERM=xterm'],
    cwd: '/',
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
  };
}

/** What the other POSIX platforms' defaults share: `process`, a writable `rootfs`, hostname `ocikit`. */
function posixDefault(ociVersion: string, proc: Process): Pick<Spec, 'ociVersion' | 'process' | 'root' | 'hostname'> {
  return { ociVersion, process: proc, root: { path: 'rootfs', readonly: false }, hostname: 'ocikit' };
}

function linuxProcess(): Process {
  const p = posixProcess(['sh']);
  // Same key order as runc's output, so the JSON reads the same.
  return {
    terminal: p.terminal,
    user: p.user,
    args: p.args,
    env: p.env,
    cwd: p.cwd,
    capabilities: {
      bounding: [...DEFAULT_CAPS],
      effective: [...DEFAULT_CAPS],
      permitted: [...DEFAULT_CAPS],
      ambient: [...DEFAULT_CAPS],
    },
    rlimits: p.rlimits,
    noNewPrivileges: true,
  };
}

function linuxMounts(rootless: boolean): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      // An unprivileged user cannot own a pty by the host's tty group: no gid=5.
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(rootless ? [] : ['gid=5'])],
    },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // Without a network namespace of its own a rootless container cannot mount sysfs: bind the host's.
    rootless
      ? { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

const MASKED = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function linuxSection(rootless: boolean, hostUid: number, hostGid: number): Linux {
  if (rootless) {
    return {
      uidMappings: [{ containerID: 0, hostID: hostUid, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: hostGid, size: 1 }],
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'user' }],
      maskedPaths: [...MASKED],
      readonlyPaths: [...READONLY],
    };
  }
  return {
    resources: { devices: [{ allow: false, access: 'rwm' }] },
    namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
    maskedPaths: [...MASKED],
    readonlyPaths: [...READONLY],
  };
}

function linuxDefault(options: DefaultConfigOptions, ociVersion: string): Spec {
  const rootless = options.rootless === true;
  const hostUid = options.hostUid ?? process.geteuid?.() ?? 0;
  const hostGid = options.hostGid ?? process.getegid?.() ?? 0;
  for (const [name, id] of [['hostUid', hostUid], ['hostGid', hostGid]] as const) {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RuntimeSpecError(RuntimeSpecErrorCode.InvalidArgument, `expected ${name} to be a 32-bit unsigned integer, found ${id}`);
  }
  return {
    ociVersion,
    process: linuxProcess(),
    root: { path: 'rootfs', readonly: true },
    hostname: 'runc',
    mounts: linuxMounts(rootless),
    linux: linuxSection(rootless, hostUid, hostGid),
  };
}

/** A default configuration for `os` (see {@link DefaultConfigOptions}). */
export function defaultConfig(options: DefaultConfigOptions = {}): Spec {
  const os = options.os ?? 'linux';
  const ociVersion = options.ociVersion ?? RUNTIME_SPEC_VERSION;
  if (options.rootless && os !== 'linux' && os !== 'vm') {
    throw new RuntimeSpecError(RuntimeSpecErrorCode.InvalidArgument, `expected rootless only for os linux or vm, found os ${os}`);
  }
  switch (os) {
    case 'linux':
      return linuxDefault(options, ociVersion);
    case 'vm': {
      // A Linux container run inside a lightweight VM (config-vm.md); paths are the usual Debian/Ubuntu locations.
      const spec = linuxDefault(options, ociVersion);
      spec.vm = {
        hypervisor: { path: '/usr/bin/qemu-system-x86_64', parameters: ['-enable-kvm', '-nographic'] },
        kernel: { path: '/var/lib/ocikit/vm/vmlinuz', parameters: ['console=ttyS0', 'quiet'], initrd: '/var/lib/ocikit/vm/initrd.img' },
        image: { path: '/var/lib/ocikit/vm/rootfs.img', format: 'raw' },
      };
      return spec;
    }
    case 'windows':
      return {
        ociVersion,
        process: {
          terminal: false,
          user: { username: 'ContainerUser' },
          args: ['cmd.exe'],
          env: [],
          cwd: 'C:\\',
        },
        // A Windows Server container: root is the volume of the container's scratch layer.
        // The zero GUID is a placeholder the caller replaces with the mounted volume.
        root: { path: '\\\\?\\Volume{00000000-0000-0000-0000-000000000000}\\' },
        hostname: 'ocikit',
        mounts: [],
        windows: {
          layerFolders: ['C:\\ProgramData\\ocikit\\layers\\base', 'C:\\ProgramData\\ocikit\\layers\\scratch'],
          network: { allowUnqualifiedDNSQuery: true },
        },
      };
    case 'solaris':
      return {
        ...posixDefault(ociVersion, posixProcess(['/usr/bin/bash'])),
        mounts: [],
        solaris: {
          milestone: 'svc:/milestone/container:default',
          limitpriv: 'default',
          maxShmMemory: '512m',
          cappedCPU: { ncpus: '1' },
          cappedMemory: { physical: '512m', swap: '512m' },
        },
      };
    case 'freebsd':
      return {
        ...posixDefault(ociVersion, posixProcess(['sh'])),
        mounts: [
          { destination: '/dev', type: 'devfs', source: 'devfs', options: ['ruleset=4'] },
          { destination: '/dev/fd', type: 'fdescfs', source: 'fdescfs', options: [] },
        ],
        freebsd: { jail: { host: 'new', vnet: 'new', enforceStatfs: 2 } },
      };
    case 'zos':
      return {
        ...posixDefault(ociVersion, { ...posixProcess(['sh']), noNewPrivileges: true }),
        mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
        zos: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
      };
    default:
      throw new RuntimeSpecError(RuntimeSpecErrorCode.InvalidArgument, `expected os linux, windows, solaris, freebsd, zos or vm, found ${JSON.stringify(os)}`);
  }
}
