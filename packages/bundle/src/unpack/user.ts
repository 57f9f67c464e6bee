/**
 * `Config.User` to `process.user` (image-spec conversion.md "Config.User"):
 * numeric ids are copied verbatim; names are looked up in the rootfs's own
 * /etc/passwd and /etc/group, read through the confinement module so that a
 * symlinked /etc/passwd can never make us read the host's.
 */
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import type { ConfinedRoot } from '../fs/confine.js';

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

/** The resolved user and, when /etc/passwd has one, its home directory. */
export interface ResolvedUser {
  user: ProcessUser;
  home: string | undefined;
}

/** /etc/passwd and /etc/group larger than this are not read whole. */
const MAX_DB_BYTES = 8 << 20;
const NUMERIC = /^[0-9]+$/;
const MAX_ID = 2 ** 32 - 1;

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function parseId(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > MAX_ID) throw new BundleError(BundleErrorCode.UnknownUser, `${what} ${q(text)} is not a valid id`, { ref: BundleSpecRef.ConfigUser });
  return n;
}

function lines(buf: Buffer | undefined): string[][] {
  if (buf === undefined) return [];
  return buf
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

export function parsePasswd(buf: Buffer | undefined): PasswdEntry[] {
  return lines(buf).flatMap((f) => (f.length >= 4 && NUMERIC.test(f[2]!) && NUMERIC.test(f[3]!) ? [{ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' }] : []));
}

export function parseGroup(buf: Buffer | undefined): GroupEntry[] {
  return lines(buf).flatMap((f) =>
    f.length >= 3 && NUMERIC.test(f[2]!) ? [{ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter((m) => m !== '') }] : [],
  );
}

/** Resolve `Config.User` ("user", "uid", "user:group", "uid:gid", ...) against the rootfs. */
export function resolveUser(spec: string | undefined, root: ConfinedRoot): ResolvedUser {
  const home = (uid: number): string | undefined => {
    try {
      return parsePasswd(root.readFile('/etc/passwd', MAX_DB_BYTES)).find((e) => e.uid === uid)?.home || undefined;
    } catch {
      return undefined; // HOME is a convenience; an unreadable passwd only matters for names
    }
  };
  const r = resolveIds(spec, root);
  return { user: r, home: home(r.uid) };
}

function resolveIds(spec: string | undefined, root: ConfinedRoot): ProcessUser {
  if (spec === undefined || spec === '') return { uid: 0, gid: 0 };
  const colon = spec.indexOf(':');
  const user = colon < 0 ? spec : spec.slice(0, colon);
  const group = colon < 0 ? undefined : spec.slice(colon + 1);
  if (user === '') throw new BundleError(BundleErrorCode.UnknownUser, `Config.User ${q(spec)} names no user`, { ref: BundleSpecRef.ConfigUser });

  let passwd: PasswdEntry[] | undefined;
  const users = (): PasswdEntry[] => (passwd ??= parsePasswd(root.readFile('/etc/passwd', MAX_DB_BYTES)));
  let groups: GroupEntry[] | undefined;
  const groupDb = (): GroupEntry[] => (groups ??= parseGroup(root.readFile('/etc/group', MAX_DB_BYTES)));

  let uid: number;
  let gid: number;
  let name: string | undefined;
  if (NUMERIC.test(user)) {
    uid = parseId(user, 'uid');
    // A numeric user need not exist; its group is the passwd one when it does.
    gid = users().find((e) => e.uid === uid)?.gid ?? 0;
  } else {
    const entry = users().find((e) => e.name === user);
    if (entry === undefined) {
      throw new BundleError(BundleErrorCode.UnknownUser, `Config.User ${q(spec)}: no user ${q(user)} in the image's /etc/passwd`, { ref: BundleSpecRef.ConfigUser });
    }
    uid = entry.uid;
    gid = entry.gid;
    name = entry.name;
  }
  if (group !== undefined && group !== '') {
    if (NUMERIC.test(group)) gid = parseId(group, 'gid');
    else {
      const g = groupDb().find((e) => e.name === group);
      if (g === undefined) {
        throw new BundleError(BundleErrorCode.UnknownUser, `Config.User ${q(spec)}: no group ${q(group)} in the image's /etc/group`, { ref: BundleSpecRef.ConfigUser });
      }
      gid = g.gid;
    }
    return { uid, gid };
  }
  // Supplementary groups only for a named user with no group given (conversion.md).
  if (name === undefined) return { uid, gid };
  const extra = [...new Set(groupDb().filter((g) => g.members.includes(name)).map((g) => g.gid))].filter((g) => g !== gid);
  return extra.length > 0 ? { uid, gid, additionalGids: extra } : { uid, gid };
}
