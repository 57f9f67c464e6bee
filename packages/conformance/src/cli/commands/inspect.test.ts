import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describeWithPeers } from '@ocikit/testkit';
import type { ImageInspection } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { packImage, packIndex } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { scratchDir } from '../../test-support/scratch.js';
import { ExitCode } from '../exit-codes.js';


let tmp: string;
let l: string;
let v1: Descriptor;
let multi: { index: Descriptor; manifests: Descriptor[] };
const blob = (digest: string) => readFileSync(path.join(l, 'blobs', ...digest.split(':')));
const env = ['PATH=/usr/bin:/bin', 'GREETING=hello world'];
const labels = { 'org.example.team': 'images', 'org.opencontainers.image.title': 'hello' };

beforeAll(async () => {
  tmp = scratchDir('cli-inspect');
  l = path.join(tmp, 'L');
  v1 = await packImage(`${l}:v1`, tmp, { env, labels, platform: 'linux/amd64' });
  multi = await packIndex(l, 'multi', tmp, ['linux/amd64', 'linux/arm64/v8']);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const inspect = async (args: string[]) => {
  const r = await runCli(['inspect', ...args]);
  expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
  return r.stdout;
};

describe('ocikit inspect (built bin)', () => {
  it('prints skopeo\'s fields for oci:LAYOUT:REF', async () => {
    const info = JSON.parse(await inspect([`oci:${l}:v1`])) as ImageInspection;
    const manifest = JSON.parse(blob(v1.digest).toString()) as { config: Descriptor; layers: Descriptor[] };
    expect(info).toEqual({
      Name: `oci:${l}:v1`,
      Digest: v1.digest,
      RepoTags: ['multi', 'v1'],
      Created: '2023-11-14T22:13:20Z',
      DockerVersion: '',
      Labels: labels,
      Architecture: 'amd64',
      Os: 'linux',
      Layers: manifest.layers.map((x) => x.digest),
      LayersData: manifest.layers.map((x) => ({ MIMEType: x.mediaType, Digest: x.digest, Size: x.size, Annotations: null })),
      Env: env,
    });
  });

  it('--raw prints the manifest as stored, --config the config as stored', async () => {
    expect(await inspect(['--raw', `oci:${l}:v1`])).toBe(blob(v1.digest).toString());
    const manifest = JSON.parse(blob(v1.digest).toString()) as { config: Descriptor };
    expect(await inspect(['--config', `oci:${l}:v1`])).toBe(blob(manifest.config.digest).toString());
    expect(await inspect(['--config', '--raw', `oci:${l}:v1`])).toBe(blob(manifest.config.digest).toString());
  });

  it('an index: its digest, the platform\'s image; --raw is the index unless --platform picks a manifest', async () => {
    const arm = JSON.parse(await inspect(['--platform', 'linux/arm64/v8', `oci:${l}:multi`])) as ImageInspection;
    expect(arm).toMatchObject({ Digest: multi.index.digest, Architecture: 'arm64', Variant: 'v8', Os: 'linux' });
    const amd = JSON.parse(await inspect(['--platform', 'linux/amd64', `oci:${l}:multi`])) as ImageInspection;
    expect(amd.Architecture).toBe('amd64');
    expect(amd.Layers).not.toEqual(arm.Layers);
    expect(await inspect(['--raw', `oci:${l}:multi`])).toBe(blob(multi.index.digest).toString());
    expect(await inspect(['--raw', '--platform', 'linux/arm64/v8', `oci:${l}:multi`])).toBe(blob(multi.manifests[1]!.digest).toString());
    const r = await runCli(['inspect', '--platform', 'linux/s390x', `oci:${l}:multi`]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/has no manifest for linux\/s390x \(offers linux\/amd64, linux\/arm64\/v8\) \[NO_MATCHING_PLATFORM\]\n$/);
  });

  it('takes LAYOUT@DIGEST, a bare LAYOUT:REF, and an oci-archive', async () => {
    const byDigest = JSON.parse(await inspect([`${l}@${multi.manifests[1]!.digest}`])) as ImageInspection;
    expect(byDigest).toMatchObject({ Name: `${l}@${multi.manifests[1]!.digest}`, Digest: multi.manifests[1]!.digest, Architecture: 'arm64' });
    expect((JSON.parse(await inspect([`${l}:v1`])) as ImageInspection).Digest).toBe(v1.digest);
    const archive = path.join(tmp, 'image.tar');
    const packed = await packImage(`${archive}:t`, tmp, { env }, ['--format', 'archive']);
    const info = JSON.parse(await inspect([`oci-archive:${archive}:t`])) as ImageInspection;
    expect(info).toMatchObject({ Name: `oci-archive:${archive}:t`, Digest: packed.digest, Env: env, RepoTags: ['t'] });
  });

  it('a missing REF is REF_NOT_FOUND (exit 1); a missing layout exit 2', async () => {
    const r = await runCli(['inspect', `oci:${l}:nope`]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/no image named "nope" .* \[REF_NOT_FOUND\]\n$/);
    expect((await runCli(['inspect', `oci:${path.join(tmp, 'nowhere')}:v1`])).code).toBe(ExitCode.Usage);
  });
});

describeWithPeers(['skopeo'], 'ocikit inspect agrees with skopeo inspect', () => {
  const skopeo = (args: string[]) => execFileSync('skopeo', args).toString();
  const same = (ours: ImageInspection, theirs: Partial<ImageInspection>) => {
    for (const field of ['Digest', 'Created', 'Architecture', 'Os', 'Layers', 'Env', 'Labels'] as const) expect([field, ours[field]]).toEqual([field, theirs[field]]);
    // Newer skopeo also prints LayersData (and Variant); compare them when it does.
    if (theirs.LayersData !== undefined) expect(ours.LayersData).toEqual(theirs.LayersData);
  };

  it('on one image of a layout: the fields, the raw manifest and the config', async () => {
    same(JSON.parse(await inspect([`oci:${l}:v1`])) as ImageInspection, JSON.parse(skopeo(['inspect', `oci:${l}:v1`])) as Partial<ImageInspection>);
    expect(await inspect(['--raw', `oci:${l}:v1`])).toBe(skopeo(['inspect', '--raw', `oci:${l}:v1`]));
    expect(await inspect(['--config', `oci:${l}:v1`])).toBe(skopeo(['inspect', '--config', '--raw', `oci:${l}:v1`]));
  });

  it('on each platform of an index, and on the index raw', async () => {
    for (const [platform, args] of [
      ['linux/amd64', ['--override-os', 'linux', '--override-arch', 'amd64']],
      ['linux/arm64/v8', ['--override-os', 'linux', '--override-arch', 'arm64', '--override-variant', 'v8']],
    ] as const) {
      same(JSON.parse(await inspect(['--platform', platform, `oci:${l}:multi`])) as ImageInspection, JSON.parse(skopeo([...args, 'inspect', `oci:${l}:multi`])) as ImageInspection);
    }
    expect(await inspect(['--raw', `oci:${l}:multi`])).toBe(skopeo(['inspect', '--raw', `oci:${l}:multi`]));
  });

  it('on an image skopeo wrote to an oci-archive', async () => {
    const archive = path.join(tmp, 'by-skopeo.tar');
    skopeo(['copy', '-q', `oci:${l}:v1`, `oci-archive:${archive}:copied`]);
    same(JSON.parse(await inspect([`oci-archive:${archive}:copied`])) as ImageInspection, JSON.parse(skopeo(['inspect', `oci-archive:${archive}:copied`])) as ImageInspection);
  });
});
