import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Layout } from '@ocikit/bundle';
import { describeWithPeers, suiteScratch } from '@ocikit/testkit';
import { blobsOf, packImage } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const tmp = suiteScratch('cli-rm');

describe('ocikit rm (built bin)', () => {
  it('removes the ref from index.json and leaves every blob', async () => {
    const l = path.join(tmp.dir, 'L');
    const v1 = await packImage(`${l}:v1`, tmp.dir);
    await runCli(['tag', `${l}:v1`, 'v2']);
    const blobs = blobsOf(l);
    const r = await runCli(['rm', `${l}:v2`]);
    expect([r.code, r.stdout, r.stderr]).toEqual([ExitCode.Ok, `removed ${l}:v2 (1 descriptor)\n`, '']);
    expect((await (await Layout.open(l)).listRefs()).map((x) => [x.name, x.descriptor.digest])).toEqual([['v1', v1.digest]]);
    expect(blobsOf(l)).toEqual(blobs);
  });

  it('a missing ref is REF_NOT_FOUND with exit 1, and nothing is written', async () => {
    const l = path.join(tmp.dir, 'M');
    await packImage(`${l}:v1`, tmp.dir);
    const before = readFileSync(path.join(l, 'index.json'), 'utf8');
    const r = await runCli(['rm', `${l}:nope`]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toBe(`ocikit: rm: no image named "nope" in ${JSON.stringify(l)} (names: "v1") [REF_NOT_FOUND]\n`);
    expect(readFileSync(path.join(l, 'index.json'), 'utf8')).toBe(before);
  });

  it('removes an unnamed descriptor by digest', async () => {
    const l = path.join(tmp.dir, 'U');
    const v1 = await packImage(`${l}:v1`, tmp.dir);
    const store = await Layout.open(l);
    await store.updateIndex((i) => ({ ...i, manifests: [...i.manifests, { mediaType: v1.mediaType, digest: v1.digest, size: v1.size }] }));
    const r = await runCli(['rm', `${l}@${v1.digest}`]);
    expect([r.code, r.stdout]).toEqual([ExitCode.Ok, `removed ${l}@${v1.digest} (2 descriptors)\n`]);
    expect((await store.readIndex()).manifests).toEqual([]);
  });

  it('needs a REF: LAYOUT alone is a usage error', async () => {
    const l = path.join(tmp.dir, 'L');
    const r = await runCli(['rm', l]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe(`ocikit: rm: ${JSON.stringify(l)} names no reference; expected LAYOUT:REF or LAYOUT@DIGEST\n`);
  });
});

describeWithPeers(['umoci', 'skopeo'], 'ocikit rm: umoci and skopeo no longer see the ref', () => {
  it('umoci ls drops it, skopeo cannot inspect it, and the other ref still works', async () => {
    const l = path.join(tmp.dir, 'P');
    const v1 = await packImage(`${l}:v1`, tmp.dir);
    await runCli(['tag', `${l}:v1`, 'v2']);
    expect((await runCli(['rm', `${l}:v1`])).code).toBe(ExitCode.Ok);
    expect(execFileSync('umoci', ['ls', '--layout', l]).toString()).toBe('v2\n');
    expect(() => execFileSync('skopeo', ['inspect', `oci:${l}:v1`], { stdio: 'pipe' })).toThrow();
    expect((JSON.parse(execFileSync('skopeo', ['inspect', `oci:${l}:v2`]).toString()) as { Digest: string }).Digest).toBe(v1.digest);
  });
});
