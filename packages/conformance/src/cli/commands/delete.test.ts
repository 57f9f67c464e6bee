/** `ocikit delete` against a real docker-registry (deletes enabled), and on a layout. */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describeWithPeers, startRegistry, suiteScratch, type RunningRegistry } from '@ocikit/testkit';
import { Layout } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { packImage } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

describeWithPeers(['docker-registry', 'skopeo'], 'ocikit delete (built bin, real registry)', () => {
  const scratch = suiteScratch('cli-delete');
  let registry: RunningRegistry;
  let l: string;
  let v1: Descriptor;
  let v2: Descriptor;
  const cli = (args: string[]) => runCli(args, { env: { HOME: scratch.dir, XDG_RUNTIME_DIR: scratch.dir, XDG_CONFIG_HOME: path.join(scratch.dir, 'config') } });
  const image = (repoAndRef: string) => `docker://${registry.host}/${repoAndRef}`;

  beforeAll(async () => {
    registry = await startRegistry();
    l = path.join(scratch.dir, 'L');
    v1 = await packImage(`${l}:v1`, scratch.dir, { content: 'one\n' });
    v2 = await packImage(`${l}:v2`, scratch.dir, { content: 'two\n' });
    for (const [ref, dest] of [['v1', 'app:v1'], ['v1', 'app:also-v1'], ['v2', 'app:v2']] as const) {
      execFileSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${l}:${ref}`, image(dest)]);
    }
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('deletes by tag: the tag is resolved to its digest and the manifest deleted, with every tag naming it; inspect then says MANIFEST_UNKNOWN', async () => {
    const r = await cli(['delete', '--tls-verify=false', image('app:v1')]);
    expect([r.code, r.stdout, r.stderr]).toEqual([ExitCode.Ok, '', '']);
    for (const gone of ['app:v1', 'app:also-v1', `app@${v1.digest}`]) {
      const after = await cli(['inspect', '--tls-verify=false', image(gone)]);
      expect([gone, after.code]).toEqual([gone, ExitCode.Failure]);
      expect(after.stderr).toMatch(/^ocikit: inspect: [^\n]*\[MANIFEST_UNKNOWN\]\n$/);
    }
    // The other image is untouched.
    expect((await cli(['inspect', '--tls-verify=false', image('app:v2')])).code).toBe(ExitCode.Ok);
  });

  it('deletes by digest (--json names it); deleting again is MANIFEST_UNKNOWN, exit 1', async () => {
    const r = await cli(['delete', '--json', '--tls-verify=false', image(`app@${v2.digest}`)]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(r.stdout)).toEqual({ deleted: v2.digest });
    const again = await cli(['delete', '--tls-verify=false', image(`app@${v2.digest}`)]);
    expect(again.code).toBe(ExitCode.Failure);
    expect(again.stderr).toMatch(/^ocikit: delete: [^\n]*\[MANIFEST_UNKNOWN\]\n$/);
    const tag = await cli(['delete', '--tls-verify=false', image('app:v2')]);
    expect(tag.code).toBe(ExitCode.Failure);
    expect(tag.stderr).toMatch(/\[MANIFEST_UNKNOWN\]\n$/);
  });

  it('oci:LAYOUT:REF removes the ref as ocikit rm does; an unknown ref is REF_NOT_FOUND, exit 1', async () => {
    const r = await cli(['delete', `oci:${l}:v2`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect((await (await Layout.open(l)).listRefs()).map((x) => x.name)).toEqual(['v1']);
    const again = await cli(['delete', `oci:${l}:v2`]);
    expect(again.code).toBe(ExitCode.Failure);
    expect(again.stderr).toMatch(/\[REF_NOT_FOUND\]\n$/);
    expect((await cli(['delete', '--tls-verify=false'])).code).toBe(ExitCode.Usage);
  });
});
