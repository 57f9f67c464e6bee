import { readFileSync } from 'node:fs';
import { ExitCode, UsageError } from './exit-codes.js';
import { COMMANDS } from './commands/index.js';
import { processIO, write, type CommandIO } from './io.js';

/** Version of the ocikit CLI (this package's version). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function usage(): Promise<string> {
  const lines = ['Usage: ocikit <command> [options]', '', 'Commands:'];
  const names = Object.keys(COMMANDS).sort();
  const loaded = await Promise.all(names.map(async (n) => [n, (await COMMANDS[n]!()).command.summary] as const));
  const width = Math.max(0, ...names.map((n) => n.length));
  for (const [name, summary] of loaded) lines.push(`  ${name.padEnd(width)}  ${summary}`);
  lines.push('', 'Options:', '  --version  print the version', '  --help     print this help', '', 'Run `ocikit <command> --help` for a command\'s options.');
  return `${lines.join('\n')}\n`;
}

/**
 * The only place that maps errors to exit statuses. Returns the status;
 * the bin script sets process.exitCode so that output drains first.
 */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      await write(name === undefined ? io.stderr : io.stdout, await usage());
      return name === undefined ? ExitCode.Usage : ExitCode.Ok;
    }
    if (name === '--version' || name === '-v') {
      await write(io.stdout, `ocikit ${cliVersion()}\n`);
      return ExitCode.Ok;
    }
    const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw new UsageError(`unknown command "${name}" (run \`ocikit --help\` for the list)`);
    const { command } = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      await write(io.stdout, `${command.usage.trimEnd()}\n`);
      return ExitCode.Ok;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      await write(io.stderr, `ocikit: ${(err as Error).message}\n`);
      return ExitCode.Usage;
    }
    if (isSystemError(err) && err.code === 'EPIPE') {
      // The reader went away (`ocikit ... | head`): nothing left to say to it.
      return ExitCode.Ok;
    }
    if (isSystemError(err)) {
      // A path that could not be read or written: one line, like a usage problem.
      await write(io.stderr, `ocikit: ${err.path ? `${err.path}: ` : ''}${err.code} (${err.syscall})\n`);
      return ExitCode.Usage;
    }
    if (isTypedError(err)) {
      // Every ocikit library error has a stable string code and a one-line
      // message: the input was read and found wanting.
      await write(io.stderr, `ocikit: ${err.message} [${err.code}]\n`);
      return ExitCode.Failure;
    }
    const e = err as Error;
    await write(io.stderr, `ocikit: internal error: ${e?.stack ?? String(err)}\n`);
    return ExitCode.Internal;
  }
}

/** An error from the operating system (open, read, rename, ...). */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string; syscall: string } {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/** A typed error of an ocikit package: a class of its own with a stable string code (Node's own ERR_* codes excluded). */
function isTypedError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && err.name !== 'Error' && typeof code === 'string' && !code.startsWith('ERR_');
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes. */
function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
