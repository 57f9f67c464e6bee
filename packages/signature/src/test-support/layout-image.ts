/** A small real image in a new layout, for tests that sign in layouts. */
import { gzipSync } from 'node:zlib';
import { Layout } from '@ocikit/bundle';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { sha256Digest } from './cosign.js';

/** A one-layer image (a gzip tar holding one file) named `ref` in a new layout at `dir`. */
export async function makeLayoutImage(dir: string, ref = 'v1'): Promise<{ layout: Layout; manifest: Descriptor }> {
  const layout = await Layout.create(dir);
  const header = Buffer.alloc(512);
  header.write('hello.txt', 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write('00000000005\0', 124);
  header.write('00000000000\0', 136);
  header.write('0', 156);
  header.write('ustar\x0000', 257);
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const data = Buffer.alloc(512);
  data.write('hello');
  const tar = Buffer.concat([header, data, Buffer.alloc(1024)]);
  const gz = gzipSync(tar);
  const layer = { mediaType: MediaType.ImageLayerGzip, ...(await layout.writeBlob(gz)) };
  const config = await layout.writeJson({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] } }, MediaType.ImageConfig);
  const manifest = await layout.writeJson({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [layer] }, MediaType.ImageManifest);
  await layout.setRef(ref, manifest);
  return { layout, manifest };
}
