/**
 * User namespaces (runtime-spec `config-linux.md` "Namespaces", "User
 * namespace mappings"): the mappings as the container's /proc/self/uid_map
 * and gid_map show them, root inside being the mapped id outside (a file
 * the container makes in a bind-mounted host directory), the rootfs read
 * through the mapping without its ownership changed, and joining a user
 * namespace by path. Needs user namespaces on the host.
 */
import { chmodSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IDMapping, Spec } from '@ocikit/runtime-spec';
import type { BundleDirs, Check, CheckContext } from '../check.js';
import { fail, skip } from '../errors.js';
import { requireHost } from '../host.js';
import { expectSame, hostDir, hostNamespace, specRef } from './common.js';

import { holder, namespaceOf } from './namespaces.js';
import { probe, type ProbeOutput } from './probe.js';

/** Two ranges each, so that "exactly" means order and count too; container root is host 100000. */
const UID_MAPPINGS: IDMapping[] = [
  { containerID: 0, hostID: 100000, size: 1000 },
  { containerID: 1000, hostID: 200000, size: 10 },
];
const GID_MAPPINGS: IDMapping[] = [
  { containerID: 0, hostID: 100000, size: 1000 },
  { containerID: 1000, hostID: 300000, size: 20 },
];

/** The bundle edits giving a container a new user namespace with the mappings above. */
function mapped(spec: Spec): void {
  const linux = spec.linux!;
  linux.namespaces = [...linux.namespaces!.filter((n) => n.type !== 'user'), { type: 'user' }];
  linux.uidMappings = UID_MAPPINGS.map((m) => ({ ...m }));
  linux.gidMappings = GID_MAPPINGS.map((m) => ({ ...m }));
}

/** Parse /proc/PID/uid_map or gid_map into mappings. */
export function parseIdMap(text: string): IDMapping[] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isInteger(n)))
    .map(([containerID = 0, hostID = 0, size = 0]) => ({
      containerID,
      hostID,
      size,
    }));
}

/**
 * Makes the directories on the way to the paths given searchable by others
 * (o+x): the mapped root is an unmapped "other" to the host's files, and
 * must reach the rootfs and the bundle (the harness makes its work
 * directory 0700). Only directories of the run's work directory are
 * changed, and `restore` puts their modes back; a directory outside it
 * that others cannot search (a `--rootfs` under /root) skips the check:
 * the harness never changes a mode outside its work directory.
 */
class Traversal {
  private readonly changed = new Map<string, number>();

  /** Open the way to `paths` for a container of `bundle` (whose grandparent is the run's work directory). */
  open(bundle: BundleDirs, ...paths: string[]): void {
    const workDir = path.dirname(path.dirname(realpathSync(bundle.dir)));
    for (const p of paths) {
      for (let dir = realpathSync(p); dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const mode = statSync(dir).mode & 0o7777;
        if (mode & 0o001 || this.changed.has(dir)) continue;
        if (dir !== workDir && !dir.startsWith(`${workDir}/`)) {
          skip(`host: ${dir} (mode ${mode.toString(8)}) is not searchable by others, so the container's mapped root cannot reach ${p}; the check changes no mode outside its work directory`);
        }
        this.changed.set(dir, mode);
        chmodSync(dir, mode | 0o001);
      }
    }
  }

  restore(): void {
    for (const [dir, mode] of this.changed) chmodSync(dir, mode);
    this.changed.clear();
  }
}

/** uid:gid of every entry of the rootfs's top directories, for the no-chown check. */
function rootfsOwners(rootfs: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (p: string) => {
    try {
      const st = statSync(p);
      out[path.relative(rootfs, p) || '.'] = `${st.uid}:${st.gid}`;
    } catch {
      // vanished meanwhile
    }
  };
  add(rootfs);
  for (const d of readdirSync(rootfs)) {
    add(path.join(rootfs, d));
    if (d === 'bin') for (const f of readdirSync(path.join(rootfs, d)).slice(0, 5)) add(path.join(rootfs, d, f));
  }
  return out;
}

