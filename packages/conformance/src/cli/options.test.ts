import { describe, expect, it } from '@jest/globals';
import { runCli } from '../test-support/run-cli.js';
import { ExitCode, PROCESS_COMMANDS, UsageError } from './exit-codes.js';
import { flags, parseCommandArgs, switchFlags, switchValue } from './options.js';
import { COMMANDS } from './commands/index.js';

const NAMES = Object.keys(COMMANDS).sort();

describe('command-line options, every command (built bin)', () => {
  it.each(NAMES)('%s: its usage lists every flag it takes', async (name) => {
    const { command } = await COMMANDS[name]!();
    for (const flag of Object.keys(command.options)) expect(`${name}: ${command.usage.includes(`--${flag}`) ? '' : 'missing '}--${flag}`).toBe(`${name}: --${flag}`);
  });

  it.each(NAMES)('%s: an unknown flag is one line naming the command and the flag, pointing at help, exit 2 (125 for run and exec)', async (name) => {
    // A command with subcommands (bundle digest, key generate) parses its flags after the first of them.
    const { command } = await COMMANDS[name]!();
    const sub = command.subcommands === undefined ? name : `${name} ${command.subcommands[0]}`;
    const r = await runCli([...sub.split(' '), '--no-such-flag', 'x']);
    expect(r.code).toBe(PROCESS_COMMANDS.has(name) ? ExitCode.ContainerFailed : ExitCode.Usage);
    expect(r.stderr).toBe(`ocikit: ${sub}: unknown option --no-such-flag; run \`ocikit help ${sub}\` for its options\n`);
  });

  it.each(NAMES)('ocikit help %s prints that command\'s usage, the same as --help', async (name) => {
    const { command } = await COMMANDS[name]!();
    const viaHelp = await runCli(['help', name]);
    expect(viaHelp.code).toBe(ExitCode.Ok);
    expect(viaHelp.stdout).toBe(`${command.usage.trimEnd()}\n`);
    expect((await runCli([name, '--help'])).stdout).toBe(viaHelp.stdout);
  });

  it('suggests the flag that was probably meant', async () => {
    const r = await runCli(['unpack', '--imgae', 'L:x', 'B']);
    expect(r.stderr).toBe('ocikit: unpack: unknown option --imgae (did you mean --image?); run `ocikit help unpack` for its options\n');
  });

  it('names a flag that needs a value and got none', async () => {
    const r = await runCli(['pack', 'B', '--image']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe('ocikit: pack: option --image needs a value; run `ocikit help pack` for its options\n');
  });

  it('checks enum flags with one message shape', async () => {
    const r = await runCli(['pack', '--image', 'L', '--compress', 'lz4', 'B']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe('ocikit: pack: --compress must be one of gzip, zstd, none, not "lz4"\n');
  });

  it('ocikit help with an unknown command is a usage error', async () => {
    const r = await runCli(['help', 'frobnicate']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('with --json, errors are one JSON object on stderr: usage, typed and system errors alike', async () => {
    const usage = await runCli(['unpack', '--json', '--nope', 'B']);
    expect(usage.code).toBe(ExitCode.Usage);
    expect(JSON.parse(usage.stderr)).toEqual({ error: { status: 2, code: 'USAGE', message: 'unpack: unknown option --nope; run `ocikit help unpack` for its options' } });
    const missing = await runCli(['unpack', '--json', '--image', '/no/such/layout:x', '/tmp/never-made-bundle']);
    expect(missing.code).toBe(ExitCode.Usage);
    const doc = JSON.parse(missing.stderr) as { error: { status: number; code: string; message: string } };
    expect(doc.error).toMatchObject({ status: 2, code: 'LAYOUT_NOT_FOUND' });
    expect(doc.error.message).toMatch(/^unpack: .*\/no\/such\/layout/);
    expect(missing.stdout).toBe('');
  });
});

describe('switch flags, spelled as skopeo spells --tls-verify (in process)', () => {
  const options = { ...switchFlags('tls-verify', 'src-tls-verify'), ...flags('boolean', 'json') };
  const parse = (...args: string[]) => {
    const { values, positionals } = parseCommandArgs('copy', args, options);
    return [switchValue('copy', 'tls-verify', values['tls-verify']), switchValue('copy', 'src-tls-verify', values['src-tls-verify']), positionals];
  };

  it('is true bare, true or false after =, undefined when absent', () => {
    expect(parse('--tls-verify', 'a')).toEqual([true, undefined, ['a']]);
    expect(parse('--tls-verify=false', '--src-tls-verify=true')).toEqual([false, true, []]);
    expect(parse('a', 'b')).toEqual([undefined, undefined, ['a', 'b']]);
  });

  it('takes its value only after "=": a following word stays a positional', () => {
    expect(parse('--tls-verify', 'false')).toEqual([true, undefined, ['false']]);
    expect(parse('--', '--tls-verify')).toEqual([undefined, undefined, ['--tls-verify']]);
  });

  it('refuses any value but true or false, naming the flag', () => {
    expect(() => parse('--tls-verify=no')).toThrow(new UsageError('copy: --tls-verify takes true or false, not "no"'));
  });
});
