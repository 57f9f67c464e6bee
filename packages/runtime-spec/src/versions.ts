/**
 * When each field (and, where the spec enumerates them, each value) of the
 * runtime-spec documents appeared: one table, read by validation (a field
 * newer than the declared `ociVersion` draws `SpecVersionFieldTooNew`) and by
 * `downgradeConfig` (which leaves exactly those fields out), so the two
 * cannot disagree.
 *
 * Every date is the first release tag of opencontainers/runtime-spec whose
 * `schema/*.json`, `specs-go/config.go` and markdown all carry the field.
 * Where the schema lagged the prose and Go types (v1.0.0's schema lacks
 * `linux.intelRdt` and misspells `throttleReadIOPSDevice`; v1.0.1 fixed it)
 * the field dates from the release whose prose defines it: 1.0.0, so it is
 * not listed. Fields of 1.0.0 are not listed at all.
 */
import { specRef } from './validate/findings.js';
import { parseSemVer, type SemVer } from './validate/semver.js';

/** Every runtime-spec release, oldest first (the v1.x tags of opencontainers/runtime-spec). */
export const SPEC_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.1.0', '1.2.0', '1.2.1', '1.3.0'] as const;
export type SpecVersion = (typeof SPEC_VERSIONS)[number];

/** Is `text` exactly one of {@link SPEC_VERSIONS}? */
export function isSpecVersion(text: string): text is SpecVersion {
  return (SPEC_VERSIONS as readonly string[]).includes(text);
}

/** One row of the table: a field, or one value of a field, and the release that introduced it. */
export interface VersionedField {
  /**
   * JSON Pointer to the field; `*` stands for any one reference token (an
   * array index or an object key).
   */
  readonly path: string;
  /** First release with the field (or value). */
  readonly since: SpecVersion;
  /** When set, only this value at `path` is dated, not the field itself. */
  readonly value?: string;
  /**
   * What `downgradeConfig` removes for a target older than `since`: a
   * pointer pattern that is `path` or a prefix of it (default `path`: the
   * field, or the array entry holding the value). `false`: the document
   * cannot be expressed in an older version without changing what it asks
   * for (a seccomp action, a platform section), so downgrading refuses.
   */
  readonly remove?: string | false;
  /** The spec section that defines it. */
  readonly ref: string;
}

const C = (anchor: string) => specRef('config.md', anchor);
const L = (anchor: string) => specRef('config-linux.md', anchor);
const W = (anchor: string) => specRef('config-windows.md', anchor);

/**
 * A field that a release introduced, as `[pointer, defining section]`; or a
 * row of its own for a dated value or a removal rule of its own (listed
 * after a release's fields).
 */
type ReleaseRow = readonly [path: string, ref: string] | Omit<VersionedField, 'since'>;

/** The rows of one release. */
function release(since: SpecVersion, rows: readonly ReleaseRow[]): VersionedField[] {
  return rows.map((row) => ('path' in row ? { ...row, since } : { path: row[0], since, ref: row[1] }));
}

/** Seccomp actions: `defaultAction` and each rule's `action` (config-linux.md "Seccomp"). */
function seccompAction(value: string): Omit<VersionedField, 'since'>[] {
  return [
    { path: '/linux/seccomp/defaultAction', value, remove: false, ref: L('seccomp') },
    { path: '/linux/seccomp/syscalls/*/action', value, remove: false, ref: L('seccomp') },
  ];
}

/** Values of the field at `path` (each dated by its release). */
function values(path: string, ref: string, list: readonly string[], remove?: string | false): Omit<VersionedField, 'since'>[] {
  return list.map((value) => ({ path, value, ref, ...(remove !== undefined && { remove }) }));
}

/** Mount options acting on the whole tree (mount_setattr(2) with AT_RECURSIVE), listed from 1.1.0 on. */
const RECURSIVE_MOUNT_OPTIONS = [
  'rro', 'rrw', 'rnosuid', 'rsuid', 'rnodev', 'rdev', 'rnoexec', 'rexec', 'rnodiratime', 'rdiratime',
  'rrelatime', 'rnorelatime', 'rnoatime', 'ratime', 'rstrictatime', 'rnostrictatime', 'rnosymfollow', 'rsymfollow',
] as const;

