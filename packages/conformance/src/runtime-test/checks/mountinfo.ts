/**
 * /proc/PID/mountinfo (proc(5)): what a container's mounts are, read from
 * inside it, with the optional fields that carry propagation.
 */
import { fail } from '../errors.js';

/** One line of /proc/PID/mountinfo, with its optional fields (`shared:N`, `master:N`, `unbindable`). */
export interface MountInfo {
  root: string;
  mountPoint: string;
  options: string[];
  optional: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

/** Parse /proc/PID/mountinfo (proc(5)). */
export function parseMountInfo(text: string): MountInfo[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .filter((l) => l.includes(' - '))
    .map((line) => {
      const [left = '', right = ''] = line.split(' - ');
      const l = left.split(' ');
      const r = right.split(' ');
      return {
        root: unescape(l[3] ?? ''),
        mountPoint: unescape(l[4] ?? ''),
        options: (l[5] ?? '').split(','),
        optional: l.slice(6).filter(Boolean),
        fsType: r[0] ?? '',
        source: unescape(r[1] ?? ''),
        superOptions: (r[2] ?? '').split(','),
      };
    });
}

/** The top mount at `mountPoint` (the last line naming it), failing when there is none. */
export function mountAt(text: string, mountPoint: string): MountInfo {
  const m = parseMountInfo(text)
    .filter((x) => x.mountPoint === mountPoint)
    .pop();
  if (!m) fail(`expected a mount at ${mountPoint}, found none`, { expected: mountPoint, actual: 'no mount' });
  return m;
}

/** Propagation of a mount as its optional fields say: `shared`, `slave`, `shared+slave`, `unbindable` or `private`. */
export function propagation(m: MountInfo): string {
  const shared = m.optional.some((o) => o.startsWith('shared:'));
  const slave = m.optional.some((o) => o.startsWith('master:'));
  if (m.optional.includes('unbindable')) return 'unbindable';
  return shared && slave ? 'shared+slave' : shared ? 'shared' : slave ? 'slave' : 'private';
}
