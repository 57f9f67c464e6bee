/**
 * Meaning checks of `config.json`: every rule of runtime-spec's prose that
 * the schema cannot state. Run only on documents that passed the schema, so
 * the types below hold. Codes reuse runtime-tools' `specerror` vocabulary
 * where it has a name for the rule.
 */
import { FREEBSD_RLIMITS, LINUX_CAPABILITIES, LINUX_RLIMITS, SOLARIS_RLIMITS, type TargetOS } from '../constants.js';
import type { Hook, Hooks, Mount, Process, Spec } from '../types/config.js';
import type { IDMapping } from '../types/defs.js';
import type { Linux, LinuxNamespaceType } from '../types/config-linux.js';
import { specRef, type Findings } from './findings.js';
import { COMPILED_CONFIG_FIELDS } from '../versions.js';
import { checkAnnotations, checkFieldVersions, checkOciVersion, isAbsPosix, isAbsWindows, isEnvEntry, ptr } from './common.js';

export interface ConfigCheckOptions {
  /** Target platform; inferred from the platform sections present when unset. */
  os?: TargetOS;
  /** Check as for the `start` operation: `process` is then REQUIRED. */
  forStart?: boolean;
}

const R = {
  root: specRef('config.md', 'root'),
  mounts: specRef('config.md', 'mounts'),
  process: specRef('config.md', 'process'),
  user: specRef('config.md', 'user'),
  posixProcess: specRef('config.md', 'posix-process'),
  linuxProcess: specRef('config.md', 'linux-process'),
  hostname: specRef('config.md', 'hostname'),
  platform: specRef('config.md', 'platform-specific-configuration'),
  hooks: specRef('config.md', 'posix-platform-hooks'),
  namespaces: specRef('config-linux.md', 'namespaces'),
  idMappings: specRef('config-linux.md', 'user-namespace-mappings'),
  timeOffsets: specRef('config-linux.md', 'offset-for-time-namespace'),
  devices: specRef('config-linux.md', 'devices'),
  netDevices: specRef('config-linux.md', 'network-devices'),
  deviceCgroup: specRef('config-linux.md', 'allowed-device-list'),
  memory: specRef('config-linux.md', 'memory'),
  blockIO: specRef('config-linux.md', 'block-io'),
  sysctl: specRef('config-linux.md', 'sysctl'),
  seccomp: specRef('config-linux.md', 'seccomp'),
  masked: specRef('config-linux.md', 'masked-paths'),
  readonly: specRef('config-linux.md', 'readonly-paths'),
  intelRdt: specRef('config-linux.md', 'intelrdt'),
  rdma: specRef('config-linux.md', 'rdma'),
  windows: specRef('config-windows.md'),
  windowsLayers: specRef('config-windows.md', 'layerfolders'),
  vm: specRef('config-vm.md'),
  zos: specRef('config-zos.md', 'namespaces'),
} as const;

const CAPS = new Set<string>(LINUX_CAPABILITIES);
const CAP_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;
const NS_TIME = 128;
/** One bit per namespace type (a switch: faster than a keyed lookup on data). */
function nsBit(type: LinuxNamespaceType): number {
  switch (type) {
    case 'pid':
      return 1;
    case 'network':
      return 2;
    case 'mount':
      return 4;
    case 'ipc':
      return 8;
    case 'uts':
      return 16;
    case 'user':
      return 32;
    case 'cgroup':
      return 64;
    case 'time':
      return NS_TIME;
    default:
      return 0;
  }
}
function hasNs(seen: number, type: LinuxNamespaceType): boolean {
  return (seen & nsBit(type)) !== 0;
}

/** A Windows volume GUID path, `\\?\Volume{GUID}\` (trailing backslash optional). */
export const WINDOWS_VOLUME_GUID_PATH = /^\\\\\?\\Volume\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}\\?$/;
const RLIMITS: Record<string, ReadonlySet<string>> = {
  linux: new Set(LINUX_RLIMITS),
  solaris: new Set(SOLARIS_RLIMITS),
  freebsd: new Set(FREEBSD_RLIMITS),
  any: new Set<string>([...LINUX_RLIMITS, ...SOLARIS_RLIMITS, ...FREEBSD_RLIMITS]),
};