/** `config.json` (the table of this module's header). */
export const CONFIG_FIELD_VERSIONS: readonly VersionedField[] = [
  ...release('1.0.2', [
    ['/process/commandLine', C('process')],
    ['/process/user/umask', C('posix-platform-user')],
    ['/hooks/createRuntime', C('createruntime-hooks')],
    ['/hooks/createContainer', C('createcontainer-hooks')],
    ['/hooks/startContainer', C('startcontainer-hooks')],
    ['/linux/personality', L('personality')],
    ['/linux/resources/memory/useHierarchy', L('memory')],
    ['/linux/resources/rdma', L('rdma')],
    ['/linux/seccomp/flags', L('seccomp')],
    ['/linux/intelRdt/closID', L('intelrdt')],
    ['/linux/intelRdt/memBwSchema', L('intelrdt')],
    ['/windows/devices', W('devices')],
    ['/windows/network/networkNamespace', W('network')],
    ...seccompAction('SCMP_ACT_LOG'),
    // A VM configuration asks for a VM: without the section it is a plain container.
    { path: '/vm', remove: false, ref: specRef('config-vm.md') },
  ]),
  ...release('1.1.0', [
    ['/domainname', C('domainname')],
    ['/mounts/*/uidMappings', C('posix-platform-mounts')],
    ['/mounts/*/gidMappings', C('posix-platform-mounts')],
    ['/process/scheduler', C('linux-process')],
    ['/process/ioPriority', C('linux-process')],
    ['/linux/timeOffsets', L('offset-for-time-namespace')],
    ['/linux/resources/memory/checkBeforeUpdate', L('memory')],
    ['/linux/resources/cpu/burst', L('cpu')],
    ['/linux/resources/cpu/idle', L('cpu')],
    ['/linux/resources/unified', L('unified')],
    ['/linux/seccomp/defaultErrnoRet', L('seccomp')],
    ['/linux/seccomp/listenerPath', L('seccomp')],
    ['/linux/seccomp/listenerMetadata', L('seccomp')],
    ['/linux/seccomp/syscalls/*/errnoRet', L('seccomp')],
    // Present 1.1.0 to 1.2.1, replaced by enableMonitoring in 1.3.0 (config-linux.md "IntelRdt", NOTE).
    ['/linux/intelRdt/enableCMT', L('intelrdt')],
    ['/linux/intelRdt/enableMBM', L('intelrdt')],
    // Dropping "rro" would make the mount writable: refuse rather than weaken it.
    ...values('/mounts/*/options/*', C('linux-mount-options'), RECURSIVE_MOUNT_OPTIONS, false),
    { path: '/linux/namespaces/*/type', value: 'time', remove: '/linux/namespaces/*', ref: L('namespaces') },
    ...seccompAction('SCMP_ACT_KILL_PROCESS'),
    ...seccompAction('SCMP_ACT_KILL_THREAD'),
    ...seccompAction('SCMP_ACT_NOTIFY'),
    ...values('/linux/seccomp/architectures/*', L('seccomp'), ['SCMP_ARCH_RISCV64']),
    ...values('/linux/seccomp/flags/*', L('seccomp'), ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']),
    { path: '/zos', remove: false, ref: specRef('config-zos.md') },
  ]),
  // Markdown only: mount options are free strings in the schema.
  ...release('1.2.0', values('/mounts/*/options/*', C('linux-mount-options'), ['idmap', 'ridmap'])),
  ...release('1.2.1', [
    ['/process/execCPUAffinity', C('linux-process')],
    ['/windows/resources/cpu/affinity', W('cpu')],
    // Leaving a z/OS container's namespaces out would run it in the host's.
    { path: '/zos/namespaces', remove: false, ref: specRef('config-zos.md', 'namespaces') },
    ...values('/linux/seccomp/architectures/*', L('seccomp'), ['SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB']),
  ]),
  ...release('1.3.0', [
    ['/linux/netDevices', L('network-devices')],
    ['/linux/memoryPolicy', L('memory-policy')],
    ['/linux/intelRdt/schemata', L('intelrdt')],
    ['/linux/intelRdt/enableMonitoring', L('intelrdt')],
    ['/vm/hwConfig', specRef('config-vm.md', 'hwconfig-object')],
    { path: '/freebsd', remove: false, ref: specRef('config-freebsd.md') },
  ]),
];

const F = (anchor: string) => specRef('features.md', anchor);
const FL = (anchor: string) => specRef('features-linux.md', anchor);

/** `features.json` (features.md), dated against the document's `ociVersionMax`; the document itself is new in 1.1.0. */
export const FEATURES_FIELD_VERSIONS: readonly VersionedField[] = [
  ...release('1.2.0', [
    ['/potentiallyUnsafeConfigAnnotations', F('unsafe-annotations-in-configjson')],
    ['/linux/mountExtensions', FL('mountextensions')],
  ]),
  ...release('1.3.0', [
    ['/linux/netDevices', FL('netdevices')],
    ['/linux/memoryPolicy', FL('memorypolicy')],
    ['/linux/intelRdt/schemata', FL('intel-rdt')],
    ['/linux/intelRdt/monitoring', FL('intel-rdt')],
  ]),
];

/** Release numbers as one comparable number (pre-release and build ignored). */
export function releaseRank(v: Pick<SemVer, 'major' | 'minor' | 'patch'>): number {
  return v.major * 1e6 + v.minor * 1e3 + v.patch;
}

const RANK: Readonly<Record<SpecVersion, number>> = Object.fromEntries(SPEC_VERSIONS.map((v) => [v, releaseRank(parseSemVer(v)!)])) as Record<SpecVersion, number>;

/** Rank of a release of {@link SPEC_VERSIONS}. */
export function specVersionRank(v: SpecVersion): number {
  return RANK[v];
}

/** A table row with its pointers split into reference tokens once. */
export interface CompiledField extends VersionedField {
  readonly rank: number;
  readonly tokens: readonly string[];
  /** Tokens of `remove`, or undefined when downgrading refuses. */
  readonly removeTokens: readonly string[] | undefined;
  /** Tokens of `path` after the `remove` prefix. */
  readonly restTokens: readonly string[];
}

const split = (pointer: string): string[] => pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));