interface MappedRun {
  uidMap: IDMapping[];
  gidMap: IDMapping[];
  uidMapText: string;
  gidMapText: string;
  /** `id -u`:`id -g` inside. */
  ids: string;
  /** uid:gid on the host of the file the container wrote, or the error. */
  hostOwner: string;
  /** What the container saw as the owner of /bin/busybox (uid:gid). */
  busyboxOwner: string;
  /** Whether the container could read /bin/busybox. */
  busyboxRead: string;
  userNs: string;
  rootfsBefore: Record<string, string>;
  rootfsAfter: Record<string, string>;
}

/** One container in a new user namespace with {@link UID_MAPPINGS}; shared by the userns checks. */
function mappedRun(ctx: CheckContext): Promise<MappedRun> {
  return ctx.once('userns:mapped', async () => {
    let shared = '';
    let rootfs = '';
    let before: Record<string, string> = {};
    const traversal = new Traversal();
    let s: ProbeOutput;
    try {
      s = await probe(
        ctx,
        'mapped',
        {
          uid: 'cat /proc/self/uid_map',
          gid: 'cat /proc/self/gid_map',
          ids: 'echo "$(id -u):$(id -g)"',
          write: 'echo from-container > /ocikit/made && echo wrote',
          owner: 'stat -c %u:%g /bin/busybox',
          read: 'head -c 4 /bin/busybox | od -An -c | tr -d " \\n"',
          ns: 'readlink /proc/$$/ns/user',
        },
        {
          patch: (spec, b) => {
            rootfs = spec.root!.path;
            before = rootfsOwners(rootfs);
            mapped(spec);
            // On /ocikit, which the rootfs has: the mapped root cannot make a mount point in the root-owned rootfs.
            shared = hostDir(b, 'shared');
            chmodSync(shared, 0o777);
            spec.mounts!.push({
              destination: '/ocikit',
              type: 'bind',
              source: shared,
              options: ['rbind', 'rw'],
            });
            traversal.open(b, rootfs, b.dir);
          },
        }
      );
    } finally {
      traversal.restore();
    }
    let hostOwner: string;
    try {
      const st = statSync(path.join(shared, 'made'));
      hostOwner = `${st.uid}:${st.gid}`;
    } catch {
      hostOwner = `not written (${s('write').trim().slice(0, 200)})`;
    }
    return {
      uidMap: parseIdMap(s('uid')),
      gidMap: parseIdMap(s('gid')),
      uidMapText: s('uid').trim(),
      gidMapText: s('gid').trim(),
      ids: s('ids').trim(),
      hostOwner,
      busyboxOwner: s('owner').trim(),
      busyboxRead: s('read').trim(),
      userNs: s('ns').trim(),
      rootfsBefore: before,
      rootfsAfter: rootfsOwners(rootfs),
    };
  });
}

const MAPPINGS_REF = specRef('config-linux.md', 'user-namespace-mappings');

/** A uid_map or gid_map check: the file must list exactly the configured mappings, in order. */
function mapCheck(kind: 'uid' | 'gid'): Check {
  const want = kind === 'uid' ? UID_MAPPINGS : GID_MAPPINGS;
  return {
    id: `userns.${kind}-mappings`,
    level: 'MUST',
    ref: MAPPINGS_REF,
    text: `\`${kind}Mappings\` (array of objects, OPTIONAL) describes the user namespace ${kind} mappings from the host to the container: \`containerID\`, \`hostID\`, \`size\`.`,
    async run(ctx) {
      requireHost(ctx.host, 'userNamespaces');
      const r = await mappedRun(ctx);
      const got = kind === 'uid' ? r.uidMap : r.gidMap;
      expectSame(got, want, `expected /proc/self/${kind}_map to list exactly the configured ${kind}Mappings, found ${JSON.stringify(kind === 'uid' ? r.uidMapText : r.gidMapText)}`);
      return `/proc/self/${kind}_map lists the ${want.length} configured ranges`;
    },
  };
}

