/**
 * A container's process in the foreground: the runtime's `run` (or `exec`)
 * as a child of this process, its exit status ours, and the signals this
 * process gets (SIGINT, SIGTERM, SIGHUP) passed on to the container.
 */
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { OciRuntime } from '../runtime/oci-runtime.js';

export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How the child's stdio and process group are set up. */
export interface ForegroundStdio {
  stdio: StdioOptions;
  /**
   * The runtime in a process group of its own: terminal signals then reach
   * only this process, which forwards them once. Kept in ours when it must
   * read a terminal (a background group reading one is stopped).
   */
  ownProcessGroup: boolean;
}

/** The stdio of a foreground process: stdin only with `-i` or `-t`, stdout and stderr as this process's. */
export function foregroundStdio(options: { interactive?: boolean; tty?: boolean; stdinIsTty?: boolean }): ForegroundStdio {
  const attachStdin = options.interactive === true || options.tty === true;
  return { stdio: [attachStdin ? 'inherit' : 'ignore', 'inherit', 'inherit'], ownProcessGroup: !(attachStdin && options.stdinIsTty === true) };
}

/** The exit status a shell would report for the child: its code, else 128 + the signal's number. */
function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
}

/**
 * Wait for `child` (a runtime's foreground `run` or `exec`), forwarding
 * signals: through `runtime kill ID` to the container's process (`exec`
 * processes get them from the runtime itself, as a child). Resolves with the
 * exit status; rejects when the runtime could not be started.
 */
export function waitForeground(child: ChildProcess, options: { runtime: OciRuntime; id: string; ownProcessGroup: boolean; viaRuntime: boolean }): Promise<number> {
  return new Promise((resolve, reject) => {
    const forward = (signal: NodeJS.Signals) => {
      // In our process group the runtime got a terminal's signal too.
      if (!options.ownProcessGroup && signal === 'SIGINT') return;
      const direct = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      if (!options.viaRuntime) return direct();
      // Before the container's process exists, the runtime itself is told.
      options.runtime.kill(options.id, signal.slice(3)).catch(direct);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, forward);
    const done = () => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
    };
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(statusOf(code, signal));
    });
  });
}
