import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCIKIT_BIN, runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

let dir: string;
let paths: string[];

/** What a coreutils *sum tool prints, with our "<algorithm>:" prefix added to each digest. */
function coreutils(tool: string, algorithm: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.replace(/^(\\?)([0-9a-f]+) {2}/gm, `$1${algorithm}:$2  `);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocikit-digest-cli-'));
  // Largest first, so that later files finish first and order must be restored.
  const sizes = [9_000_000, 0, 1, 65_536, 3_000_001, 17];
  paths = sizes.map((size, i) => {
    const p = join(dir, `file-${i}`);
    const b = Buffer.alloc(size);
    for (let j = 0; j < size; j++) b[j] = (j * 13 + i) & 0xff;
    writeFileSync(p, b);
    return p;
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ocikit digest (built bin)', () => {
  it('prints "sha256:<hex>  FILE" like sha256sum, in argument order, for many files', async () => {
    const r = await runCli(['digest', ...paths]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toBe(coreutils('sha256sum', 'sha256', paths));
  });

  it.each([
    ['sha512', 'sha512sum'],
    ['sha384', 'sha384sum'],
  ])('--algorithm %s agrees with %s', async (algorithm, tool) => {
    const r = await runCli(['digest', '--algorithm', algorithm, ...paths.slice(0, 3)]);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toBe(coreutils(tool, algorithm, paths.slice(0, 3)));
  });

  it('--algorithm blake3 prints the BLAKE3 digest ("abc" known answer)', async () => {
    const r = await runCli(['digest', '-a', 'blake3'], { input: 'abc' });
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toBe('blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85  -\n');
  });

  it('reads standard input for no FILE and for -', async () => {
    const expected = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n';
    expect((await runCli(['digest'], { input: 'abc' })).stdout).toBe(expected);
    const mixed = await runCli(['digest', paths[1]!, '-', paths[2]!], { input: 'abc' });
    expect(mixed.stdout).toBe(coreutils('sha256sum', 'sha256', [paths[1]!, '-', paths[2]!]).replace(/^(sha256:\S+) {2}-$/m, expected.trimEnd()));
  });

  it('reads a shell pipe on standard input (through /dev/stdin) and a redirected file', () => {
    const piped = spawnSync('sh', ['-c', `head -c 5000000 /dev/zero | '${process.execPath}' '${OCIKIT_BIN}' digest`], { encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(coreutils('sh', 'sha256', ['-c', 'head -c 5000000 /dev/zero | sha256sum']));
    const redirected = spawnSync('sh', ['-c', `'${process.execPath}' '${OCIKIT_BIN}' digest -a sha512 < '${paths[4]}'`], { encoding: 'utf8' });
    expect(redirected.stdout).toBe(coreutils('sh', 'sha512', ['-c', `sha512sum < '${paths[4]}'`]));
    const check = spawnSync('sh', ['-c', `printf abc | '${process.execPath}' '${OCIKIT_BIN}' digest --check sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad`], {
      encoding: 'utf8',
    });
    expect([check.status, check.stdout]).toEqual([0, '-: OK\n']);
  });

  it('escapes a file name holding a newline the way sha256sum does', async () => {
    const odd = join(dir, 'new\nline');
    writeFileSync(odd, 'x');
    const r = await runCli(['digest', odd]);
    expect(r.stdout).toBe(coreutils('sha256sum', 'sha256', [odd]));
    expect(r.stdout.startsWith('\\sha256:')).toBe(true);
  });

  it('--json prints digest and size per file', async () => {
    const r = await runCli(['digest', '--json', paths[2]!]);
    expect(JSON.parse(r.stdout)).toEqual({
      results: [{ path: paths[2], digest: coreutils('sha256sum', 'sha256', [paths[2]!]).split('  ')[0], size: 1 }],
    });
  });

  it('an unreadable file: one line naming it, exit 2, the other files still printed', async () => {
    const missing = join(dir, 'missing');
    const r = await runCli(['digest', paths[2]!, missing, paths[5]!]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe(`ocikit: cannot read ${missing}: no such file or directory\n`);
    expect(r.stdout).toBe(coreutils('sha256sum', 'sha256', [paths[2]!, paths[5]!]));
    const one = await runCli(['digest', dir]);
    expect(one.code).toBe(ExitCode.Usage);
    expect(one.stderr).toBe(`ocikit: cannot read ${dir}: is a directory\n`);
  });

  it('rejects an unknown algorithm with exit 2', async () => {
    const r = await runCli(['digest', '--algorithm', 'md5', paths[0]!]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe('ocikit: digest: unknown --algorithm "md5" (one of sha256, sha384, sha512, blake3)\n');
  });
});

describe('ocikit digest --check (built bin)', () => {
  const digestOf = (p: string, tool = 'sha256sum', algorithm = 'sha256') => coreutils(tool, algorithm, [p]).split('  ')[0]!;

  it('exits 0 and says OK when the digest matches', async () => {
    const r = await runCli(['digest', '--check', digestOf(paths[3]!), paths[3]!]);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toBe(`${paths[3]}: OK\n`);
    const sha512 = await runCli(['digest', '--check', digestOf(paths[4]!, 'sha512sum', 'sha512'), '--size', '3000001', paths[4]!]);
    expect(sha512.code).toBe(ExitCode.Ok);
  });

  it('exits 1 with a one-line message on mismatch', async () => {
    const wrong = digestOf(paths[2]!);
    const r = await runCli(['digest', '--check', wrong, paths[3]!]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ocikit: ${paths[3]}: digest mismatch: expected ${wrong}, got ${digestOf(paths[3]!)}\n`);
  });

  it('exits 1 on a size mismatch, checked before the digest', async () => {
    const r = await runCli(['digest', '--check', digestOf(paths[3]!), '--size', '65535', paths[3]!]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toBe(`ocikit: ${paths[3]}: size mismatch: expected 65535 bytes, got 65536\n`);
  });

  it('checks standard input', async () => {
    const ok = await runCli(['digest', '--check', 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', '-'], { input: 'abc' });
    expect(ok.code).toBe(ExitCode.Ok);
    const bad = await runCli(['digest', '--check', 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', '-'], { input: 'abd' });
    expect(bad.code).toBe(ExitCode.Failure);
  });

  it('an unreadable file: exit 2, one line naming it', async () => {
    const missing = join(dir, 'missing');
    const r = await runCli(['digest', '--check', digestOf(paths[3]!), missing]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe(`ocikit: cannot read ${missing}: no such file or directory\n`);
  });

  it.each([
    [['digest', '--check', 'sha256:abc', 'f'], /expected 64 hex characters, found 3/],
    [['digest', '--check', 'md5:d41d8cd98f00b204e9800998ecf8427e', 'f'], /unsupported digest algorithm "md5"/],
    [['digest', '--check', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'a', 'b'], /takes one FILE/],
    [['digest', '--size', '3', 'f'], /--size goes with --check/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
