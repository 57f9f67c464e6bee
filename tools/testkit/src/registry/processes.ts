/**
 * Long-running peers (a registry) started by tests, and the guarantee that they
 * do not outlive the test process however it ends:
 * - `stop()` kills the program by PID and waits until it is gone;
 * - a process 'exit' hook SIGKILLs any still running when the process exits
 *   without stopping them (a script that threw before its cleanup). Under
 *   jest it never fires: tests see a copy of `process` whose 'exit' is never
 *   emitted, so there the watchdog below does the work;
 * - a watchdog shell holds a pipe from the test process and kills the program
 *   when that pipe closes, which also covers a test process killed outright
 *   (SIGKILL, a jest worker torn down), where no hook of ours runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

export interface SupervisedProcess {
  /** The program's own PID (not the watchdog's). */
  readonly pid: number;
  /** Resolves when the program (and its watchdog) have exited. */
  readonly exited: Promise<void>;
  /** Whether the program is still running. */
  running(): boolean;
  /** Kills the program (SIGTERM, then SIGKILL after `graceMs`) and waits until it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/*
 * $1 = log file, $2... = the program and its arguments. fd 3 keeps the stdin
 * pipe for the watcher: without job control an asynchronous list gets
 * /dev/null as stdin (POSIX, Shell Command Language 2.9.3), so the pipe is
 * handed over on another descriptor. EOF on it (the test process stopped us or
 * died) makes the watcher kill the program. The shell itself waits for the
 * program, so its exit tells the test process the program has gone.
 */
const WATCHDOG = [
  'log=$1; shift',
  'exec 2>>"$log"', // the shell's own notices ("Terminated") go to the log too
  'exec 3<&0',
  '"$@" >>"$log" 2>&1 </dev/null 3<&- &',
  'child=$!',
  'echo "$child"',
  '( read -r _ <&3; kill "$child" 2>/dev/null ) &',
  'watcher=$!',
  'exec 3<&-',
  'wait "$child"; status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

const live = new Set<{ programPid: number; shell: ChildProcess; cleanupDir?: string }>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous: process.kill is.
  process.on('exit', () => {
    for (const p of live) {
      for (const pid of [p.programPid, p.shell.pid]) {
        try {
          if (pid !== undefined) process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (p.cleanupDir !== undefined) rmSync(p.cleanupDir, { recursive: true, force: true });
    }
  });
}

/** Whether `pid` names a live process (a zombie awaiting its parent counts as gone). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) S ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

/** Starts `program args...` with stdout and stderr appended to `logFile`, supervised as described above. */
export async function startSupervised(program: string, args: readonly string[], options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; /** removed by the exit hook when the program was never stopped */ cleanupDir?: string }): Promise<SupervisedProcess> {
  hookExit();
  const shell = spawn('/bin/sh', ['-c', WATCHDOG, 'ocikit-watchdog', options.logFile, program, ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  const exited = new Promise<void>((resolve) => {
    if (shell.exitCode !== null || shell.signalCode !== null) resolve();
    else shell.once('exit', () => resolve());
  });
  // The watchdog's first line is the program's PID.
  const programPid = await new Promise<number>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      shell.stdout.off('data', onData);
      const pid = Number(text.slice(0, newline));
      if (Number.isInteger(pid) && pid > 0) resolve(pid);
      else reject(new Error(`watchdog for ${program} printed no PID`));
    };
    shell.stdout.on('data', onData);
    shell.once('error', reject);
    void exited.then(() => reject(new Error(`watchdog for ${program} exited before it started the program`)));
  });
  shell.stdout.resume();
  // Neither the child nor its pipes keep the test process alive: a test that
  // forgot stop() must still let the process exit (and the watchdog, or the
  // exit hook outside jest, kill the program).
  shell.unref();
  (shell.stdin as unknown as { unref?: () => void }).unref?.();
  (shell.stdout as unknown as { unref?: () => void }).unref?.();
  const entry = { programPid, shell, cleanupDir: options.cleanupDir };
  live.add(entry);
  void exited.then(() => live.delete(entry));

  let stopping: Promise<void> | undefined;
  return {
    pid: programPid,
    exited,
    running: () => shell.exitCode === null && shell.signalCode === null && isProcessAlive(programPid),
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        if (shell.exitCode === null && shell.signalCode === null) {
          // Closing the pipe makes the watcher SIGTERM the program; the shell then exits.
          shell.stdin.end();
          try {
            process.kill(programPid, 'SIGTERM');
          } catch {
            // already gone
          }
          const timer = setTimeout(() => {
            for (const pid of [programPid, shell.pid]) {
              try {
                if (pid !== undefined) process.kill(pid, 'SIGKILL');
              } catch {
                // already gone
              }
            }
          }, graceMs);
          await exited;
          clearTimeout(timer);
        }
        live.delete(entry);
      })();
      return stopping;
    },
  };
}