/** Platform a configuration targets: the option, else the platform section present. */
export function configPlatform(spec: Spec, os?: TargetOS): TargetOS | undefined {
  if (os) return os;
  if (spec.windows) return 'windows';
  if (spec.solaris) return 'solaris';
  if (spec.zos) return 'zos';
  if (spec.freebsd) return 'freebsd';
  if (spec.vm) return 'vm';
  if (spec.linux) return 'linux';
  return undefined;
}

export function checkConfig(f: Findings, spec: Spec, options: ConfigCheckOptions = {}): void {
  const os = configPlatform(spec, options.os);
  const windows = os === 'windows';
  // VM-based runtimes run Linux containers inside the VM; an unknown
  // platform is most likely Linux (the one platform with lenient rules).
  const linuxish = os === 'linux' || os === 'vm' || os === undefined;
  const declared = checkOciVersion(f, spec.ociVersion, '/ociVersion');

  // Root (config.md "Root")
  const hyperV = windows && spec.windows?.hyperv !== undefined;
  if (spec.root === undefined) {
    if (windows && !hyperV) f.must('RootOnWindowsRequired', '/root', 'expected root for a Windows Server container, found none', R.root);
    else if (!windows) f.must('RootOnNonHyperVRequired', '/root', 'expected root (REQUIRED on every platform but Windows Hyper-V), found none', R.root);
  } else if (hyperV) {
    f.must('RootOnHyperVNotSet', '/root', 'expected no root for a Hyper-V container (windows.hyperv is set), found one', R.root);
  } else if (windows) {
    if (!WINDOWS_VOLUME_GUID_PATH.test(spec.root.path)) {
      f.must('RootPathOnWindowsGUID', '/root/path', `expected a volume GUID path such as \\\\?\\Volume{...}\\, found ${JSON.stringify(spec.root.path)}`, R.root);
    }
    if (spec.root.readonly === true) f.must('RootReadonlyOnWindowsFalse', '/root/readonly', 'expected readonly omitted or false on Windows, found true', R.root);
  } else if (spec.root.path !== 'rootfs' && spec.root.path !== './rootfs') {
    f.should('RootPathOnPosixConvention', '/root/path', `expected the conventional "rootfs", found ${JSON.stringify(spec.root.path)}`, R.root);
  }
  if (options.os === 'windows' && spec.windows === undefined) {
    f.must('PlatformSpecConfOnWindowsSet', '/windows', 'expected a windows section for a Windows target, found none', R.platform);
  }

  if (spec.process) checkProcess(f, spec.process, os);
  else if (options.forStart) f.must('ProcRequiredAtStart', '/process', 'expected process (REQUIRED when start is called), found none', R.process);

  if (spec.mounts) checkMounts(f, spec.mounts, os, linuxish);
  if (spec.hooks) checkHooks(f, spec.hooks);
  if (spec.annotations) checkAnnotations(f, spec.annotations, '/annotations');
  if (spec.linux) checkLinux(f, spec, spec.linux);
  // Fields newer than the declared version (one table, shared with downgradeConfig).
  checkFieldVersions(f, spec, declared, COMPILED_CONFIG_FIELDS);

  if (spec.windows) {
    const w = spec.windows;
    if (!hyperV && (w.layerFolders === undefined || w.layerFolders.length === 0)) {
      f.must('WindowsLayerFoldersRequired', '/windows/layerFolders', 'expected at least one layer folder for a Windows Server container, found none', R.windowsLayers);
    }
    if (spec.mounts) {
      // Windows: no mount destination nested within another (config.md "Mounts").
      // Look each destination's ancestors up in a map: linear, whatever the count.
      const norm = spec.mounts.map((m) => m.destination.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase());
      // Only prefixes as long as some destination can match, and at most
      // Windows' longest path: bounded work on hostile input.
      const index = new Map<string, number>();
      const lengths = new Set<number>();
      norm.forEach((d, k) => {
        index.set(d, k);
        lengths.add(d.length);
      });
      for (let b = 0; b < norm.length; b++) {
        const d = norm[b]!;
        if (d.length > 32767) continue;
        for (let cut = d.lastIndexOf('\\'); cut > 0; cut = d.lastIndexOf('\\', cut - 1)) {
          if (!lengths.has(cut)) continue;
          const a = index.get(d.slice(0, cut));
          if (a !== undefined) {
            f.must('MountsDestOnWindowsNotNested', ptr('/mounts', b, 'destination'), `expected no mount nested within another, found ${JSON.stringify(spec.mounts[b]!.destination)} inside ${JSON.stringify(spec.mounts[a]!.destination)}`, R.mounts);
            break;
          }
        }
      }
    }
  }
  if (spec.vm) {
    const vm = spec.vm;
    const abs = (p: string | undefined, at: string) => {
      if (p !== undefined && !isAbsPosix(p)) f.must('VMPathAbs', at, `expected an absolute path in the runtime mount namespace, found ${JSON.stringify(p)}`, R.vm);
    };
    abs(vm.hypervisor?.path, '/vm/hypervisor/path');
    abs(vm.kernel.path, '/vm/kernel/path');
    abs(vm.kernel.initrd, '/vm/kernel/initrd');
    abs(vm.image?.path, '/vm/image/path');
  }
  if (spec.zos?.namespaces) {
    const seen = new Set<string>();
    for (let k = 0, items = spec.zos.namespaces; k < items.length; k++) {
      const ns = items[k]!;
      if (seen.has(ns.type)) f.must('NSErrorOnDup', ptr('/zos/namespaces', k, 'type'), `expected each namespace type once, found "${ns.type}" again`, R.zos);
      seen.add(ns.type);
      if (ns.path !== undefined && !isAbsPosix(ns.path)) f.must('NSPathAbs', ptr('/zos/namespaces', k, 'path'), `expected an absolute namespace path, found ${JSON.stringify(ns.path)}`, R.zos);
    }
  }
}

