import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describeWithPeers, suiteScratch } from '@ocikit/testkit';
import type { Descriptor } from '@ocikit/image-spec';
import { packImage, packIndex } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { scratchDir } from '../../test-support/scratch.js';
import { ExitCode } from '../exit-codes.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexJson {
  manifests: (Descriptor & { annotations?: Record<string, string> })[];
}

describe('ocikit tag (built bin)', () => {
  let tmp: string;
  let l: string;
  let v1: Descriptor;
  let other: Descriptor;
  let multi: { index: Descriptor; manifests: Descriptor[] };
  const indexText = () => readFileSync(path.join(l, 'index.json'), 'utf8');
  const named = (name: string) => (JSON.parse(indexText()) as IndexJson).manifests.filter((d) => d.annotations?.[REF_NAME] === name);
  beforeAll(async () => {
    tmp = scratchDir('cli-tag');
    l = path.join(tmp, 'L');
    v1 = await packImage(`${l}:v1`, tmp, { env: ['PATH=/bin', 'WHO=v1'] });
    other = await packImage(`${l}:other`, tmp, { content: 'other\n' });
    multi = await packIndex(l, 'multi', tmp, ['linux/amd64', 'linux/arm64/v8']);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('points NEW-REF at what REF names (default latest), replacing what NEW-REF named', async () => {
    const r = await runCli(['tag', `${l}:v1`, 'stable']);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r.stdout).toMatch(new RegExp(`^tagged .*L:stable -> ${v1.digest}`));
    expect(named('stable').map((d) => d.digest)).toEqual([v1.digest]);
    expect((await runCli(['tag', `${l}:other`, 'stable'])).code).toBe(ExitCode.Ok);
    expect(named('stable').map((d) => d.digest)).toEqual([other.digest]);
    expect(named('v1').map((d) => d.digest)).toEqual([v1.digest]);
    expect((await runCli(['tag', `${l}:v1`, 'latest'])).code).toBe(ExitCode.Ok);
    expect((await runCli(['tag', l, 'from-latest'])).code).toBe(ExitCode.Ok);
    expect(named('from-latest').map((d) => d.digest)).toEqual([v1.digest]);
  });

  it('tags by digest: an index, or one platform\'s manifest inside it', async () => {
    expect((await runCli(['tag', `${l}@${multi.index.digest}`, 'multi-again'])).code).toBe(ExitCode.Ok);
    expect(named('multi-again')).toEqual([{ ...multi.index, annotations: { [REF_NAME]: 'multi-again' } }]);
    expect((await runCli(['tag', `${l}@${multi.manifests[1]!.digest}`, 'arm'])).code).toBe(ExitCode.Ok);
    expect(named('arm').map((d) => [d.digest, d.mediaType, d.size])).toEqual([[multi.manifests[1]!.digest, multi.manifests[1]!.mediaType, multi.manifests[1]!.size]]);
  });

  it('refuses a NEW-REF outside the ref.name grammar with one line naming it, writing nothing (exit 2)', async () => {
    const before = indexText();
    for (const bad of ['bad/ref!', 'a//b', 'a-', '']) {
      const r = await runCli(['tag', `${l}:v1`, bad]);
      expect(r.code).toBe(ExitCode.Usage);
      expect(r.stderr).toBe(
        `ocikit: tag: reference name ${JSON.stringify(bad)} is not an org.opencontainers.image.ref.name: expected components [A-Za-z0-9]+ joined by one of "-._:@+" or "--", separated by "/" [INVALID_REF_NAME]\n`,
      );
    }
    expect(indexText()).toBe(before);
  });

  it('a REF or digest naming nothing is REF_NOT_FOUND, exit 1, nothing written', async () => {
    const before = indexText();
    const r = await runCli(['tag', `${l}:nope`, 'x']);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/^ocikit: tag: no image named "nope" in ".*L" \(names: "v1", "other", .*\) \[REF_NOT_FOUND\]\n$/);
    const missing = `sha256:${'0'.repeat(64)}`;
    const d = await runCli(['tag', `${l}@${missing}`, 'x']);
    expect([d.code, d.stderr]).toEqual([ExitCode.Failure, `ocikit: tag: no manifest or index ${missing} in ${JSON.stringify(l)} [REF_NOT_FOUND]\n`]);
    expect(indexText()).toBe(before);
  });

  it('usage errors: arity, an oci-archive', async () => {
    expect((await runCli(['tag', `${l}:v1`])).code).toBe(ExitCode.Usage);
    expect((await runCli(['tag', `oci-archive:${l}.tar:v1`, 'x'])).code).toBe(ExitCode.Usage);
  });
});

describeWithPeers(['umoci', 'skopeo'], 'ocikit tag: umoci and skopeo see the new ref', () => {
  const tmp = suiteScratch('cli-tag-peers');

  it('umoci ls lists it and skopeo inspect resolves it to the same image', async () => {
    const l = path.join(tmp.dir, 'L');
    const v1 = await packImage(`${l}:v1`, tmp.dir);
    const multi = await packIndex(l, 'multi', tmp.dir, ['linux/amd64', 'linux/arm64/v8']);
    expect((await runCli(['tag', `${l}:v1`, 'v1.0.1-rc.1'])).code).toBe(ExitCode.Ok);
    expect((await runCli(['tag', `${l}@${multi.manifests[1]!.digest}`, 'arm'])).code).toBe(ExitCode.Ok);
    expect(execFileSync('umoci', ['ls', '--layout', l]).toString().split('\n').filter(Boolean).sort()).toEqual(['arm', 'multi', 'v1', 'v1.0.1-rc.1']);
    const skopeo = (ref: string) => JSON.parse(execFileSync('skopeo', ['inspect', `oci:${l}:${ref}`]).toString()) as { Digest: string; Architecture: string };
    expect(skopeo('v1.0.1-rc.1').Digest).toBe(v1.digest);
    expect(skopeo('arm')).toMatchObject({ Digest: multi.manifests[1]!.digest, Architecture: 'arm64' });
  });
});
