/**
 * What the resource checks need to know about the host and the container's
 * cgroups: the cgroup layout the runtime uses (v1 files on a v1 or hybrid
 * host, v2 files on a v2 host), where a v1 controller is mounted, whether the
 * host kernel takes a cgroup setting at all, a block device for the blkio
 * checks, an unused character major for the device cgroup checks, and a
 * shell function that reads the container's own cgroup files from inside.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckContext } from '../check.js';
import { fail, skip } from '../errors.js';
import { requireController } from '../host.js';
import { cgroupMounts, readIfExists } from './common.js';

/** The cgroup files the runtime writes: v1 on a v1 or hybrid host (runtimes put resources on the v1 hierarchies there), v2 on a v2 host. */
export type Layout = 'v1' | 'v2';

export function layoutOf(ctx: CheckContext): Layout {
  if (ctx.host.cgroup === 'none') skip('host: no cgroup filesystem mounted');
  return ctx.host.cgroup === 'v2' ? 'v2' : 'v1';
}

/** Skip unless the controller of the layout is there (`v1` name, else the v2 name, e.g. blkio/io). */
export function requireLayoutController(ctx: CheckContext, v1: string, v2: string | undefined = v1): Layout {
  const layout = layoutOf(ctx);
  if (layout === 'v2' && v2 === undefined) skip(`host: cgroup v2 has no ${v1} controller (the runtime has nowhere to write the setting)`);
  requireController(ctx.host, layout === 'v2' ? v2 : v1);
  return layout;
}

/** Where the host mounts the root of the v1 hierarchy of `controller` (or the cgroup v2 root for `layout` v2). */
export function hostHierarchy(layout: Layout, controller: string): string | undefined {
  const m = cgroupMounts().find((x) => x.root === '/' && (layout === 'v2' ? x.fsType === 'cgroup2' : x.fsType === 'cgroup' && x.superOptions.includes(controller)));
  return m?.mountPoint;
}

/** The harness's own cgroup directory in that hierarchy (a non-root cgroup shows the files a container cgroup has). */
function ownCgroupDir(layout: Layout, controller: string): string | undefined {
  const mount = hostHierarchy(layout, controller);
  if (mount === undefined) return undefined;
  for (const line of (readIfExists('/proc/self/cgroup') ?? '').split('\n')) {
    const [hier = '', ctrls = '', ...rest] = line.split(':');
    const mine = layout === 'v2' ? hier === '0' && ctrls === '' : ctrls.split(',').includes(controller);
    if (mine) return path.join(mount, rest.join(':'));
  }
  return undefined;
}

/** A file of the harness's own cgroup (the runtime's: a relative cgroupsPath lands under it), trimmed. */
export function ownCgroupValue(layout: Layout, controller: string, file: string): string | undefined {
  const dir = ownCgroupDir(layout, controller);
  return dir === undefined ? undefined : readIfExists(path.join(dir, file))?.trim();
}

/**
 * Whether the host's cgroup files include one of `files` (for v1 at the
 * hierarchy root; for v2 the root lacks most files, so the harness's own
 * cgroup is looked at too; unknown counts as present).
 */
export function hostHasFile(layout: Layout, controller: string, files: readonly string[]): boolean {
  const dirs = [hostHierarchy(layout, controller), ownCgroupDir(layout, controller)].filter((d): d is string => d !== undefined);
  if (layout === 'v2' && !dirs.some((d) => d !== hostHierarchy(layout, controller))) return true;
  return dirs.some((d) => files.some((f) => existsSync(path.join(d, f))));
}

/** Skip unless the host's cgroup has one of `files`, naming `why` (what the missing file means). */
export function requireHostFile(layout: Layout, controller: string, files: readonly string[], why: string): void {
  if (!hostHasFile(layout, controller, files)) skip(`host: ${why} (no ${files.join(' or ')} in the ${layout === 'v2' ? 'cgroup v2' : `${controller} v1`} hierarchy)`);
}

/**
 * Whether the host kernel keeps a value written to `file` of a fresh child
 * cgroup of the v1 hierarchy (deprecated knobs such as
 * memory.kmem.limit_in_bytes are accepted and ignored by newer kernels).
 * The scratch cgroup is removed before returning; asked once per run.
 */
export function kernelKeeps(ctx: CheckContext, controller: string, file: string, value: string): Promise<boolean> {
  return ctx.once(`resources:kernel-keeps:${controller}:${file}`, () => Promise.resolve(keeps()));
  function keeps(): boolean {
    const mount = hostHierarchy('v1', controller);
    if (mount === undefined) return false;
    const dir = path.join(mount, `ocikit-probe-${process.pid}-${ctx.newId()}`);
    try {
      mkdirSync(dir);
    } catch {
      return true; // cannot tell: let the check run
    }
    try {
      writeFileSync(path.join(dir, file), value);
      return readFileSync(path.join(dir, file), 'utf8').trim() === value;
    } catch {
      return false;
    } finally {
      rmdirSync(dir);
    }
  }
}

