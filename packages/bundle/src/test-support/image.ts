/** Build small image layouts for tests, layer by layer, with our own Layout. */
import { gzipSync } from 'node:zlib';
import type { Descriptor } from '@ocikit/image-spec';
import { Layout } from '../store/layout.js';
import { sha256, tarArchive, type TestEntry } from './tar-writer.js';

export interface TestImageOptions {
  ref?: string;
  /** Image config `config` section. */
  config?: { [key: string]: unknown };
  /** Extra top-level config fields (os.version, variant...). */
  configExtra?: { [key: string]: unknown };
  /** Layer compression (default gzip). */
  compression?: 'gzip' | 'none';
  /** Override diff_ids (to break them). */
  diffIds?: string[];
  /** Override a layer's media type. */
  layerMediaType?: string;
  architecture?: string;
  /** Write a Docker schema 2 image (Docker media types for manifest, config and layers). */
  docker?: boolean;
}

export const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

export async function makeImage(dir: string, layers: (TestEntry[] | Buffer)[], options: TestImageOptions = {}): Promise<{ layout: Layout; manifest: Descriptor; layers: Descriptor[] }> {
  const layout = await Layout.create(dir);
  const image = await writeImage(layout, layers, options);
  await layout.setRef(options.ref ?? 'latest', image.manifest);
  return { layout, ...image };
}

/** An image's blobs and manifest, written into `layout` without naming it. */
export async function writeImage(layout: Layout, layers: (TestEntry[] | Buffer)[], options: TestImageOptions = {}): Promise<{ manifest: Descriptor; layers: Descriptor[] }> {
  const layerDescs: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const l of layers) {
    const tar = Buffer.isBuffer(l) ? l : tarArchive(l);
    const gzip = (options.compression ?? 'gzip') === 'gzip';
    const blob = gzip ? gzipSync(tar) : tar;
    const w = await layout.writeBlob(blob);
    layerDescs.push({ mediaType: options.layerMediaType ?? (options.docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : gzip ? LAYER_GZIP : LAYER_TAR), digest: w.digest, size: w.size });
    diffIds.push(sha256(tar));
  }
  const config = {
    architecture: options.architecture ?? 'amd64',
    os: 'linux',
    config: options.config ?? {},
    rootfs: { type: 'layers', diff_ids: options.diffIds ?? diffIds },
    ...options.configExtra,
  };
  const configDesc = await layout.writeJson(config, options.docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json');
  const manifestType = options.docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = await layout.writeJson({ schemaVersion: 2, mediaType: manifestType, config: configDesc, layers: layerDescs }, manifestType);
  return { manifest, layers: layerDescs };
}

/**
 * An image index named `ref` (default latest) of one one-layer image per
 * platform (`os/arch[/variant]`, stated in the index and in each config).
 */
export async function makeIndex(dir: string, platforms: string[], ref = 'latest'): Promise<{ layout: Layout; index: Descriptor; manifests: Descriptor[] }> {
  const layout = await Layout.create(dir);
  const manifests: Descriptor[] = [];
  for (const p of platforms) {
    const [os, architecture, variant] = p.split('/') as [string, string, string?];
    const { manifest } = await writeImage(layout, [[{ name: 'platform', content: p }]], { architecture, configExtra: { os, ...(variant !== undefined && { variant }) } });
    manifests.push({ ...manifest, platform: { os, architecture, ...(variant !== undefined && { variant }) } });
  }
  const index = await layout.writeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, 'application/vnd.oci.image.index.v1+json');
  await layout.setRef(ref, index);
  return { layout, index, manifests };
}

export { scratch } from '@ocikit/testkit';