export const USERNS_CHECKS: readonly Check[] = [
  {
    id: 'userns.new',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'If `path` is not specified, the runtime MUST create a new container namespace of type `type` (`user`: the container will be able to remap user and group IDs from the host to local users and groups within the container).',
    async run(ctx) {
      requireHost(ctx.host, 'userNamespaces');
      const r = await mappedRun(ctx);
      const host = namespaceOf(ctx.hostPid, 'user');
      if (!r.userNs.startsWith('user:[') || r.userNs === host)
        fail(`expected a new user namespace, found ${r.userNs}`, {
          expected: `not ${host}`,
          actual: r.userNs,
        });
      return `new user namespace ${r.userNs}`;
    },
  },
  mapCheck('uid'),
  mapCheck('gid'),
  {
    id: 'userns.root-mapped',
    level: 'MUST',
    ref: MAPPINGS_REF,
    text: "`hostID` is the starting uid/gid on the host to be mapped to `containerID`: the container's root (0) is the host's `hostID` (a file root makes in a bind-mounted host directory is owned by it on the host).",
    async run(ctx) {
      requireHost(ctx.host, 'userNamespaces');
      const r = await mappedRun(ctx);
      expectSame({ inside: r.ids, onHost: r.hostOwner }, { inside: '0:0', onHost: '100000:100000' }, `expected root inside (0:0) to write files the host sees owned by 100000:100000, found ${r.ids} inside and ${r.hostOwner} on the host`);
      return 'root inside, 100000:100000 on the host';
    },
  },
  {
    id: 'userns.rootfs-not-chowned',
    level: 'SHOULD',
    ref: MAPPINGS_REF,
    text: 'The runtime SHOULD NOT modify the ownership of referenced filesystems to realize the mapping.',
    async run(ctx) {
      requireHost(ctx.host, 'userNamespaces');
      const r = await mappedRun(ctx);
      const changed = Object.keys(r.rootfsBefore).filter((k) => r.rootfsAfter[k] !== r.rootfsBefore[k]);
      if (changed.length)
        fail(`expected the rootfs ownership unchanged by a user-namespaced container, found ${changed.map((k) => `${k} ${r.rootfsBefore[k]} -> ${r.rootfsAfter[k] ?? 'gone'}`).join(', ')}`, { expected: r.rootfsBefore, actual: r.rootfsAfter });
      // Host root (uid 0) is not mapped: the container sees the rootfs as the overflow ids and reads it as "other".
      if (r.busyboxRead !== '177ELF') fail(`expected the root-owned, world-readable rootfs readable through the mapping, found /bin/busybox read as ${JSON.stringify(r.busyboxRead)}`, { expected: '\\177ELF', actual: r.busyboxRead });
      return `rootfs ownership unchanged; /bin/busybox seen as ${r.busyboxOwner} and readable`;
    },
  },
  {
    id: 'userns.path',
    level: 'MUST',
    ref: specRef('config-linux.md', 'namespaces'),
    text: 'The runtime MUST place the container process in the namespace associated with that `path` (`user`).',
    async run(ctx) {
      requireHost(ctx.host, 'userNamespaces');
      const traversal = new Traversal();
      let pid: number;
      let s: ProbeOutput;
      try {
        pid = await holder(ctx, 'holder-user', {
          patch: (spec, b) => {
            mapped(spec);
            traversal.open(b, spec.root!.path, b.dir);
          },
        });
        s = await probe(
          ctx,
          'join-user',
          { ns: 'readlink /proc/$$/ns/user', uid: 'cat /proc/self/uid_map' },
          {
            patch: (spec, b) => {
              mapped(spec);
              spec.linux!.namespaces = [...spec.linux!.namespaces!.filter((n) => n.type !== 'user'), { type: 'user', path: `/proc/${pid}/ns/user` }];
              traversal.open(b, b.dir);
            },
          }
        );
      } finally {
        traversal.restore();
      }
      const want = namespaceOf(pid, 'user');
      const got = { ns: s('ns').trim(), uidMap: parseIdMap(s('uid')) };
      expectSame(got, { ns: want, uidMap: UID_MAPPINGS }, `expected to join the holder's user namespace ${want} (and see its uid_map), found ${got.ns}`);
      if (got.ns === hostNamespace(ctx.hostPid, 'user')) fail(`expected the holder's user namespace, found the runtime's ${got.ns}`);
      return `joined ${want} by path`;
    },
  },
];
