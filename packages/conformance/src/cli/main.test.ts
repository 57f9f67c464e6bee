import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { runCli } from '../test-support/run-cli.js';
import { ExitCode } from './exit-codes.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('ocikit (built bin)', () => {
  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toBe(`ocikit ${version}\n`);
  });

  it('prints usage on --help and lists commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/^Usage: ocikit <command>/);
  });

  it('exits 2 with usage on stderr when no command is given', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: ocikit/);
  });

  it('rejects an unknown command with one line and exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe('ocikit: unknown command "frobnicate" (run `ocikit --help` for the list)\n');
  });

  it('does not treat inherited object keys as commands', async () => {
    const r = await runCli(['constructor']);
    expect(r.code).toBe(ExitCode.Usage);
  });
});
