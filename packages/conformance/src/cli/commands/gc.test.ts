import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Layout } from '@ocikit/bundle';
import { describeWithPeers, suiteScratch } from '@ocikit/testkit';
import type { Descriptor } from '@ocikit/image-spec';
import { blobsOf, packImage } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 };

interface GcJson {
  dryRun: boolean;
  removed: { digest: string; size: number }[];
  bytes: number;
}

const tmp = suiteScratch('cli-gc');

/**
 * L:v1 with a signature (a referrer of v1), and the blobs of a second image
 * whose ref was removed plus an orphan blob: what gc must remove.
 */
async function layoutWithGarbage(name: string): Promise<{ l: string; v1: Descriptor; signature: Descriptor; garbage: string[] }> {
  const l = path.join(tmp.dir, name);
  const v1 = await packImage(`${l}:v1`, tmp.dir);
  const keep = new Set(blobsOf(l));
  const store = await Layout.open(l);
  await store.writeBlob(Buffer.from('{}'));
  const signature = await store.writeJson(
    { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.signature', config: EMPTY, layers: [], subject: v1 },
    'application/vnd.oci.image.manifest.v1+json',
  );
  keep.add(signature.digest).add(EMPTY.digest);
  await packImage(`${l}:v2`, tmp.dir, { content: 'only in v2\n' });
  await store.writeBlob(Buffer.from('an orphan'));
  expect((await runCli(['rm', `${l}:v2`])).code).toBe(ExitCode.Ok);
  return { l, v1, signature, garbage: blobsOf(l).filter((d) => !keep.has(d)) };
}

const sizeOf = (l: string, digest: string) => statSync(path.join(l, 'blobs', ...digest.split(':'))).size;

describe('ocikit gc (built bin)', () => {
  it('--dry-run lists what would go, with sizes, and removes nothing', async () => {
    const { l, garbage } = await layoutWithGarbage('dry');
    expect(garbage).toHaveLength(4); // v2's manifest, config and layer, and the orphan
    const before = blobsOf(l);
    const r = await runCli(['gc', '--grace', '0', '--dry-run', '--json', l]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    const report = JSON.parse(r.stdout) as GcJson;
    expect(report.dryRun).toBe(true);
    expect(report.removed.map((x) => x.digest).sort()).toEqual(garbage);
    for (const x of report.removed) expect(x.size).toBe(sizeOf(l, x.digest));
    expect(report.bytes).toBe(garbage.reduce((n, d) => n + sizeOf(l, d), 0));
    const human = await runCli(['gc', '--grace', '0', '--dry-run', l]);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).sort()).toEqual(report.removed.map((x) => `would remove ${x.digest} (${x.size} B)`).sort());
    expect(lines.at(-1)).toMatch(/^would remove 4 blobs, [0-9.]+ (B|KiB)$/);
    expect(blobsOf(l)).toEqual(before);
  });

  it('removes unreachable blobs, keeps the live image and its referrers, and reports the bytes freed', async () => {
    const { l, signature, garbage } = await layoutWithGarbage('real');
    const bytes = garbage.reduce((n, d) => n + sizeOf(l, d), 0);
    const before = blobsOf(l);
    const r = await runCli(['gc', '--grace', '0', l]);
    expect(r.code).toBe(ExitCode.Ok);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((x) => x.split(' ')[1]).sort()).toEqual(garbage);
    expect(lines.at(-1)).toMatch(/^removed 4 blobs, [0-9.]+ (B|KiB) freed$/);
    expect(blobsOf(l)).toEqual(before.filter((d) => !garbage.includes(d)));
    expect(blobsOf(l)).toContain(signature.digest);
    expect((await runCli(['validate', '--type', 'image-layout', l])).code).toBe(ExitCode.Ok);
    const again = await runCli(['gc', '--grace', '0', '--json', l]);
    expect(JSON.parse(again.stdout)).toEqual({ dryRun: false, removed: [], bytes: 0, spared: [], scratch: [] });
    expect((await runCli(['gc', '--grace', '0', l])).stdout).toBe('nothing to remove\n');
    expect(bytes).toBeGreaterThan(0);
  });

  it('spares unreferenced blobs younger than the grace period (a running writer may be about to name them)', async () => {
    const { l, garbage } = await layoutWithGarbage('young');
    const before = blobsOf(l);
    const r = await runCli(['gc', '--json', l]);
    const report = JSON.parse(r.stdout) as GcJson & { spared: { digest: string }[] };
    expect(report.removed).toEqual([]);
    expect(report.spared.map((x) => x.digest).sort()).toEqual(garbage);
    expect(blobsOf(l)).toEqual(before);
    expect((await runCli(['gc', l])).stdout).toBe('nothing to remove\nkept 4 unreferenced blobs younger than the grace period (--grace 0 removes them)\n');
    expect((await runCli(['gc', '--grace', 'soon', l])).code).toBe(ExitCode.Usage);
  });

  it('a missing layout is a usage error; a file is no layout', async () => {
    expect((await runCli(['gc', path.join(tmp.dir, 'nowhere')])).code).toBe(ExitCode.Usage);
    expect((await runCli(['gc'])).code).toBe(ExitCode.Usage);
  });
});

describeWithPeers(['umoci', 'skopeo'], 'ocikit gc: umoci and skopeo agree the layout is whole', () => {
  it('after gc, umoci lists v1 and skopeo copies it (every blob it needs is there)', async () => {
    const { l, v1 } = await layoutWithGarbage('peers');
    expect((await runCli(['gc', '--grace', '0', l])).code).toBe(ExitCode.Ok);
    expect(execFileSync('umoci', ['ls', '--layout', l]).toString()).toBe('v1\n');
    const copy = path.join(tmp.dir, 'peers-copy');
    execFileSync('skopeo', ['copy', '-q', `oci:${l}:v1`, `oci:${copy}:v1`]);
    expect((JSON.parse(execFileSync('skopeo', ['inspect', `oci:${copy}:v1`]).toString()) as { Digest: string }).Digest).toBe(v1.digest);
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${l}:v1`, path.join(tmp.dir, 'peers-bundle')]);
  });
});
