/**
 * `ocikit referrers` against a real docker-registry (distribution 2.8 has no
 * referrers API: the fallback tag answers) and on a layout.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describeWithPeers, startRegistry, suiteScratch, type RunningRegistry } from '@ocikit/testkit';
import { Layout } from '@ocikit/bundle';
import { RegistryClient, referrersTag } from '@ocikit/distribution';
import type { Descriptor } from '@ocikit/image-spec';
import { packImage } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const SBOM = 'application/vnd.example.sbom+json';
const SIGNATURE = 'application/vnd.example.signature';
const EMPTY = Buffer.from('{}');
const emptyConfig: Descriptor = { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${createHash('sha256').update(EMPTY).digest('hex')}`, size: EMPTY.length };

/** An artifact manifest that refers to `subject` (image-spec manifest.md "subject"). */
function artifactOf(subject: Descriptor, artifactType: string, note: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: emptyConfig,
      layers: [emptyConfig],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: { note },
    }),
  );
}

describeWithPeers(['docker-registry', 'skopeo'], 'ocikit referrers (built bin, real registry and layout)', () => {
  const scratch = suiteScratch('cli-referrers');
  let registry: RunningRegistry;
  let l: string;
  let v1: Descriptor;
  const referrers: Descriptor[] = [];
  const cli = (args: string[]) => runCli(args, { env: { HOME: scratch.dir, XDG_RUNTIME_DIR: scratch.dir, XDG_CONFIG_HOME: path.join(scratch.dir, 'config') } });
  const image = (repoAndRef: string) => `docker://${registry.host}/${repoAndRef}`;

  beforeAll(async () => {
    registry = await startRegistry();
    l = path.join(scratch.dir, 'L');
    v1 = await packImage(`${l}:v1`, scratch.dir);
    await packImage(`${l}:lonely`, scratch.dir, { content: 'nobody refers to me\n' });
    execFileSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${l}:v1`, image('app:v1')]);
    // Two referrers pushed with the distribution client, as a signer would.
    const client = new RegistryClient(registry.host, { tlsVerify: false });
    try {
      const repo = client.repository('app');
      await repo.pushBlob(emptyConfig, () => Readable.from([EMPTY]));
      for (const [type, note] of [[SBOM, 'sbom'], [SIGNATURE, 'signature']] as const) {
        const bytes = artifactOf(v1, type, note);
        const desc = await repo.putManifest(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes, 'application/vnd.oci.image.manifest.v1+json');
        referrers.push({ ...desc, artifactType: type, annotations: { note } });
      }
    } finally {
      client.close();
    }
    // The same two in the layout.
    const layout = await Layout.open(l);
    await layout.writeBlob(EMPTY);
    for (const [type, note] of [[SBOM, 'sbom'], [SIGNATURE, 'signature']] as const) await layout.writeBlob(artifactOf(v1, type, note));
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const byDigest = (a: Descriptor, b: Descriptor) => a.digest.localeCompare(b.digest);

  it('docker://: lists them through the fallback tag, as JSON and as a table', async () => {
    // No referrers API in this registry: the client kept the fallback tag.
    const tags = await cli(['list-tags', '--tls-verify=false', image('app')]);
    expect(JSON.parse(tags.stdout)).toEqual({ Repository: `${registry.host}/app`, Tags: [referrersTag(v1.digest), 'v1'].sort() });
    const r = await cli(['referrers', '--json', '--tls-verify=false', image('app:v1')]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    const found = JSON.parse(r.stdout) as Descriptor[];
    expect(found.map(({ mediaType, digest, size, artifactType }) => ({ mediaType, digest, size, artifactType })).sort(byDigest)).toEqual(
      referrers.map(({ mediaType, digest, size, artifactType }) => ({ mediaType, digest, size, artifactType })).sort(byDigest),
    );
    const table = await cli(['referrers', '--tls-verify=false', image(`app@${v1.digest}`)]);
    expect(table.code).toBe(ExitCode.Ok);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DIGEST +ARTIFACT TYPE +MEDIA TYPE +SIZE$/);
    expect(lines.slice(1).map((x) => x.split(/ +/)[0]).sort()).toEqual(referrers.map((x) => x.digest).sort());
  });

  it('docker://: --artifact-type filters; an image without referrers prints nothing; an unknown tag is MANIFEST_UNKNOWN', async () => {
    const sbom = JSON.parse((await cli(['referrers', '--json', '--artifact-type', SBOM, '--tls-verify=false', image('app:v1')])).stdout) as Descriptor[];
    expect(sbom.map((x) => x.digest)).toEqual(referrers.filter((x) => x.artifactType === SBOM).map((x) => x.digest));
    const none = await cli(['referrers', '--tls-verify=false', image(`app@${referrers[0]!.digest}`)]);
    expect([none.code, none.stdout, none.stderr]).toEqual([ExitCode.Ok, '', '']);
    const unknown = await cli(['referrers', '--tls-verify=false', image('app:nope')]);
    expect(unknown.code).toBe(ExitCode.Failure);
    expect(unknown.stderr).toMatch(/^ocikit: referrers: [^\n]*\[MANIFEST_UNKNOWN\]\n$/);
  });

  it('oci:LAYOUT:REF: the same referrers, found in the layout\'s blobs', async () => {
    const r = await cli(['referrers', '--json', `oci:${l}:v1`]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect((JSON.parse(r.stdout) as Descriptor[]).map((x) => [x.digest, x.artifactType]).sort()).toEqual(referrers.map((x) => [x.digest, x.artifactType]).sort());
    const sig = JSON.parse((await cli(['referrers', '--json', '--artifact-type', SIGNATURE, `oci:${l}@${v1.digest}`])).stdout) as Descriptor[];
    expect(sig.map((x) => x.digest)).toEqual(referrers.filter((x) => x.artifactType === SIGNATURE).map((x) => x.digest));
    expect(JSON.parse((await cli(['referrers', '--json', `oci:${l}:lonely`])).stdout)).toEqual([]);
    const missing = await cli(['referrers', `oci:${l}:nope`]);
    expect(missing.code).toBe(ExitCode.Failure);
    expect(missing.stderr).toMatch(/\[REF_NOT_FOUND\]\n$/);
  });
});
