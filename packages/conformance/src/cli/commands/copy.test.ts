import { beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { suiteScratch } from '@ocikit/testkit';
import { packImage, packIndex } from '../../test-support/layouts.js';
import { runCli, runCliOnTty } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexJson {
  manifests: (Descriptor & { annotations?: Record<string, string> })[];
}

describe('ocikit copy (built bin)', () => {
  const scratch = suiteScratch('cli-copy');
  let tmp: string;
  let src: string;
  let image: Descriptor;
  let multi: { index: Descriptor; manifests: Descriptor[] };
  const named = (layout: string, name: string) =>
    (JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as IndexJson).manifests.filter((d) => d.annotations?.[REF_NAME] === name).map((d) => d.digest);
  beforeAll(async () => {
    tmp = scratch.dir;
    src = path.join(tmp, 'src');
    image = await packImage(`${src}:v1`, tmp);
    multi = await packIndex(src, 'multi', tmp, ['linux/amd64', 'linux/arm64/v8']);
  });

  it('copies an image between layouts and says what it did', async () => {
    const dst = path.join(tmp, 'dst');
    const r = await runCli(['copy', `oci:${src}:v1`, `oci:${dst}:copied`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r.stdout).toBe(`copied ${image.digest} to oci:${dst}:copied: 1 manifest, 2 blobs copied (${r.stdout.match(/\(([^)]+)\)/)![1]}), 0 skipped\n`);
    expect(named(dst, 'copied')).toEqual([image.digest]);
    const again = await runCli(['copy', '--json', `oci:${src}:v1`, `oci:${dst}:copied`]);
    expect(again.code).toBe(ExitCode.Ok);
    expect(JSON.parse(again.stdout)).toMatchObject({ descriptor: { digest: image.digest }, manifests: 1, blobs: { copied: 0, skipped: 2, mounted: 0 }, bytes: 0 });
    const validated = await runCli(['validate', '--deep', dst]);
    expect([validated.code, validated.stderr]).toEqual([ExitCode.Ok, '']);
  });

  it('copies an index whole into an archive, and one platform back out of it', async () => {
    const tar = path.join(tmp, 'multi.tar');
    const whole = await runCli(['copy', '--json', '--jobs', '1', `oci:${src}:multi`, `oci-archive:${tar}:all`]);
    expect([whole.code, whole.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(whole.stdout)).toMatchObject({ descriptor: { digest: multi.index.digest }, manifests: 3 });
    const one = path.join(tmp, 'one');
    const arm = await runCli(['copy', '--json', '--platform', 'linux/arm64/v8', `oci-archive:${tar}:all`, `oci:${one}`]);
    expect([arm.code, arm.stderr]).toEqual([ExitCode.Ok, '']);
    expect(JSON.parse(arm.stdout)).toMatchObject({ descriptor: { digest: multi.manifests[1]!.digest }, manifests: 1 });
    expect(named(one, 'latest')).toEqual([multi.manifests[1]!.digest]);
    const none = await runCli(['copy', '--platform', 'windows/amd64', `oci-archive:${tar}:all`, `oci:${one}:win`]);
    expect(none.code).toBe(ExitCode.Failure);
    expect(none.stderr).toMatch(/^ocikit: copy: .*no manifest for windows\/amd64 \(it has: linux\/amd64, linux\/arm64\/v8\) \[NO_MATCHING_PLATFORM\]\n$/);
  });

  it('refuses a corrupt blob with exit 1 and leaves the destination index as it was', async () => {
    const bad = path.join(tmp, 'bad');
    const manifest = await packImage(`${bad}:v1`, tmp, { content: 'to be corrupted\n' });
    const m = JSON.parse(readFileSync(path.join(bad, 'blobs/sha256', manifest.digest.slice(7)), 'utf8')) as { layers: Descriptor[] };
    const layerFile = path.join(bad, 'blobs/sha256', m.layers[0]!.digest.slice(7));
    const bytes = readFileSync(layerFile);
    bytes[20] = bytes[20]! ^ 0xff;
    writeFileSync(layerFile, bytes);
    const dst = path.join(tmp, 'dst-bad');
    await runCli(['copy', `oci:${src}:v1`, `oci:${dst}:kept`]);
    const before = readFileSync(path.join(dst, 'index.json'));
    const r = await runCli(['copy', `oci:${bad}:v1`, `oci:${dst}:bad`]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/^ocikit: copy: .*blob sha256:[0-9a-f]{64}.* \[DIGEST_MISMATCH\]\n$/);
    expect(readFileSync(path.join(dst, 'index.json'))).toEqual(before);
    expect(readdirSync(dst).filter((n) => n.startsWith('.ocikit-tmp'))).toEqual([]);
  });

  it('makes usage errors of bad references and flags', async () => {
    const cases: [string[], RegExp][] = [
      [['copy', src, `oci:${tmp}/x`], /SRC .*names no transport; expected one of oci:PATH/],
      [['copy', `oci:${src}`, `dir:${tmp}/x`], /DST .*names transport "dir"/],
      [['copy', `oci:${src}`, 'docker://Bad/Name'], /DST "docker:\/\/Bad\/Name"/],
      [['copy', `oci:${src}`, 'docker:busybox'], /docker:\/\/HOST\[:PORT\]\/REPO/],
      [['copy', '--jobs', '0', `oci:${src}`, `oci:${tmp}/x`], /--jobs must be a whole number/],
      [['copy', '--platform', 'linux', `oci:${src}`, `oci:${tmp}/x`], /--platform must be OS\/ARCH/],
      [['copy', `oci:${src}`], /name SRC and DST/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect([r.code, r.stdout]).toEqual([ExitCode.Usage, '']);
      expect(r.stderr).toMatch(message);
    }
    const json = await runCli(['copy', '--json', `oci:${src}`, 'docker://Bad/Name']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { status: ExitCode.Usage, code: 'USAGE' } });
  });

  it('names the transport that fits a path of the wrong kind (exit 2)', async () => {
    const tar = path.join(tmp, 'kind.tar');
    expect((await runCli(['copy', `oci:${src}:v1`, `oci-archive:${tar}`])).code).toBe(ExitCode.Ok);
    const fileAsLayout = await runCli(['copy', `oci:${tar}`, `oci:${tmp}/kind-out`]);
    expect(fileAsLayout.code).toBe(ExitCode.Usage);
    expect(fileAsLayout.stderr).toContain(`is a file; an oci-archive file is named oci-archive:${tar}`);
    const dirAsArchive = await runCli(['copy', `oci:${src}:v1`, `oci-archive:${src}`]);
    expect(dirAsArchive.code).toBe(ExitCode.Usage);
    expect(dirAsArchive.stderr).toContain(`is a directory; an image layout directory is named oci:${src}`);
  });

  it('writes the same archive twice under SOURCE_DATE_EPOCH', async () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    for (const name of ['r1.tar', 'r2.tar']) expect((await runCli(['copy', `oci:${src}:multi`, `oci-archive:${path.join(tmp, name)}:m`], { env })).code).toBe(ExitCode.Ok);
    expect(readFileSync(path.join(tmp, 'r1.tar')).equals(readFileSync(path.join(tmp, 'r2.tar')))).toBe(true);
  });

  it('shows per-blob progress on a terminal only', async () => {
    const piped = await runCli(['copy', `oci:${src}:v1`, `oci:${tmp}/piped`]);
    expect(piped.stderr).toBe('');
    const tty = await runCliOnTty(['copy', `oci:${src}:v1`, `oci:${tmp}/tty`]);
    expect(tty.code).toBe(ExitCode.Ok);
    const redraws = tty.screen.split('\r\u001b[K');
    expect(redraws.some((l) => /^\d+ blobs through; (done|skipped) sha256:[0-9a-f]{12} \[#+\] [\d.]+ (B|KiB|MiB)\/[\d.]+ (B|KiB|MiB)/.test(l))).toBe(true);
    expect(tty.screen).toMatch(/copied sha256:[0-9a-f]{64}/);
  });
});
