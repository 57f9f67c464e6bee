/**
 * The id mappings of a rootless container. With an entry for the user in
 * /etc/subuid and /etc/subgid and the setuid helpers newuidmap and
 * newgidmap installed (Debian's uidmap), the user is container root and the
 * subordinate range is container ids 1..N, as podman maps them: an image's
 * own users then run as themselves. Otherwise one id is mapped, the user to
 * root, as `runc spec --rootless` writes it.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import os from 'node:os';
import type { IDMapping } from '@ocikit/runtime-spec';

export interface IdMappings {
  uidMappings: IDMapping[];
  gidMappings: IDMapping[];
  /** The highest container uid and gid mapped (0 with a single mapping). */
  maxUid: number;
  maxGid: number;
}

const HELPER_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];

function hasHelper(name: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = [...(env['PATH'] ?? '').split(':').filter(Boolean), ...HELPER_DIRS];
  return dirs.some((d) => {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The first `NAME:START:COUNT` (or `UID:START:COUNT`) line for the user in a subordinate-id file. */
export function subordinateRange(text: string, user: { name: string | undefined; id: number }): { start: number; count: number } | undefined {
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (who === undefined || start === undefined || count === undefined || line.trim().startsWith('#')) continue;
    if (who !== user.name && who !== String(user.id)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(c) && s >= 0 && c > 0) return { start: s, count: c };
  }
  return undefined;
}

function readRange(file: string, user: { name: string | undefined; id: number }): { start: number; count: number } | undefined {
  try {
    return subordinateRange(readFileSync(file, 'utf8'), user);
  } catch {
    return undefined;
  }
}

/** The mappings for this process's user. */
export function rootlessIdMappings(env: NodeJS.ProcessEnv = process.env, files = { subuid: '/etc/subuid', subgid: '/etc/subgid' }): IdMappings {
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  let name: string | undefined;
  try {
    name = os.userInfo().username;
  } catch {
    name = undefined;
  }
  const single: IdMappings = { uidMappings: [{ containerID: 0, hostID: uid, size: 1 }], gidMappings: [{ containerID: 0, hostID: gid, size: 1 }], maxUid: 0, maxGid: 0 };
  const subuid = readRange(files.subuid, { name, id: uid });
  const subgid = readRange(files.subgid, { name, id: uid });
  if (subuid === undefined || subgid === undefined || !hasHelper('newuidmap', env) || !hasHelper('newgidmap', env)) return single;
  return {
    uidMappings: [single.uidMappings[0]!, { containerID: 1, hostID: subuid.start, size: subuid.count }],
    gidMappings: [single.gidMappings[0]!, { containerID: 1, hostID: subgid.start, size: subgid.count }],
    maxUid: subuid.count,
    maxGid: subgid.count,
  };
}
