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
    const e = err as Error;
    await write(io.stderr, `ocikit: internal error: ${e?.stack ?? String(err)}\n`);
    return ExitCode.Internal;
  }
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes. */
function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