function checkEnv(f: Findings, env: readonly string[], path: string, code: string, ref: string): void {
  for (let k = 0, items = env; k < items.length; k++) {
    const e = items[k]!;
    if (!isEnvEntry(e)) f.must(code, ptr(path, k), `expected an entry "KEY=value" with a non-empty KEY, found ${JSON.stringify(e)}`, ref);
  }
}

function checkProcess(f: Findings, p: Process, os: TargetOS | undefined): void {
  const windows = os === 'windows';
  // cwd: absolute (config.md "Process")
  if (windows ? !isAbsWindows(p.cwd) && !isAbsPosix(p.cwd) : !isAbsPosix(p.cwd)) {
    f.must('ProcCwdAbs', '/process/cwd', `expected an absolute working directory, found ${JSON.stringify(p.cwd)}`, R.process);
  }
  if (windows) {
    if ((p.args === undefined || p.args.length === 0) && (p.commandLine === undefined || p.commandLine === '')) {
      f.must('ProcArgsOrCommandLineRequired', '/process/args', 'expected args or commandLine on Windows, found neither', R.process);
    }
  } else if (p.args === undefined || p.args.length === 0) {
    f.must('ProcArgsOneEntryRequired', '/process/args', `expected at least one entry in args (the executable), found ${p.args ? 'an empty array' : 'none'}`, R.process);
  }
  if (p.env) checkEnv(f, p.env, '/process/env', 'ProcEnvKeyValue', R.process);

  if (p.user && !windows && (p.user.uid === undefined || p.user.gid === undefined)) {
    f.must('PosixUserUidGidRequired', '/process/user', `expected uid and gid (REQUIRED on POSIX platforms), found ${p.user.uid === undefined ? 'no uid' : 'no gid'}`, R.user);
  }

  if (p.rlimits) {
    const names = RLIMITS[os === 'solaris' || os === 'freebsd' || os === 'linux' ? os : os === 'vm' ? 'linux' : 'any']!;
    const seen = p.rlimits.length > 1 ? new Set<string>() : undefined;
    for (let k = 0, items = p.rlimits; k < items.length; k++) {
      const r = items[k]!;
      if (!names.has(r.type)) f.must('PosixProcRlimitsTypeGeneError', ptr('/process/rlimits', k, 'type'), `expected a resource of getrlimit on ${os ?? 'POSIX'}, found "${r.type}"`, R.posixProcess);
      if (seen?.has(r.type)) f.must('PosixProcRlimitsErrorOnDup', ptr('/process/rlimits', k, 'type'), `expected each rlimit type once, found "${r.type}" again`, R.posixProcess);
      seen?.add(r.type);
      if (r.soft > r.hard) f.must('PosixProcRlimitsSoftAboveHard', ptr('/process/rlimits', k), `expected soft <= hard (setrlimit fails otherwise), found soft ${r.soft} > hard ${r.hard}`, R.posixProcess);
    }
  }

  if (p.capabilities) {
    const c = p.capabilities;
    for (const s of CAP_SETS) {
      for (let k = 0, items = (c[s] ?? []); k < items.length; k++) {
        const cap = items[k]!;
        if (!CAPS.has(cap)) f.must('LinuxProcCapError', ptr('/process/capabilities', s, k), `expected a capability of capabilities(7) such as CAP_CHOWN, found "${cap}"`, R.linuxProcess);
      }
    }
    // The kernel refuses an effective capability outside the permitted set,
    // and raises an ambient capability only if it is permitted and inheritable.
    const permitted = c.permitted;
    if (permitted) {
      for (let k = 0, items = (c.effective ?? []); k < items.length; k++) {
        const cap = items[k]!;
        if (!permitted.includes(cap) && CAPS.has(cap)) f.must('LinuxProcCapEffectiveNotPermitted', ptr('/process/capabilities/effective', k), `expected effective capabilities within permitted, found ${cap} only in effective`, R.linuxProcess);
      }
      for (let k = 0, items = (c.ambient ?? []); k < items.length; k++) {
        const cap = items[k]!;
        if (!permitted.includes(cap) && CAPS.has(cap)) f.must('LinuxProcCapAmbientNotPermitted', ptr('/process/capabilities/ambient', k), `expected ambient capabilities within permitted, found ${cap} only in ambient`, R.linuxProcess);
      }
    }
    const inheritable = f.wantsMay ? (c.inheritable ?? []) : undefined;
    for (let k = 0, items = (inheritable && c.ambient) || []; k < items.length; k++) {
      const cap = items[k]!;
      if (!inheritable!.includes(cap) && CAPS.has(cap)) f.may('LinuxProcCapAmbientNotInheritable', ptr('/process/capabilities/ambient', k), `ambient ${cap} is not inheritable, so the kernel will not raise it`, R.linuxProcess);
    }
  }

  if (f.wantsMay && p.consoleSize && p.terminal !== true) {
    f.may('ProcessConsoleSizeIgnore', '/process/consoleSize', 'consoleSize is ignored because terminal is not true', R.process);
  }
}