/** Compile a table, newest rows first (checks stop at the first row not newer than the document). */
export function compileFieldTable(table: readonly VersionedField[]): readonly CompiledField[] {
  return table
    .map((row) => {
      const tokens = split(row.path);
      const removeTokens = row.remove === false ? undefined : split(row.remove ?? row.path);
      if (removeTokens && (removeTokens.length > tokens.length || removeTokens.some((t, i) => t !== tokens[i]))) {
        throw new Error(`version table: remove ${row.remove} is not a prefix of ${row.path}`);
      }
      return { ...row, rank: RANK[row.since], tokens, removeTokens, restTokens: tokens.slice(removeTokens?.length ?? tokens.length) };
    })
    .sort((a, b) => b.rank - a.rank);
}

export const COMPILED_CONFIG_FIELDS = compileFieldTable(CONFIG_FIELD_VERSIONS);
export const COMPILED_FEATURES_FIELDS = compileFieldTable(FEATURES_FIELD_VERSIONS);

type Json = unknown;

function isContainer(v: Json): v is Record<string, Json> | Json[] {
  return typeof v === 'object' && v !== null;
}

/** Does `node` hold a match of `tokens` (with `value` at its end, when given)? */
export function hasMatch(node: Json, tokens: readonly string[], value: string | undefined, from = 0): boolean {
  if (from === tokens.length) return value === undefined || node === value;
  if (!isContainer(node)) return false;
  const t = tokens[from]!;
  if (t === '*') {
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (hasMatch(child, tokens, value, from + 1)) return true;
    return false;
  }
  return Object.prototype.hasOwnProperty.call(node, t) && hasMatch((node as Record<string, Json>)[t], tokens, value, from + 1);
}

/** Call `visit` with the pointer of every match of `tokens` in `node` (with `value` at its end, when given). */
export function forEachMatch(node: Json, tokens: readonly string[], value: string | undefined, visit: (pointer: string) => void, from = 0, at = ''): void {
  if (from === tokens.length) {
    if (value === undefined || node === value) visit(at);
    return;
  }
  if (!isContainer(node)) return;
  const t = tokens[from]!;
  const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
  if (t === '*') {
    if (Array.isArray(node)) node.forEach((child, i) => forEachMatch(child, tokens, value, visit, from + 1, `${at}/${i}`));
    else for (const [k, child] of Object.entries(node)) forEachMatch(child, tokens, value, visit, from + 1, `${at}/${esc(k)}`);
  } else if (!Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, t)) {
    forEachMatch(node[t], tokens, value, visit, from + 1, `${at}/${esc(t)}`);
  }
}
