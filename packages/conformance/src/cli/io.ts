import type { Readable, Writable } from 'node:stream';
import type { CommandOptions } from './options.js';

/** What a command may touch of the outside world; tests pass their own. */
export interface CommandIO {
  readonly stdin: Readable;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * One CLI command: `run` returns the exit status; it never calls process.exit
 * and never maps an error to a status (it throws; main() maps).
 */
export interface Command {
  readonly summary: string;
  /** The help text; it lists every flag in `options`. */
  readonly usage: string;
  /** Its flags, as parseArgs takes them (parsed through cli/options.ts). */
  readonly options: CommandOptions;
  /** Its subcommands, when its first argument names one (`bundle digest`). */
  readonly subcommands?: readonly string[];
  /** Everything after its first positional is another command's (`run IMAGE ARG...`): --help counts only before it. */
  readonly passThrough?: boolean;
  run(args: string[], io: CommandIO): Promise<number>;
}

export function processIO(): CommandIO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Write and wait for the stream to take it, so output is never lost at exit. */
export function write(stream: Writable, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