function checkMounts(f: Findings, mounts: readonly Mount[], os: TargetOS | undefined, linuxish: boolean): void {
  for (let k = 0, items = mounts; k < items.length; k++) {
    const m = items[k]!;
    const abs = os === 'windows' ? isAbsWindows(m.destination) || isAbsPosix(m.destination) : isAbsPosix(m.destination);
    if (!abs) {
      if (linuxish) f.should('MountsDestRelativeDeprecated', ptr('/mounts', k, 'destination'), `expected an absolute destination (relative ones are deprecated on Linux), found ${JSON.stringify(m.destination)}`, R.mounts);
      else f.must('MountsDestAbs', ptr('/mounts', k, 'destination'), `expected an absolute destination, found ${JSON.stringify(m.destination)}`, R.mounts);
    }
    if ((m.uidMappings === undefined) !== (m.gidMappings === undefined)) {
      f.must('MountsIdMappingPaired', ptr('/mounts', k), `expected uidMappings and gidMappings together on an idmapped mount, found only ${m.uidMappings ? 'uidMappings' : 'gidMappings'}`, R.mounts);
    }
  }
}

const HOOK_NAMES = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;

function checkHooks(f: Findings, hooks: Hooks): void {
  for (const name of HOOK_NAMES) {
    const list: Hook[] | undefined = hooks[name];
    if (!list) continue;
    if (f.wantsMay && name === 'prestart' && list.length > 0) {
      f.may('HooksPrestartDeprecated', '/hooks/prestart', 'prestart is deprecated: use createRuntime, createContainer or startContainer', R.hooks);
    }
    for (let k = 0, items = list; k < items.length; k++) {
      const h = items[k]!;
      const at = ptr('/hooks', name, k);
      if (!isAbsPosix(h.path)) f.must('PosixHooksPathAbs', ptr(at, 'path'), `expected an absolute hook path, found ${JSON.stringify(h.path)}`, R.hooks);
      if (h.env) checkEnv(f, h.env, ptr(at, 'env'), 'PosixHooksEnvKeyValue', R.hooks);
      if (h.timeout !== undefined && h.timeout <= 0) f.must('PosixHooksTimeoutPositive', ptr(at, 'timeout'), `expected a timeout greater than zero, found ${h.timeout}`, R.hooks);
    }
  }
}

