// Hostile files in a layout, read by validateLayout, unpack and pack alike:
// real FIFOs (a read would wait for a writer forever), documents past their
// limit, and reference names no other tool could name.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { Limits } from '@ocikit/validation';
import { BundleErrorCode } from '../errors.js';
import { pack } from '../pack/pack.js';
import { makeImage } from '../test-support/image.js';
import { unpack } from '../unpack/unpack.js';
import { Layout } from './layout.js';
import { validateLayout } from './validate-layout.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('hostile-files');
let L: string;
let image: { manifest: Descriptor; config: Descriptor; layer: Descriptor };
beforeEach(async () => {
  L = path.join(s.dir, 'L');
  const made = await makeImage(L, [[{ name: 'etc/', type: '5' }, { name: 'etc/hello', content: 'hello\n' }]], { ref: 'v1' });
  const manifest = JSON.parse(readFileSync(path.join(L, 'blobs/sha256', made.manifest.digest.slice(7)), 'utf8')) as { config: Descriptor };
  image = { manifest: made.manifest, config: manifest.config, layer: made.layers[0]! };
  // A bundle to pack: a rootfs and the least config.json pack reads.
  writeFileSync(path.join(s.dir, 'config.json'), JSON.stringify({ ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['/bin/sh'] } }));
  execFileSync('mkdir', ['-p', path.join(s.dir, 'rootfs/etc')]);
});

const blobFile = (d: Descriptor) => path.join(L, 'blobs/sha256', d.digest.slice('sha256:'.length));
/** Replace a file of the layout with a FIFO nobody ever writes to. */
function fifoInstead(file: string): void {
  unlinkSync(file);
  execFileSync('mkfifo', [file]);
}
const at = (name: string) => path.join(L, name);
const bundleDir = () => path.join(s.dir, 'bundle');
const findings = async () => {
  const r = await validateLayout(L);
  return r.errors.map((f) => `${f.code} ${f.path}: ${f.message}`);
};

describe('a FIFO in a layout is named, never waited on', () => {
  it('index.json: validate reports it, unpack and pack refuse it with NOT_A_REGULAR_FILE', async () => {
    fifoInstead(at('index.json'));
    expect(await findings()).toEqual(['LAYOUT_INDEX_MISSING index.json: expected an index.json file, found a FIFO']);
    const refusal = { name: 'FileError', code: 'NOT_A_REGULAR_FILE', message: `${JSON.stringify(at('index.json'))} is a FIFO, not a regular file` };
    await expect(unpack(L, bundleDir(), { ref: 'v1' })).rejects.toMatchObject(refusal);
    await expect(pack(s.dir, L, { ref: 'v2' })).rejects.toMatchObject(refusal);
    await expect((await Layout.open(L)).listRefs()).rejects.toMatchObject(refusal);
    expect(readdirSync(s.dir).sort()).toEqual(['L', 'config.json', 'rootfs']);
  });

  it('oci-layout: validate reports it, unpack and pack refuse it', async () => {
    fifoInstead(at('oci-layout'));
    expect(await findings()).toEqual(['LAYOUT_MARKER_MISSING oci-layout: expected an oci-layout file, found a FIFO']);
    const refusal = { code: 'NOT_A_REGULAR_FILE', message: `${JSON.stringify(at('oci-layout'))} is a FIFO, not a regular file` };
    await expect(unpack(L, bundleDir(), { ref: 'v1' })).rejects.toMatchObject(refusal);
    await expect(pack(s.dir, L, { ref: 'v2' })).rejects.toMatchObject(refusal);
  });

  it.each(['manifest', 'config', 'layer'] as const)('a %s blob: validate reports it, unpack refuses it naming the blob', async (which) => {
    const desc = image[which];
    fifoInstead(blobFile(desc));
    expect(await findings()).toContain(`LAYOUT_BLOB_PATH blobs/sha256/${desc.digest.slice(7)}: expected a regular file named by its digest, found a special file`);
    const refused = (await unpack(L, bundleDir(), { ref: 'v1' }).catch((e: unknown) => e)) as { code: string; message: string };
    expect(refused).toMatchObject({ code: BundleErrorCode.InvalidLayout });
    // A layer's refusal is placed in the layer: "layer sha256:…: blob …".
    expect(refused.message.endsWith(`blob ${desc.digest}: ${JSON.stringify(blobFile(desc))} is a FIFO, not a regular file`)).toBe(true);
    expect(existsSync(bundleDir())).toBe(false);
  });
});

