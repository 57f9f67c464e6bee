/**
 * Command-line parsing shared by every command: node:util parseArgs, with
 * errors that name the command and the flag (never parseArgs' own text), and
 * the checks several commands repeat (enum flags, --image).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseImageArg, parseImageReference, type RefTarget, type Transport } from '@ocikit/bundle';
import { UsageError } from './exit-codes.js';
import type { Command, CommandIO } from './io.js';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The closest known flag to a mistyped one, when it is close (edit distance at most 2). */
function suggest(flag: string, options: CommandOptions): string | undefined {
  const name = flag.replace(/^-+/, '').replace(/=.*$/, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of Object.keys(options)) {
    const d = editDistance(name, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best === undefined ? undefined : `--${best}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** parseArgs' error, said for a person: `unpack: unknown option --imgae (did you mean --image?) ...`. */
function usageErrorFrom(command: string, options: CommandOptions, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return err;
  const message = (err as Error).message;
  // `Option '-i, --image <value>' argument missing`: name the long form when there is one.
  const flag = (/(--[A-Za-z0-9][\w-]*)/.exec(message) ?? /'(-[^'\s=,]+)/.exec(message))?.[1];
  const help = `run \`ocikit help ${command}\` for its options`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const near = suggest(flag, options);
    return new UsageError(`${command}: unknown option ${flag}${near ? ` (did you mean ${near}?)` : ''}; ${help}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    const takesValue = /argument missing/.test(message);
    return new UsageError(`${command}: option ${flag} ${takesValue ? 'needs a value' : 'takes no value'}; ${help}`);
  }
  return new UsageError(`${command}: ${message.split('\n')[0]}; ${help}`);
}

/** What parseArgs gives back for a command's options, with positionals allowed. */
export type ParsedCommandArgs<O extends CommandOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** Names declared with {@link switchFlags}: `--NAME` alone means `--NAME=true`. */
const SWITCHES = new Set<string>();

/**
 * Boolean flags that also take `=true` or `=false`, spelled as skopeo spells
 * them (`--tls-verify`, `--tls-verify=false`): a bare flag is true, and the
 * value only ever follows `=` (`--tls-verify false` leaves `false` a
 * positional, as in skopeo). Read them with {@link switchValue}.
 */
export function switchFlags<const K extends string>(...names: K[]): { [P in K]: { type: 'string' } } {
  for (const n of names) SWITCHES.add(n);
  return flags('string', ...names);
}

/** A switch flag's value: undefined when absent; `true`/`false` as given; anything else is a usage error. */
export function switchValue(command: string, flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`${command}: --${flag} takes true or false, not ${JSON.stringify(value)}`);
}

/** Parse a command's arguments; a mistake is a UsageError naming the command and the flag. */
export function parseCommandArgs<const O extends CommandOptions>(command: string, args: string[], options: O): ParsedCommandArgs<O> {
  const end = args.indexOf('--');
  const spelled = args.map((a, i) => ((end < 0 || i < end) && a.startsWith('--') && SWITCHES.has(a.slice(2)) && a.slice(2) in options ? `${a}=true` : a));
  try {
    return parseArgs({ args: spelled, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageErrorFrom(command, options, err);
  }
}

/** Flags of one type, declared in a line: `flags('boolean', 'json', 'rootless')`. */
export function flags<const T extends 'string' | 'boolean', const K extends string>(type: T, ...names: K[]): { [P in K]: { type: T } } {
  return Object.fromEntries(names.map((n) => [n, { type }])) as { [P in K]: { type: T } };
}

/**
 * A command whose arguments are its flags and positionals: parsed once,
 * here, with errors that name the command (see parseCommandArgs).
 */
export function defineCommand<const O extends CommandOptions>(
  name: string,
  spec: { summary: string; usage: string; options: O },
  run: (parsed: ParsedCommandArgs<O>, io: CommandIO) => Promise<number>,
): Command {
  return { ...spec, run: (args, io) => run(parseCommandArgs(name, args, spec.options), io) };
}

/** An enum flag's value, checked: `pack: --compress must be one of gzip, zstd, none, not "lz4"`. */
export function enumOption<T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${command}: --${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

/** The required `--image LAYOUT[:REF]`, split. */
export function imageOption(command: string, value: string | undefined): { layout: string; ref: string } {
  if (value === undefined) throw new UsageError(`${command}: --image LAYOUT[:REF] is required`);
  return parseImageArg(value);
}

/**
 * A positional image `[oci:|oci-archive:]LAYOUT[:REF]` or `LAYOUT@DIGEST`
 * (`form` says which for the message), split. Without REF or DIGEST, the
 * target is `defaultRef`; with no default, a REF is required.
 */
export function imageArgument(command: string, value: string | undefined, form: string, defaultRef?: string): { transport: Transport | undefined; layout: string; target: RefTarget } {
  if (value === undefined) throw new UsageError(`${command}: name the image, ${form}`);
  const { transport, layout, target } = parseImageReference(value);
  const chosen = target ?? defaultRef;
  if (chosen === undefined) throw new UsageError(`${command}: ${JSON.stringify(value)} names no reference; expected ${form}`);
  return { transport, layout, target: chosen };
}

/**
 * A command that runs another command (`run IMAGE [ARG...]`, `exec NAME
 * CMD...`): its own flags end at its first positional, and everything after
 * that is the other command's, flags included (`ocikit run IMAGE ls -la`).
 * Returns the flags' part, the first positional and the rest, untouched.
 */
export function splitAtCommand(args: readonly string[], options: CommandOptions): { own: string[]; first: string | undefined; rest: string[] } {
  const takesValue = (flag: string): boolean => {
    if (flag.startsWith('--')) {
      const name = flag.slice(2);
      return !name.includes('=') && options[name]?.type === 'string' && !SWITCHES.has(name);
    }
    // A group of short flags (`-it`, `-e` `KEY=V`, `-eKEY=V`): the last one takes a value if it is a string flag with nothing attached.
    const letters = flag.slice(1);
    for (let i = 0; i < letters.length; i++) {
      const spec = Object.values(options).find((o) => o.short === letters[i]);
      if (spec?.type === 'string') return i === letters.length - 1;
    }
    return false;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return { own: args.slice(0, i), first: args[i + 1], rest: args.slice(i + 2) };
    if (a.startsWith('-') && a !== '-') {
      if (takesValue(a)) i++;
      continue;
    }
    return { own: args.slice(0, i), first: a, rest: args.slice(i + 1) };
  }
  return { own: [...args], first: undefined, rest: [] };
}

/** The flags `run` and `exec` share for the process they start. */
export const PROCESS_FLAGS = {
  tty: { type: 'boolean', short: 't' },
  interactive: { type: 'boolean', short: 'i' },
  env: { type: 'string', short: 'e', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
} as const;

/**
 * A command that runs another command (see {@link splitAtCommand}): its
 * flags parsed up to its first positional, which it gets as `first`, and
 * the rest untouched.
 */
export function definePassThroughCommand<const O extends CommandOptions>(
  name: string,
  spec: { summary: string; usage: string; options: O },
  run: (parsed: { values: ParsedCommandArgs<O>['values']; first: string | undefined; rest: string[] }, io: CommandIO) => Promise<number>,
): Command {
  return {
    ...spec,
    passThrough: true,
    run: (args, io) => {
      const split = splitAtCommand(args, spec.options);
      return run({ values: parseCommandArgs(name, split.own, spec.options).values, first: split.first, rest: split.rest }, io);
    },
  };
}
