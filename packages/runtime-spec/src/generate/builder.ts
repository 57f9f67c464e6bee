/**
 * A typed builder for the usual edits of a configuration. Every method checks
 * its arguments against the rules the validator enforces, so `build()`
 * always returns a configuration that validates (property-tested).
 */
import { LINUX_CAPABILITIES, type LinuxCapability, type HookName } from '../constants.js';
import { RuntimeSpecError, RuntimeSpecErrorCode } from '../errors.js';
import type { Hook, Mount, Spec } from '../types/config.js';
import type { LinuxNamespaceType } from '../types/config-linux.js';
import type { IDMapping } from '../types/defs.js';
import { defaultConfig, type DefaultConfigOptions } from './default-config.js';
import { configPlatform, WINDOWS_VOLUME_GUID_PATH } from '../validate/config.js';
import { LINUX_RLIMITS, SOLARIS_RLIMITS, FREEBSD_RLIMITS } from '../constants.js';

const CAP_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;
const CAPS = new Set<string>(LINUX_CAPABILITIES);

function bad(message: string): never {
  throw new RuntimeSpecError(RuntimeSpecErrorCode.InvalidArgument, message);
}

function checkUint32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) bad(`expected ${name} to be a 32-bit unsigned integer, found ${v}`);
}

function checkAbs(name: string, p: string, windows = false): void {
  const ok = typeof p === 'string' && (p.startsWith('/') || (windows && (/^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'))));
  if (!ok) bad(`expected ${name} to be an absolute path, found ${JSON.stringify(p)}`);
}

/** Options of a new mount. */
export interface MountOptions {
  type?: string;
  options?: string[];
  /** Idmapped mount: both mappings are set together. */
  idMappings?: { uid: IDMapping[]; gid: IDMapping[] };
}

/** Builds a configuration from a default (or a given base) by the usual edits. */
export class ConfigBuilder {
  private readonly spec: Spec;

  /** Start from `defaultConfig(options)`. */
  constructor(options: DefaultConfigOptions = {}) {
    this.spec = defaultConfig(options);
  }

  /** Start from a copy of an existing configuration. */
  static from(base: Spec): ConfigBuilder {
    const b = new ConfigBuilder();
    (b as unknown as { spec: Spec }).spec = structuredClone(base);
    return b;
  }

  private get windows(): boolean {
    return configPlatform(this.spec) === 'windows';
  }

  private process() {
    return (this.spec.process ??= this.windows ? { cwd: 'C:\\', args: ['cmd.exe'] } : { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 } });
  }

  /** The executable and its arguments; at least one entry. */
  args(...args: string[]): this {
    if (args.length === 0 || args[0] === '') bad('expected at least the executable in args, found none');
    this.process().args = [...args];
    return this;
  }

  /** Set one environment variable, replacing an earlier value of the same name. */
  env(name: string, value: string): this {
    if (name === '' || name.includes('=')) bad(`expected an environment variable name without "=", found ${JSON.stringify(name)}`);
    const p = this.process();
    const env = (p.env ?? []).filter((e) => !e.startsWith(`${name}=`));
    env.push(`${name}=${value}`);
    p.env = env;
    return this;
  }

  /** Working directory; absolute. */
  cwd(dir: string): this {
    if (this.windows ? !/^[A-Za-z]:[\\/]/.test(dir) : !dir.startsWith('/')) bad(`expected an absolute working directory, found ${JSON.stringify(dir)}`);
    this.process().cwd = dir;
    return this;
  }

  /** POSIX user and groups of the process. */
  user(uid: number, gid: number, additionalGids: number[] = []): this {
    checkUint32('uid', uid);
    checkUint32('gid', gid);
    additionalGids.forEach((g) => checkUint32('additional gid', g));
    const p = this.process();
    p.user = { ...p.user, uid, gid, ...(additionalGids.length ? { additionalGids: [...additionalGids] } : {}) };
    if (!additionalGids.length) delete p.user.additionalGids;
    return this;
  }

  /** Whether a terminal is attached. */
  terminal(on: boolean): this {
    this.process().terminal = on;
    return this;
  }

  /** Container hostname; on Linux adds a UTS namespace when there is none. */
  hostname(name: string): this {
    this.spec.hostname = name;
    if (this.spec.linux) this.namespace('uts');
    return this;
  }

  /** Add a mount, replacing one with the same destination. */
  mount(destination: string, source: string, options: MountOptions = {}): this {
    checkAbs('mount destination', destination, this.windows);
    const m: Mount = { destination, type: options.type ?? 'bind', source, options: options.options ?? (options.type === undefined ? ['rbind', 'rw'] : []) };
    if (options.idMappings) {
      options.idMappings.uid.concat(options.idMappings.gid).forEach((x) => {
        checkUint32('containerID', x.containerID);
        checkUint32('hostID', x.hostID);
        checkUint32('size', x.size);
      });
      m.uidMappings = options.idMappings.uid.map((x) => ({ ...x }));
      m.gidMappings = options.idMappings.gid.map((x) => ({ ...x }));
    }
    const mounts = (this.spec.mounts ?? []).filter((x) => x.destination !== destination);
    mounts.push(m);
    this.spec.mounts = mounts;
    return this;
  }

  /** Remove the mount at `destination`, if any. */
  removeMount(destination: string): this {
    if (this.spec.mounts) this.spec.mounts = this.spec.mounts.filter((x) => x.destination !== destination);
    return this;
  }

  /** Create (no path) or join (absolute path) a Linux namespace, replacing an entry of the same type. */
  namespace(type: LinuxNamespaceType, path?: string): this {
    if (path !== undefined) checkAbs('namespace path', path);
    const linux = (this.spec.linux ??= {});
    const list = (linux.namespaces ?? []).filter((n) => n.type !== type);
    list.push(path === undefined ? { type } : { type, path });
    linux.namespaces = list;
    return this;
  }

  /** Stop creating or joining a namespace type; refused while a setting depends on it. */
  removeNamespace(type: LinuxNamespaceType): this {
    const linux = this.spec.linux;
    if (!linux?.namespaces) return this;
    if (type === 'uts' && (this.spec.hostname || this.spec.domainname)) bad('expected no hostname or domainname when removing the uts namespace, found one');
    if (type === 'user' && (linux.uidMappings?.length || linux.gidMappings?.length)) bad('expected no uid/gid mappings when removing the user namespace, found some');
    if (type === 'network' && (linux.netDevices || Object.keys(linux.sysctl ?? {}).some((k) => k.startsWith('net.')))) bad('expected no network devices or net.* sysctls when removing the network namespace, found some');
    if (type === 'ipc' && Object.keys(linux.sysctl ?? {}).some((k) => k.startsWith('fs.mqueue.') || /^kernel\.(msg|sem|shm)/.test(k))) bad('expected no IPC sysctls when removing the ipc namespace, found some');
    if (type === 'time' && linux.timeOffsets) bad('expected no timeOffsets when removing the time namespace, found some');
    linux.namespaces = linux.namespaces.filter((n) => n.type !== type);
    return this;
  }

  /** Grant a capability: added to the bounding, effective and permitted sets. */
  addCapability(cap: LinuxCapability): this {
    if (!CAPS.has(cap)) bad(`expected a capability of capabilities(7), found ${JSON.stringify(cap)}`);
    const caps = (this.process().capabilities ??= {});
    for (const set of ['bounding', 'effective', 'permitted'] as const) {
      const list = caps[set] ?? [];
      if (!list.includes(cap)) list.push(cap);
      caps[set] = list;
    }
    return this;
  }

  /** Remove a capability from every set. */
  dropCapability(cap: string): this {
    const caps = this.spec.process?.capabilities;
    if (!caps) return this;
    for (const set of CAP_SETS) if (caps[set]) caps[set] = caps[set].filter((c) => c !== cap);
    return this;
  }

  /** Set a resource limit, replacing one of the same type. */
  rlimit(type: string, soft: number, hard: number): this {
    const os = configPlatform(this.spec);
    const known: readonly string[] = os === 'solaris' ? SOLARIS_RLIMITS : os === 'freebsd' ? FREEBSD_RLIMITS : LINUX_RLIMITS;
    if (!known.includes(type)) bad(`expected a resource of getrlimit (${known.join(', ')}), found ${JSON.stringify(type)}`);
    for (const [n, v] of [['soft', soft], ['hard', hard]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) bad(`expected ${n} to be a non-negative integer, found ${v}`);
    }
    if (soft > hard) bad(`expected soft <= hard, found soft ${soft} > hard ${hard}`);
    const p = this.process();
    const list = (p.rlimits ?? []).filter((r) => r.type !== type);
    list.push({ type, soft, hard });
    p.rlimits = list;
    return this;
  }

  /** Append a hook. */
  hook(name: HookName, hook: Hook): this {
    checkAbs('hook path', hook.path);
    if (hook.timeout !== undefined && (!Number.isInteger(hook.timeout) || hook.timeout <= 0)) bad(`expected a hook timeout greater than zero, found ${hook.timeout}`);
    hook.env?.forEach((e) => {
      if (e.indexOf('=') <= 0) bad(`expected hook env entries "KEY=value", found ${JSON.stringify(e)}`);
    });
    const hooks = (this.spec.hooks ??= {});
    (hooks[name] ??= []).push(structuredClone(hook));
    return this;
  }

  /** Set an annotation. */
  annotation(key: string, value: string): this {
    if (key === '') bad('expected a non-empty annotation key, found ""');
    (this.spec.annotations ??= {})[key] = value;
    return this;
  }

  /** Root filesystem path and whether it is read-only. */
  root(path: string, readonly = false): this {
    if (path === '') bad('expected a root path, found ""');
    if (this.windows && !WINDOWS_VOLUME_GUID_PATH.test(path)) bad(`expected a volume GUID path on Windows, found ${JSON.stringify(path)}`);
    if (this.windows && readonly) bad('expected readonly false on Windows, found true');
    this.spec.root = { path, readonly };
    return this;
  }

  /** A deep copy of the configuration built so far. */
  build(): Spec {
    return structuredClone(this.spec);
  }
}
