import { readFileSync } from 'node:fs';
import { ExitCode, PROCESS_COMMANDS, UsageError } from './exit-codes.js';
import { COMMANDS } from './commands/index.js';
import { processIO, write, type Command, type CommandIO } from './io.js';
import { splitAtCommand } from './options.js';

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
  lines.push('', 'Options:', '  --version  print the version', '  --help     print this help', '', 'Run `ocikit help <command>` (or `ocikit <command> --help`) for a command\'s options.');
  return `${lines.join('\n')}\n`;
}

async function loadCommand(name: string): Promise<Command> {
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new UsageError(`unknown command "${name}" (run \`ocikit --help\` for the list)`);
  return (await load()).command;
}

/** `unpack`, or `bundle digest` for a command with subcommands; undefined when no command was named. */
async function commandLabel(name: string | undefined, first: string | undefined): Promise<string | undefined> {
  if (name === undefined || !Object.prototype.hasOwnProperty.call(COMMANDS, name)) return undefined;
  const { command } = await COMMANDS[name]!();
  return first !== undefined && command.subcommands?.includes(first) ? `${name} ${first}` : name;
}

/**
 * Typed error codes that mean "the path or name given on the command line is
 * not there or not usable" rather than "the input was read and found wanting".
 */
const USAGE_CODES: ReadonlySet<string> = new Set([
  'USAGE',
  'LAYOUT_NOT_FOUND',
  'RUNTIME_NOT_FOUND',
  'NO_SUCH_CONTAINER',
  'NO_SUCH_IMAGE',
  'INVALID_CONTAINER_NAME',
  'NO_ROOTFS',
  'PATH_UNREADABLE',
  'PATH_UNSUPPORTED',
  'INVALID_REF_NAME',
  // @ocikit/transport: a reference that names the wrong kind of path, a destination named by digest, a platform that is no platform.
  'INVALID_REFERENCE',
  'INVALID_DESTINATION',
  'INVALID_PLATFORM',
  // @ocikit/signature: the key file or passphrase given is not usable (a wrong passphrase, not a cosign key, an unreadable or
  // existing key file). A signature that does not verify is none of these: exit 1.
  'SIGNATURE_WRONG_PASSPHRASE',
  'SIGNATURE_KEY_INVALID',
  'SIGNATURE_INVALID_ARGUMENT',
]);

const PROCESS_CODES: Readonly<Record<string, ExitCode>> = {
  EXECUTABLE_NOT_FOUND: ExitCode.CommandNotFound,
  NOT_EXECUTABLE: ExitCode.CannotInvoke,
  NO_COMMAND: ExitCode.CannotInvoke,
};

interface MappedError {
  status: ExitCode;
  code: string;
  message: string;
}

/** The one mapping from an error to an exit status and a one-line message. */
function mapError(err: unknown, command: string | undefined): MappedError | undefined {
  const mapped = mapCommandError(err, command);
  if (mapped === undefined || command === undefined || !PROCESS_COMMANDS.has(command)) return mapped;
  return { ...mapped, status: PROCESS_CODES[mapped.code] ?? ExitCode.ContainerFailed };
}

function mapCommandError(err: unknown, command: string | undefined): MappedError | undefined {
  // Every message names the command once: `unpack: ...`, `bundle verify: ...`.
  const prefix = (m: string) => (command === undefined || m.startsWith(`${command}: `) ? m : `${command}: ${m}`);
  if (isParseArgsError(err)) return { status: ExitCode.Usage, code: 'USAGE', message: prefix((err as Error).message.split('\n')[0]!) };
  if (isSystemError(err)) {
    // A path that could not be read or written: one line, like a usage problem.
    return { status: ExitCode.Usage, code: err.code, message: prefix(`${err.path ? `${err.path}: ` : ''}${systemReason(err)}`) };
  }
  if (isTypedError(err)) {
    // Every ocikit library error has a stable string code and a one-line message.
    return { status: USAGE_CODES.has(err.code) ? ExitCode.Usage : ExitCode.Failure, code: err.code, message: prefix(err.message) };
  }
  return undefined;
}

/** `EROFS (mkdir): read-only file system`: the code, the call, and what it means. */
function systemReason(err: NodeJS.ErrnoException & { code: string; syscall: string }): string {
  const text = /^[A-Z]+: (.*?),/.exec(err.message)?.[1];
  return `${err.code} (${err.syscall})${text ? `: ${text}` : ''}`;
}

/**
 * The only place that maps errors to exit statuses. Returns the status;
 * the bin script sets process.exitCode so that output drains first.
 */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    if (name === undefined || name === '--help' || name === '-h') {
      await write(name === undefined ? io.stderr : io.stdout, await usage());
      return name === undefined ? ExitCode.Usage : ExitCode.Ok;
    }
    if (name === 'help') {
      // `ocikit help` and `ocikit help CMD`.
      const [topic] = rest;
      await write(io.stdout, topic === undefined ? await usage() : `${(await loadCommand(topic)).usage.trimEnd()}\n`);
      return ExitCode.Ok;
    }
    if (name === '--version' || name === '-v') {
      await write(io.stdout, `ocikit ${cliVersion()}\n`);
      return ExitCode.Ok;
    }
    const command = await loadCommand(name);
    const own = command.passThrough ? splitAtCommand(rest, command.options).own : rest;
    if (own.includes('--help') || own.includes('-h')) {
      await write(io.stdout, `${command.usage.trimEnd()}\n`);
      return ExitCode.Ok;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (isSystemError(err) && err.code === 'EPIPE') {
      // The reader went away (`ocikit ... | head`): nothing left to say to it.
      return ExitCode.Ok;
    }
    const mapped = mapError(err, await commandLabel(name, rest[0]));
    if (mapped) {
      await write(io.stderr, json ? `${JSON.stringify({ error: mapped })}\n` : `ocikit: ${mapped.message}${mapped.code === 'USAGE' || isSystemError(err) ? '' : ` [${mapped.code}]`}\n`);
      return mapped.status;
    }
    const e = err as Error;
    await write(io.stderr, json ? `${JSON.stringify({ error: { status: ExitCode.Internal, code: 'INTERNAL', message: String(e?.message ?? err) } })}\n` : `ocikit: internal error: ${e?.stack ?? String(err)}\n`);
    return ExitCode.Internal;
  }
}

/** An error from the operating system (open, read, rename, ...). */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string; syscall: string } {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/**
 * A typed error of an ocikit package: a class of its own with a stable string code (Node's own ERR_* codes excluded).
 * Structural rather than `instanceof OcikitError`: the runtime harness's RuntimeTestError does not extend it yet.
 */
function isTypedError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && err.name !== 'Error' && typeof code === 'string' && !code.startsWith('ERR_');
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes (commands convert theirs; this is the backstop). */
function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