describe('limits: the same in validate, unpack and pack, and named', () => {
  it(`a 5 MB index.json is larger than MAX_MANIFEST_BYTES (${Limits.ManifestBytes.value} bytes), not missing`, async () => {
    const index = JSON.parse(readFileSync(at('index.json'), 'utf8')) as { manifests: Descriptor[] };
    index.manifests[0]!.annotations = { ...index.manifests[0]!.annotations, 'com.example.padding': 'x'.repeat(5 << 20) };
    writeFileSync(at('index.json'), JSON.stringify(index));
    const size = readFileSync(at('index.json')).length;
    const said = `${JSON.stringify(at('index.json'))} is ${size} bytes, more than MAX_MANIFEST_BYTES (4194304 bytes)`;
    expect(await findings()).toEqual([`DOCUMENT_TOO_LARGE index.json: ${said}`]);
    const refusal = { name: 'FileError', code: 'FILE_TOO_LARGE', message: said, limit: Limits.ManifestBytes };
    await expect(unpack(L, bundleDir(), { ref: 'v1' })).rejects.toMatchObject(refusal);
    await expect(pack(s.dir, L, { ref: 'v2' })).rejects.toMatchObject(refusal);
  });

  it('a manifest blob over MAX_MANIFEST_BYTES: validate and unpack both refuse it by that name', async () => {
    const layout = await Layout.open(L);
    const manifest = JSON.parse(readFileSync(blobFile(image.manifest), 'utf8')) as Record<string, unknown>;
    const big = await layout.writeJson({ ...manifest, annotations: { 'com.example.padding': 'x'.repeat(5 << 20) } }, image.manifest.mediaType);
    await layout.setRef('big', big);
    expect(await findings()).toEqual([`DOCUMENT_TOO_LARGE blobs/sha256/${big.digest.slice(7)}: ${JSON.stringify(blobFile(big))} is ${big.size} bytes, more than MAX_MANIFEST_BYTES (4194304 bytes)`]);
    await expect(unpack(L, bundleDir(), { ref: 'big' })).rejects.toMatchObject({
      code: BundleErrorCode.InvalidDescriptor,
      message: `blob ${big.digest} is ${big.size} bytes, more than MAX_MANIFEST_BYTES (4194304 bytes) for a ${image.manifest.mediaType} document`,
    });
  });
});

describe('reference names are checked before they are written', () => {
  const rule = 'components [A-Za-z0-9]+ joined by one of "-._:@+" or "--", separated by "/"';

  it.each(['bad/ref!', '/abs', 'a//b', '-lead', 'trail-', 'a b', 'ä', ''])('setRef refuses %j with INVALID_REF_NAME and leaves index.json as it was', async (name) => {
    const before = readFileSync(at('index.json'));
    await expect((await Layout.open(L)).setRef(name, image.manifest)).rejects.toMatchObject({
      code: BundleErrorCode.InvalidRefName,
      message: `reference name ${JSON.stringify(name)} is not an org.opencontainers.image.ref.name: expected ${rule}`,
    });
    expect(readFileSync(at('index.json'))).toEqual(before);
  });

  it.each(['v1.0', 'a--b', 'a:b', 'a@b', 'a+b', 'x/y/z:1.0', 'A_b.c-d'])('setRef takes %j', async (name) => {
    const layout = await Layout.open(L);
    await layout.setRef(name, image.manifest);
    expect((await layout.listRefs()).map((r) => r.name)).toContain(name);
  });

  it('pack refuses a bad name before it reads or writes anything', async () => {
    const fresh = path.join(s.dir, 'fresh');
    await expect(pack(s.dir, fresh, { ref: 'bad/ref!' })).rejects.toMatchObject({ code: BundleErrorCode.InvalidRefName });
    expect(existsSync(fresh)).toBe(false);
  });
});
