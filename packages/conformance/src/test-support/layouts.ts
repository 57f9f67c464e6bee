/** Image layouts for the CLI's tests, made the way users make them: with the built `ocikit pack`. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Layout } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { runCli } from './run-cli.js';
import { writeHelloBundle } from './scratch.js';

export interface TestImage {
  /** `os/arch[/variant]` the image is for (default: this host's). */
  platform?: string;
  env?: string[];
  /** Image config labels (bundle annotations become labels when packed). */
  labels?: Record<string, string>;
  /** Content of the image's one file, so that images differ in their layer. */
  content?: string;
}

let bundles = 0;

/** Pack a one-file image into `image` (LAYOUT:REF, or an archive with `--format archive` in `extra`); returns its manifest's descriptor. */
export async function packImage(image: string, work: string, spec: TestImage = {}, extra: string[] = []): Promise<Descriptor> {
  const [os, architecture, variant] = spec.platform?.split('/') ?? [];
  const annotations = {
    ...spec.labels,
    ...(os !== undefined && { 'org.opencontainers.image.os': os }),
    ...(architecture !== undefined && { 'org.opencontainers.image.architecture': architecture }),
    ...(variant !== undefined && { 'org.opencontainers.image.variant': variant }),
  };
  const bundle = writeHelloBundle(path.join(work, `bundle-${++bundles}`), {
    ociVersion: '1.2.0',
    root: { path: 'rootfs' },
    process: { args: ['/bin/sh'], cwd: '/', env: spec.env ?? ['PATH=/bin'], user: { uid: 0, gid: 0 } },
    annotations,
  });
  if (spec.content !== undefined) writeFileSync(path.join(bundle, 'rootfs/etc/hello'), spec.content);
  const r = await runCli(['pack', '--json', ...extra, '--image', image, bundle], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  if (r.code !== 0) throw new Error(`ocikit pack ${image} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { manifest: Descriptor }).manifest;
}

/** LAYOUT:REF as an image index of one packed image per platform; the refs packing needed are removed again. */
export async function packIndex(layout: string, ref: string, work: string, platforms: string[]): Promise<{ index: Descriptor; manifests: Descriptor[] }> {
  const manifests: Descriptor[] = [];
  for (const [i, platform] of platforms.entries()) {
    const manifest = await packImage(`${layout}:${ref}-part${i}`, work, { platform, content: `for ${platform}\n` });
    const [os, architecture, variant] = platform.split('/') as [string, string, string?];
    manifests.push({ ...manifest, platform: { os, architecture, ...(variant !== undefined && { variant }) } });
  }
  const store = await Layout.open(layout);
  const index = await store.writeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, 'application/vnd.oci.image.index.v1+json');
  await store.setRef(ref, index);
  for (const i of platforms.keys()) await store.removeRef(`${ref}-part${i}`);
  return { index, manifests };
}

/** Every blob digest of a layout directory, sorted. */
export function blobsOf(layout: string): string[] {
  const root = path.join(layout, 'blobs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .flatMap((alg) => readdirSync(path.join(root, alg)).map((enc) => `${alg}:${enc}`))
    .sort();
}
