import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, validate, type Spec } from '@ocikit/runtime-spec';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ocikit-generate-'));

async function generate(args: string[]): Promise<Spec> {
  const r = await runCli(['generate', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(ExitCode.Ok);
  return JSON.parse(r.stdout) as Spec;
}

describe('ocikit generate (built bin)', () => {
  it('writes the library default, which is what runc spec writes', async () => {
    const spec = await generate([]);
    expect(spec).toEqual(defaultConfig());
    execFileSync('runc', ['spec'], { cwd: tmp });
    const runc = JSON.parse(readFileSync(path.join(tmp, 'config.json'), 'utf8')) as Spec;
    expect({ ...spec, ociVersion: '', hostname: '' }).toEqual({ ...runc, ociVersion: '', hostname: '' });
  });

  it.each(['linux', 'windows', 'solaris', 'freebsd', 'zos', 'vm'])('--os %s validates clean', async (target) => {
    const spec = await generate(['--os', target]);
    const r = validate('runtime-config', spec, { forStart: true });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('applies the edits', async () => {
    const spec = await generate(['--rootless', '--env', 'FOO=bar', '--env', 'FOO=baz', '--cwd', '/srv', '--hostname', 'web', '--mount', 'src=/data,dst=/data,opt=ro', '--mount', 'src=tmpfs,dst=/tmp,type=tmpfs,opt=nosuid', '--', 'sh', '-c', 'echo hi']);
    expect(spec.process!.args).toEqual(['sh', '-c', 'echo hi']);
    expect(spec.process!.env).toContain('FOO=baz');
    expect(spec.process!.env).not.toContain('FOO=bar');
    expect(spec.process!.cwd).toBe('/srv');
    expect(spec.hostname).toBe('web');
    expect(spec.linux!.namespaces!.map((n) => n.type)).toContain('user');
    expect(spec.mounts!.slice(-2)).toEqual([
      { destination: '/data', type: 'bind', source: '/data', options: ['rbind', 'ro'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] },
    ]);
    expect(validate('runtime-config', spec).errors).toEqual([]);
  });

  it('--oci-version 1.0.0 declares 1.0.0 and validates clean under it', async () => {
    const spec = await generate(['--oci-version', '1.0.0', '--', 'sh', '-c', 'true']);
    expect(spec.ociVersion).toBe('1.0.0');
    // runc spec's document has nothing newer than 1.0.0: only the version changes.
    expect(spec).toEqual({ ...defaultConfig(), ociVersion: '1.0.0', process: { ...defaultConfig().process, args: ['sh', '-c', 'true'] } });
    const r = validate('runtime-config', spec);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('--oci-version leaves out newer mount options and says so; refuses what it cannot leave out', async () => {
    const r = await runCli(['generate', '--oci-version', '1.1.0', '--mount', 'src=/srv,dst=/srv,opt=idmap']);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stderr).toBe('ocikit: generate: warning: left out /mounts/7/options/1 ("idmap"), new in runtime-spec 1.2.0\n');
    const spec = JSON.parse(r.stdout) as Spec;
    expect(spec.mounts!.at(-1)).toEqual({ destination: '/srv', type: 'bind', source: '/srv', options: ['rbind'] });
    expect(validate('runtime-config', spec).warnings).toEqual([]);
    const rro = await runCli(['generate', '--oci-version', '1.0.2', '--mount', 'src=/srv,dst=/srv,opt=rro']);
    expect([rro.code, rro.stdout]).toEqual([ExitCode.Usage, '']);
    expect(rro.stderr).toMatch(/"rro" at \/mounts\/\*\/options\/\*.*new in 1\.1\.0/);
  });

  it.each(['1.4.0', '1.0', 'v1.0.2', '1.0.2-dev'])('--oci-version %s is a usage error naming the releases', async (v) => {
    const r = await runCli(['generate', '--oci-version', v]);
    expect([r.code, r.stdout]).toEqual([ExitCode.Usage, '']);
    expect(r.stderr).toContain('1.0.0, 1.0.1, 1.0.2, 1.1.0, 1.2.0, 1.2.1, 1.3.0');
  });

  it('--args words, one per flag', async () => {
    const spec = await generate(['--args=/bin/echo', '--args=-n', '--args=hello world']);
    expect(spec.process!.args).toEqual(['/bin/echo', '-n', 'hello world']);
  });

  it('--output writes a file, refuses to replace it without --force', async () => {
    const out = path.join(tmp, 'out.json');
    writeFileSync(out, 'keep me');
    const refused = await runCli(['generate', '--output', out]);
    expect(refused.code).toBe(ExitCode.Usage);
    expect(refused.stderr).toMatch(/exists/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const forced = await runCli(['generate', '--output', out, '--force', '--hostname', 'h1']);
    expect(forced.code).toBe(ExitCode.Ok);
    expect(forced.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as Spec).hostname).toBe('h1');
    const fresh = path.join(tmp, 'sub-config.json');
    expect((await runCli(['generate', '-o', fresh], { cwd: tmp })).code).toBe(ExitCode.Ok);
    expect(validate('runtime-config', readFileSync(fresh)).valid).toBe(true);
  });

  it.each([
    [['--os', 'plan9'], /--os must be one of/],
    [['--cwd', 'relative'], /absolute working directory/],
    [['--env', 'NOVALUE'], /K=V/],
    [['--mount', 'dst=/x'], /src= and dst=/],
    [['--mount', 'src=/a,dst=rel'], /absolute/],
    [['--mount', 'src=/a,dst=/b,mode=1'], /key must be/],
    [['--rootless', '--os', 'windows'], /rootless/],
    [['--force'], /--force needs --output/],
    [['--bogus'], /bogus/],
  ] as [string[], RegExp][])('usage error %j', async (args, message) => {
    const r = await runCli(['generate', ...args]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('--help prints the usage', async () => {
    const r = await runCli(['generate', '--help']);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/Usage: ocikit generate/);
  });
});
