import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Layout, type ListedImage } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { packImage, packIndex } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { scratchDir } from '../../test-support/scratch.js';
import { ExitCode } from '../exit-codes.js';

describe('ocikit ls (built bin)', () => {
  let tmp: string;
  let l: string;
  let single: Descriptor;
  let unnamed: Descriptor;
  let multi: { index: Descriptor; manifests: Descriptor[] };
  beforeAll(async () => {
    tmp = scratchDir('cli-ls');
    l = path.join(tmp, 'L');
    single = await packImage(`${l}:v1`, tmp, { platform: 'linux/amd64' });
    multi = await packIndex(l, 'multi', tmp, ['linux/amd64', 'linux/arm64/v8']);
    unnamed = await packImage(`${l}:gone`, tmp, { platform: 'linux/s390x', content: 'other\n' });
    // Keep the image in index.json without a name, as skopeo and umoci may leave one.
    const store = await Layout.open(l);
    await store.removeRef('gone');
    await store.updateIndex((i) => ({ ...i, manifests: [...i.manifests, unnamed] }));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--json: every descriptor of index.json, named or not, and the manifests of an index under its ref', async () => {
    const r = await runCli(['ls', '--json', l]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    const lines = JSON.parse(r.stdout) as ListedImage[];
    const manifest = 'application/vnd.oci.image.manifest.v1+json';
    expect(lines.map(({ size: _, ...rest }) => rest)).toEqual([
      { ref: 'v1', digest: single.digest, mediaType: manifest, platform: 'linux/amd64', index: null },
      { ref: 'multi', digest: multi.index.digest, mediaType: 'application/vnd.oci.image.index.v1+json', platform: null, index: null },
      { ref: 'multi', digest: multi.manifests[0]!.digest, mediaType: manifest, platform: 'linux/amd64', index: multi.index.digest },
      { ref: 'multi', digest: multi.manifests[1]!.digest, mediaType: manifest, platform: 'linux/arm64/v8', index: multi.index.digest },
      { ref: null, digest: unnamed.digest, mediaType: manifest, platform: 'linux/s390x', index: null },
    ]);
    // An image weighs more than its manifest; an index at least its manifests' images.
    expect(lines[0]!.size).toBeGreaterThan(single.size);
    expect(lines[1]!.size).toBeGreaterThan(lines[2]!.size! + multi.index.size);
  });

  it('prints aligned columns for people, "-" for no ref or no platform', async () => {
    const r = await runCli(['ls', l]);
    expect(r.code).toBe(ExitCode.Ok);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^REF +DIGEST +PLATFORM +SIZE +MEDIA TYPE$/);
    expect(rows).toHaveLength(6);
    for (const header of ['DIGEST', 'PLATFORM', 'SIZE', 'MEDIA TYPE']) {
      const column = rows[0]!.indexOf(header);
      for (const row of rows.slice(1)) expect(row[column - 1]).toBe(' ');
      for (const row of rows.slice(1)) expect(row[column]).not.toBe(' ');
    }
    expect(rows[1]).toMatch(new RegExp(`^v1 +${single.digest} +linux/amd64 +[0-9.]+ (B|KiB) +application/vnd\\.oci\\.image\\.manifest\\.v1\\+json$`));
    expect(rows[2]).toMatch(new RegExp(`^multi +${multi.index.digest} +- +`));
    expect(rows[5]).toMatch(new RegExp(`^- +${unnamed.digest} +linux/s390x +`));
  });

  it('lists an oci-archive file as it lists the layout directory', async () => {
    const archive = path.join(tmp, 'L.tar');
    execFileSync('tar', ['-C', l, '-cf', archive, '.']);
    const fromArchive = await runCli(['ls', '--json', archive]);
    expect(fromArchive.code).toBe(ExitCode.Ok);
    expect(fromArchive.stdout).toBe((await runCli(['ls', '--json', l])).stdout);
  });

  it('an empty layout: the header alone, or []', async () => {
    const empty = path.join(tmp, 'empty');
    await runCli(['init', empty]);
    expect((await runCli(['ls', empty])).stdout).toBe('REF  DIGEST  PLATFORM  SIZE  MEDIA TYPE\n');
    expect((await runCli(['ls', '--json', empty])).stdout).toBe('[]\n');
  });

  it('a missing layout is a usage error', async () => {
    const r = await runCli(['ls', path.join(tmp, 'nowhere')]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/\[LAYOUT_NOT_FOUND\]\n$/);
  });
});