function checkIdMappings(f: Findings, maps: readonly IDMapping[], key: 'uidMappings' | 'gidMappings', seen: number): void {
  if (!hasNs(seen, 'user')) f.must('LinuxIDMappingsRequireUserNS', `/linux/${key}`, `expected a user namespace in linux.namespaces for ${key}, found none`, R.idMappings);
  for (let k = 0; k < maps.length; k++) {
    const m = maps[k]!;
    if (m.containerID + m.size > 2 ** 32 || m.hostID + m.size > 2 ** 32) {
      f.must('LinuxIDMappingRange', ptr(`/linux/${key}`, k), `expected a range within 32-bit IDs, found ${m.containerID}+${m.size} -> ${m.hostID}+${m.size}`, R.idMappings);
    }
  }
}

/** Length of a string in UTF-8 bytes. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Linux network interface names: 1 to 15 bytes, no "/", ":" or whitespace, not "." or "..". */
function isIfName(name: string): boolean {
  return name.length > 0 && utf8Length(name) <= 15 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

function checkLinux(f: Findings, spec: Spec, linux: Linux): void {
  // Namespaces: unique types, absolute paths (config-linux.md "Namespaces").
  // The types seen, as bits: no allocation on this hot path.
  let seen = 0;
  for (let k = 0, items = (linux.namespaces ?? []); k < items.length; k++) {
    const n = items[k]!;
    const bit = nsBit(n.type);
    if (seen & bit) f.must('NSErrorOnDup', ptr('/linux/namespaces', k, 'type'), `expected each namespace type once, found "${n.type}" again`, R.namespaces);
    seen |= bit;
    if (n.path !== undefined && !isAbsPosix(n.path)) f.must('NSPathAbs', ptr('/linux/namespaces', k, 'path'), `expected an absolute path in the runtime mount namespace, found ${JSON.stringify(n.path)}`, R.namespaces);
  }

  // ID mappings imply a user namespace (config-linux.md "User namespace mappings").
  if (linux.uidMappings && linux.uidMappings.length > 0) checkIdMappings(f, linux.uidMappings, 'uidMappings', seen);
  if (linux.gidMappings && linux.gidMappings.length > 0) checkIdMappings(f, linux.gidMappings, 'gidMappings', seen);

  // hostname/domainname need their own UTS namespace (config.md "Hostname").
  if (!hasNs(seen, 'uts')) {
    if (spec.hostname) f.must('HostnameRequiresUtsNS', '/hostname', "expected a uts namespace in linux.namespaces to set hostname, found none (it would change the host's)", R.hostname);
    if (spec.domainname) f.must('HostnameRequiresUtsNS', '/domainname', "expected a uts namespace in linux.namespaces to set domainname, found none (it would change the host's)", R.hostname);
  }

  if (linux.timeOffsets) {
    if (!hasNs(seen, 'time')) f.must('TimeOffsetsRequireTimeNS', '/linux/timeOffsets', 'expected a time namespace in linux.namespaces for timeOffsets, found none', R.timeOffsets);
    for (const clock of Object.keys(linux.timeOffsets)) {
      if (clock !== 'monotonic' && clock !== 'boottime') f.must('TimeOffsetsClock', ptr('/linux/timeOffsets', clock), `expected clock "monotonic" or "boottime", found "${clock}"`, R.timeOffsets);
    }
  }

  // Sysctls: net.* need a network namespace; IPC ones an ipc namespace.
  if (linux.sysctl) {
    for (const key of Object.keys(linux.sysctl)) {
      if (key.startsWith('net.') && !hasNs(seen, 'network')) f.must('SysctlNetRequiresNetNS', ptr('/linux/sysctl', key), `expected a network namespace for ${key}, found none (it would change the host)`, R.sysctl);
      if ((key.startsWith('fs.mqueue.') || /^kernel\.(msg|sem|shm)/.test(key)) && !hasNs(seen, 'ipc')) {
        f.must('SysctlIpcRequiresIpcNS', ptr('/linux/sysctl', key), `expected an ipc namespace for ${key}, found none (it would change the host)`, R.sysctl);
      }
    }
  }

  // Devices (config-linux.md "Devices").
  if (linux.devices) {
    const seen = new Set<string>();
    for (let k = 0, items = linux.devices; k < items.length; k++) {
      const d = items[k]!;
      if (!isAbsPosix(d.path)) f.must('DevicesPathAbs', ptr('/linux/devices', k, 'path'), `expected the full path of the device inside the container, found ${JSON.stringify(d.path)}`, R.devices);
      if (d.type !== 'p' && (d.major === undefined || d.minor === undefined)) {
        f.must('DevicesMajMinRequired', ptr('/linux/devices', k), `expected major and minor for a device of type "${d.type}", found ${d.major === undefined ? 'no major' : 'no minor'}`, R.devices);
      } else if (d.type !== 'p') {
        const id = `${d.type === 'u' ? 'c' : d.type}:${d.major}:${d.minor}`;
        if (seen.has(id)) f.should('DevicesErrorOnDup', ptr('/linux/devices', k), `expected each type/major/minor once, found ${d.type} ${d.major}:${d.minor} again`, R.devices);
        seen.add(id);
      }
    }
  }

  if (linux.netDevices) {
    // SHOULD, not MUST: runtime-spec's own schema tests hold netDevices without a network namespace as good.
    if (!hasNs(seen, 'network')) f.should('NetDevicesRequireNetNS', '/linux/netDevices', 'expected a network namespace in linux.namespaces to move the devices into, found none (most runtimes refuse this)', R.netDevices);
    const targets = new Set<string>();
    for (const [host, dev] of Object.entries(linux.netDevices)) {
      const at = ptr('/linux/netDevices', host);
      if (!isIfName(host)) f.must('NetDevicesNameValid', at, `expected a Linux interface name (1-15 bytes, no "/", ":" or space), found ${JSON.stringify(host)}`, R.netDevices);
      const name = dev.name ?? host;
      if (dev.name !== undefined && !isIfName(dev.name)) f.must('NetDevicesNameValid', ptr(at, 'name'), `expected a Linux interface name (1-15 bytes, no "/", ":" or space), found ${JSON.stringify(dev.name)}`, R.netDevices);
      if (targets.has(name)) f.must('NetDevicesNameUnique', at, `expected unique interface names in the container, found "${name}" twice`, R.netDevices);
      targets.add(name);
    }
  }

  for (let k = 0, items = (linux.maskedPaths ?? []); k < items.length; k++) {
    const p = items[k]!;
    if (!isAbsPosix(p)) f.must('MaskedPathsAbs', ptr('/linux/maskedPaths', k), `expected an absolute path in the container, found ${JSON.stringify(p)}`, R.masked);
  }
  for (let k = 0, items = (linux.readonlyPaths ?? []); k < items.length; k++) {
    const p = items[k]!;
    if (!isAbsPosix(p)) f.must('ReadonlyPathsAbs', ptr('/linux/readonlyPaths', k), `expected an absolute path in the container, found ${JSON.stringify(p)}`, R.readonly);
  }

  const res = linux.resources;
  if (res) {
    const mem = res.memory;
    if (mem) {
      const lim = mem.limit;
      if (lim !== undefined && lim > 0 && mem.swap !== undefined && mem.swap > 0 && mem.swap < lim) {
        f.must('MemorySwapBelowLimit', '/linux/resources/memory/swap', `expected swap (memory+swap) >= limit, found swap ${mem.swap} < limit ${lim}`, R.memory);
      }
      if (lim !== undefined && lim > 0 && mem.reservation !== undefined && mem.reservation > lim) {
        f.should('MemoryReservationAboveLimit', '/linux/resources/memory/reservation', `expected reservation <= limit, found reservation ${mem.reservation} > limit ${lim}`, R.memory);
      }
      if (mem.swappiness !== undefined && mem.swappiness > 100) {
        f.must('MemorySwappinessRange', '/linux/resources/memory/swappiness', `expected swappiness 0 to 100, found ${mem.swappiness}`, R.memory);
      }
    }
    for (let k = 0, items = (res.blockIO?.weightDevice ?? []); k < items.length; k++) {
      const w = items[k]!;
      if (w.weight === undefined && w.leafWeight === undefined) {
        f.must('BlkIOWeightOrLeafWeightExist', ptr('/linux/resources/blockIO/weightDevice', k), 'expected weight or leafWeight (or both) in a weight device entry, found neither', R.blockIO);
      }
    }
    for (let k = 0, items = (res.devices ?? []); k < items.length; k++) {
      const d = items[k]!;
      if (d.access !== undefined && !/^[rwm]*$/.test(d.access)) f.must('DeviceCgroupAccess', ptr('/linux/resources/devices', k, 'access'), `expected access made of "r", "w" and "m", found ${JSON.stringify(d.access)}`, R.deviceCgroup);
      if (d.type !== undefined && d.type !== 'a' && d.type !== 'b' && d.type !== 'c') f.must('DeviceCgroupType', ptr('/linux/resources/devices', k, 'type'), `expected device type "a", "b" or "c", found ${JSON.stringify(d.type)}`, R.deviceCgroup);
    }
    if (res.rdma) {
      for (const [dev, lim] of Object.entries(res.rdma)) {
        if (lim.hcaHandles === undefined && lim.hcaObjects === undefined) {
          f.must('RdmaLimitRequired', ptr('/linux/resources/rdma', dev), 'expected hcaHandles or hcaObjects (or both) in an rdma entry, found neither', R.rdma);
        }
      }
    }
  }

  if (linux.seccomp) {
    const s = linux.seccomp;
    if (s.listenerPath !== undefined) {
      if (!isAbsPosix(s.listenerPath)) f.must('SeccompListenerPathAbs', '/linux/seccomp/listenerPath', `expected an absolute socket path, found ${JSON.stringify(s.listenerPath)}`, R.seccomp);
    }
    const notify = s.defaultAction === 'SCMP_ACT_NOTIFY' || (s.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_NOTIFY');
    if (notify && (s.listenerPath === undefined || s.listenerPath === '')) {
      f.should('SeccompNotifyWithoutListener', '/linux/seccomp', 'expected listenerPath when SCMP_ACT_NOTIFY is used, found none (no agent can receive the notifications)', R.seccomp);
    }
  }
  if (linux.intelRdt) {
    const l3 = linux.intelRdt.l3CacheSchema;
    if (l3 !== undefined && (!l3.startsWith('L3') || l3.includes('\n'))) {
      f.should('IntelRdtL3CacheSchemaFormat', '/linux/intelRdt/l3CacheSchema', `expected one line starting with "L3", found ${JSON.stringify(l3)}`, R.intelRdt);
    }
  }
}
