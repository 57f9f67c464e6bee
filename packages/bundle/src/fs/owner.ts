/**
 * Who owns a temp file or a lock: this process, named so that another
 * process can later tell whether the owner is still alive. The name is the
 * pid and, where /proc exists, the process's start time in clock ticks
 * since boot (field 22 of /proc/PID/stat), so a pid reused by a later
 * process is not mistaken for the owner.
 */
import { readFileSync } from 'node:fs';

/** `PID` or `PID.START`: the owner part of temp names and lock files. */
export type OwnerToken = string;

function startTicks(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

let own: OwnerToken | undefined;

/** This process's token (computed once). */
export function ownerToken(): OwnerToken {
  if (own === undefined) {
    const start = startTicks(process.pid);
    own = start === undefined ? String(process.pid) : `${process.pid}.${start}`;
  }
  return own;
}

const TOKEN = /^(\d{1,10})(?:\.(\d{1,20}))?$/;

/** Whether `token` has the shape ownerToken() gives. */
export function isOwnerToken(token: string): boolean {
  return TOKEN.test(token);
}

/**
 * Whether the process `token` names may still be running. True when in
 * doubt (a token of another shape, a pid we may not signal): only a
 * provably dead owner's files are ever removed.
 */
export function isOwnerAlive(token: OwnerToken): boolean {
  const m = TOKEN.exec(token);
  if (m === null) return true;
  const pid = Number(m[1]);
  if (pid === process.pid) return token === ownerToken() || m[2] === undefined;
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // The pid is in use: by the owner, unless it started at another time.
  const start = m[2];
  if (start === undefined) return true;
  const now = startTicks(pid);
  return now === undefined || now === start;
}
