/**
 * `ocikit inspect docker://…` and `ocikit list-tags` against a real
 * docker-registry (plain http on loopback), compared with skopeo's output.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithPeers, startRegistry, suiteScratch, type RunningRegistry } from '@ocikit/testkit';
import type { ImageInspection } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { packImage, packIndex } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const skopeo = (args: string[]) => execFileSync('skopeo', args).toString();

describeWithPeers(['docker-registry', 'skopeo'], 'ocikit inspect docker:// and list-tags (built bin, real registry)', () => {
  const scratch = suiteScratch('cli-inspect-registry');
  let registry: RunningRegistry;
  let l: string;
  let v1: Descriptor;
  let multi: { index: Descriptor; manifests: Descriptor[] };
  const env = ['PATH=/usr/bin:/bin', 'GREETING=hello world'];
  const labels = { 'org.example.team': 'images' };
  const blob = (digest: string) => readFileSync(path.join(l, 'blobs', ...digest.split(':')));
  // HOME and XDG dirs of the suite: no auth file or certs.d of the machine is read.
  const cliEnv = () => ({ HOME: scratch.dir, XDG_RUNTIME_DIR: scratch.dir, XDG_CONFIG_HOME: path.join(scratch.dir, 'config') });
  const cli = (args: string[]) => runCli(args, { env: cliEnv() });
  const ok = async (args: string[]) => {
    const r = await cli(args);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    return r.stdout;
  };
  const image = (repoAndRef: string) => `docker://${registry.host}/${repoAndRef}`;
  // --all: the whole index, not the host's image only (skopeo copy's default).
  const push = (ref: string, dest: string) => skopeo(['copy', '-q', '--all', '--dest-tls-verify=false', `oci:${l}:${ref}`, image(dest)]);

  beforeAll(async () => {
    registry = await startRegistry();
    l = path.join(scratch.dir, 'L');
    v1 = await packImage(`${l}:v1`, scratch.dir, { env, labels, platform: 'linux/amd64' });
    multi = await packIndex(l, 'multi', scratch.dir, ['linux/amd64', 'linux/arm64/v8']);
    push('v1', 'team/app:v1');
    push('v1', 'team/app:stable');
    push('multi', 'team/app:multi');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('prints skopeo inspect\'s summary, field by field, for a tag', async () => {
    const ours = JSON.parse(await ok(['inspect', '--tls-verify=false', image('team/app:v1')])) as ImageInspection;
    const theirs = JSON.parse(skopeo(['inspect', '--tls-verify=false', image('team/app:v1')])) as Partial<ImageInspection>;
    for (const field of ['Name', 'Digest', 'RepoTags', 'Created', 'DockerVersion', 'Labels', 'Architecture', 'Os', 'Layers', 'Env'] as const) {
      expect([field, ours[field]]).toEqual([field, theirs[field]]);
    }
    // skopeo 1.9 does not print LayersData yet; newer ones do.
    if (theirs.LayersData !== undefined) expect(ours.LayersData).toEqual(theirs.LayersData);
    expect(ours).toMatchObject({ Name: `${registry.host}/team/app`, Digest: v1.digest, RepoTags: ['multi', 'stable', 'v1'], Labels: labels, Env: env, Architecture: 'amd64' });
    expect(ours.LayersData.map((x) => x.Digest)).toEqual(ours.Layers);
  });

  it('--raw is the manifest as the registry serves it, --config the config blob; a digest works as a tag does', async () => {
    expect(await ok(['inspect', '--tls-verify=false', '--raw', image('team/app:v1')])).toBe(blob(v1.digest).toString());
    expect(await ok(['inspect', '--tls-verify=false', '--raw', image('team/app:v1')])).toBe(skopeo(['inspect', '--tls-verify=false', '--raw', image('team/app:v1')]));
    const config = (JSON.parse(blob(v1.digest).toString()) as { config: Descriptor }).config;
    expect(await ok(['inspect', '--tls-verify=false', '--config', image('team/app:v1')])).toBe(blob(config.digest).toString());
    const byDigest = JSON.parse(await ok(['inspect', '--tls-verify=false', image(`team/app@${v1.digest}`)])) as ImageInspection;
    expect(byDigest.Digest).toBe(v1.digest);
  });

  it('an index: the index digest, the host platform by default (as skopeo picks), --platform for another; --raw the index', async () => {
    const ours = JSON.parse(await ok(['inspect', '--tls-verify=false', image('team/app:multi')])) as ImageInspection;
    const theirs = JSON.parse(skopeo(['inspect', '--tls-verify=false', image('team/app:multi')])) as ImageInspection;
    for (const field of ['Digest', 'Architecture', 'Os', 'Layers', 'Created'] as const) expect([field, ours[field]]).toEqual([field, theirs[field]]);
    expect(ours.Digest).toBe(multi.index.digest);
    const arm = JSON.parse(await ok(['inspect', '--tls-verify=false', '--platform', 'linux/arm64/v8', image('team/app:multi')])) as ImageInspection;
    const skopeoArm = JSON.parse(skopeo(['--override-os', 'linux', '--override-arch', 'arm64', '--override-variant', 'v8', 'inspect', '--tls-verify=false', image('team/app:multi')])) as ImageInspection;
    expect(arm).toMatchObject({ Digest: multi.index.digest, Architecture: 'arm64', Variant: 'v8', Layers: skopeoArm.Layers });
    expect(await ok(['inspect', '--tls-verify=false', '--raw', image('team/app:multi')])).toBe(blob(multi.index.digest).toString());
    expect(await ok(['inspect', '--tls-verify=false', '--raw', '--platform', 'linux/arm64/v8', image('team/app:multi')])).toBe(blob(multi.manifests[1]!.digest).toString());
    const none = await cli(['inspect', '--tls-verify=false', '--platform', 'linux/s390x', image('team/app:multi')]);
    expect(none.code).toBe(ExitCode.Failure);
    expect(none.stderr).toMatch(/^ocikit: inspect: .*has no manifest for linux\/s390x .*\[NO_MATCHING_PLATFORM\]\n$/);
  });

  it('registry errors are one line and exit 1: unknown tag, unknown repository, nothing listening', async () => {
    const unknownTag = await cli(['inspect', '--tls-verify=false', image('team/app:nope')]);
    expect([unknownTag.code, unknownTag.stdout]).toEqual([ExitCode.Failure, '']);
    expect(unknownTag.stderr).toMatch(/^ocikit: inspect: [^\n]*\[MANIFEST_UNKNOWN\]\n$/);
    const unknownRepo = await cli(['list-tags', '--tls-verify=false', image('team/none')]);
    expect(unknownRepo.code).toBe(ExitCode.Failure);
    expect(unknownRepo.stderr).toMatch(/^ocikit: list-tags: [^\n]*\[NAME_UNKNOWN\]\n$/);
    // Port 9 (discard) on loopback: nothing listens there in a test machine.
    const nothing = await cli(['inspect', '--tls-verify=false', 'docker://127.0.0.1:9/x:y']);
    expect(nothing.code).toBe(ExitCode.Failure);
    expect(nothing.stderr).toMatch(/^ocikit: inspect: [^\n]*\[REGISTRY_NETWORK\]\n$/);
  }, 120_000);

  it('usage errors exit 2: a registry flag for a layout, a tag for list-tags, no transport', async () => {
    const flagForLayout = await cli(['inspect', '--tls-verify=false', `oci:${l}:v1`]);
    expect([flagForLayout.code, flagForLayout.stderr]).toEqual([ExitCode.Usage, 'ocikit: inspect: --tls-verify is for docker:// images only\n']);
    const tagged = await cli(['list-tags', image('team/app:v1')]);
    expect(tagged.code).toBe(ExitCode.Usage);
    expect(tagged.stderr).toMatch(/names a tag or digest/);
    expect((await cli(['list-tags', `oci:${l}`])).code).toBe(ExitCode.Usage);
  });

  it('list-tags prints what skopeo list-tags prints', async () => {
    const ours = await ok(['list-tags', '--tls-verify=false', image('team/app')]);
    const theirs = skopeo(['list-tags', '--tls-verify=false', image('team/app')]);
    expect(JSON.parse(ours)).toEqual(JSON.parse(theirs));
    expect(JSON.parse(ours)).toEqual({ Repository: `${registry.host}/team/app`, Tags: ['multi', 'stable', 'v1'] });
    expect(await ok(['list-tags', '--json', '--tls-verify=false', image('team/app')])).toBe(ours);
  });
});
