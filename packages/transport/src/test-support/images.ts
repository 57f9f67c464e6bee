/** Small real image layouts for transport's tests, written with @ocikit/bundle's public Layout. */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Layout, TAR_END, tarHeader, tarPadding, TarEntryType } from '@ocikit/bundle';
import { MediaType, type Descriptor } from '@ocikit/image-spec';

/** A gzip'd tar holding one file `name` with `content`. */
export function layerOf(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const tar = Buffer.concat([tarHeader({ name, type: TarEntryType.File, mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 1700000000 }), body, Buffer.alloc(tarPadding(body.length)), TAR_END]);
  return gzipSync(tar);
}

function diffId(layer: Buffer): string {
  return `sha256:${createHash('sha256').update(gunzipSync(layer)).digest('hex')}`;
}

/** Write a one-layer image for `platform` (`os/arch[/variant]`) into `layout`, unnamed; returns its manifest's descriptor. */
export async function writeImage(layout: Layout, platform = 'linux/amd64', content = platform): Promise<{ manifest: Descriptor; layer: Descriptor; config: Descriptor }> {
  const [os_, architecture, variant] = platform.split('/') as [string, string, string?];
  const blob = layerOf('hello', content);
  const w = await layout.writeBlob(blob);
  const layer = { mediaType: MediaType.ImageLayerGzip, digest: w.digest, size: w.size } as Descriptor;
  const config = await layout.writeJson(
    { architecture, os: os_, ...(variant !== undefined && { variant }), config: {}, rootfs: { type: 'layers', diff_ids: [diffId(blob)] } },
    MediaType.ImageConfig,
  );
  const manifest = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [layer] }, MediaType.ImageManifest);
  return { manifest, layer, config };
}

/** A layout at `dir` with a one-layer image named `ref`. */
export async function makeImage(dir: string, ref = 'latest', platform = 'linux/amd64'): Promise<{ layout: Layout; manifest: Descriptor; layer: Descriptor; config: Descriptor }> {
  const layout = await Layout.create(dir);
  const image = await writeImage(layout, platform);
  await layout.setRef(ref, image.manifest);
  return { layout, ...image };
}

/** A layout at `dir` with an index of one image per platform, named `ref`. */
export async function makeIndex(dir: string, platforms: string[], ref = 'latest'): Promise<{ layout: Layout; index: Descriptor; manifests: Descriptor[] }> {
  const layout = await Layout.create(dir);
  const manifests: Descriptor[] = [];
  for (const p of platforms) {
    const [os_, architecture, variant] = p.split('/') as [string, string, string?];
    const { manifest } = await writeImage(layout, p);
    manifests.push({ ...manifest, platform: { os: os_, architecture, ...(variant !== undefined && { variant }) } });
  }
  const index = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests }, MediaType.ImageIndex);
  await layout.setRef(ref, index);
  return { layout, index, manifests };
}

/** An artifact manifest referring to `subject` (a signature-like referrer), unnamed. */
export async function writeReferrer(layout: Layout, subject: Descriptor, artifactType: string, text: string): Promise<Descriptor> {
  const payload = await layout.writeBlob(Buffer.from(text));
  const empty = await layout.writeBlob(Buffer.from('{}'));
  return layout.writeJson(
    {
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: empty.size },
      layers: [{ mediaType: 'text/plain', digest: payload.digest, size: payload.size }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    },
    MediaType.ImageManifest,
  );
}