/** `major:minor` of a whole block device: the one / is on when it is a disk (or its disk for a partition), else any whole disk of the host. */
export function hostBlockDevice(): { major: number; minor: number; name: string } | undefined {
  const whole = (dev: string): { major: number; minor: number; name: string } | undefined => {
    const sys = `/sys/dev/block/${dev}`;
    if (!existsSync(sys)) return undefined;
    let target = sys;
    if (existsSync(path.join(sys, 'partition'))) target = path.join(sys, '..');
    const text = readIfExists(path.join(target, 'dev'))?.trim();
    const m = /^(\d+):(\d+)$/.exec(text ?? '');
    if (!m) return undefined;
    let name = dev;
    try {
      name = path.basename(readlinkSync(sys));
      if (target !== sys) name = path.basename(path.dirname(readlinkSync(sys)));
    } catch {
      /* keep the number */
    }
    return { major: Number(m[1]), minor: Number(m[2]), name };
  };
  const root = (readIfExists('/proc/self/mountinfo') ?? '').split('\n').find((l) => l.split(' ')[4] === '/');
  const rootDev = root?.split(' ')[2];
  const fromRoot = rootDev ? whole(rootDev) : undefined;
  if (fromRoot) return fromRoot;
  let entries: string[] = [];
  try {
    entries = readdirSync('/sys/dev/block');
  } catch {
    return undefined;
  }
  const real = entries.filter((e) => !existsSync(`/sys/dev/block/${e}/partition`)).sort();
  const physical = real.filter((e) => {
    try {
      return !readlinkSync(`/sys/dev/block/${e}`).includes('/virtual/');
    } catch {
      return false;
    }
  });
  for (const e of [...physical, ...real]) {
    const d = whole(e);
    if (d) return d;
  }
  return undefined;
}

/** A character major no driver of the host registered (LOCAL/EXPERIMENTAL and dynamic ranges): a node of it opens with ENXIO when the device cgroup allows it. */
export function unusedCharMajor(): number {
  const text = readIfExists('/proc/devices') ?? '';
  const chars = text.split(/\n\s*\n/)[0] ?? '';
  const used = new Set(chars.split('\n').map((l) => Number.parseInt(l.trim(), 10)).filter((n) => Number.isInteger(n)));
  const candidates = [240, 241, 242, 243, 244, 60, 61, 62, 63, 120, 121, 122, 123, 124, 125, 126, 127, 234, 235, 236, 237, 238, 239];
  const free = candidates.find((c) => !used.has(c));
  if (free === undefined) skip('host: every LOCAL/EXPERIMENTAL character major has a driver; no device number that is safe to open');
  return free;
}

/**
 * A shell function `cgf CONTROLLER FILE...`: prints the path of the first
 * FILE found in the calling process's own cgroup of CONTROLLER (empty
 * CONTROLLER: cgroup v2), then its content. The cgroup mount at
 * /sys/fs/cgroup shows either the container's cgroup itself (a bind of it,
 * or a cgroup namespace) or the whole hierarchy: the path from
 * /proc/self/cgroup is tried first, then the mount's top.
 */
export const CGF = [
  'cgf() {',
  'c=$1; shift;',
  'if [ -z "$c" ]; then p=$(sed -n "s/^0:://p" /proc/self/cgroup); m=/sys/fs/cgroup;',
  `else p=$(awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { sub(/^[^:]*:[^:]*:/, ""); print; exit } }' /proc/self/cgroup); m=/sys/fs/cgroup/$c; fi;`,
  'for f in "$@"; do if [ "$p" != / ] && [ -f "$m$p/$f" ]; then x=$m$p/$f; elif [ -f "$m/$f" ]; then x=$m/$f; else continue; fi; echo "$x"; cat "$x"; return; done;',
  'echo "none of $* in $m (cgroup $p)"; return 1;',
  '}',
].join(' ');

/** What `cgf` printed: the file read and its content, or a failure naming what the container lacks. */
export function cgfResult(section: string, what: string): { file: string; value: string } {
  const lines = section.replace(/^\n+/, '').split('\n');
  const first = lines[0] ?? '';
  if (!first.startsWith('/')) fail(`expected ${what} in the container's cgroup (read inside, at the /sys/fs/cgroup mount), found ${first || 'nothing'}`, { expected: what, actual: section.trim() });
  return { file: first, value: lines.slice(1).join('\n').trim() };
}
