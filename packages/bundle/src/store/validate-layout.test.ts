import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { digestOf } from '@ocikit/digest';
import { tarArchive } from '../test-support/tar-writer.js';
import { ownerToken } from '../fs/owner.js';
import { scratchFile, scratchName, ScratchPurpose } from '../fs/scratch.js';
import { deadPid } from '../test-support/child.js';
import { validateLayout } from './validate-layout.js';
import { describeWithPeers } from '@ocikit/testkit';

// Layouts made by the real tools: umoci builds an image with one layer,
// skopeo copies it. Each test corrupts a copy in one way.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ocikit-validate-layout-'));
const run = (cmd: string, args: string[], cwd = tmp) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

interface Made {
  umoci: string;
  skopeo: string;
}
let made: Made;

describeWithPeers(['umoci', 'skopeo'], 'layouts made by umoci and skopeo', () => {
  beforeAll(() => {
    run('umoci', ['init', '--layout', 'umoci']);
    run('umoci', ['new', '--image', 'umoci:v1']);
    run('umoci', ['unpack', '--rootless', '--image', 'umoci:v1', 'bundle']);
    writeFileSync(path.join(tmp, 'bundle/rootfs/hello.txt'), 'hello from ocikit\n');
    run('umoci', ['repack', '--image', 'umoci:v1', 'bundle']);
    run('umoci', ['config', '--image', 'umoci:v1', '--config.cmd', '/bin/cat', '--config.cmd', '/hello.txt']);
    run('umoci', ['gc', '--layout', 'umoci']);
    run('skopeo', ['copy', '-q', 'oci:umoci:v1', 'oci:skopeo:v1']);
    made = { umoci: path.join(tmp, 'umoci'), skopeo: path.join(tmp, 'skopeo') };
  });

  function copyOf(which: keyof Made): string {
    const dir = mkdtempSync(path.join(tmp, `${which}-`));
    cpSync(made[which], dir, { recursive: true });
    return dir;
  }

  function manifestOf(dir: string): { file: string; doc: { config: { digest: string; size: number; mediaType: string }; layers: { digest: string; size: number; mediaType: string }[] } } {
    const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const file = path.join(dir, 'blobs', ...index.manifests[0]!.digest.split(':'));
    return { file, doc: JSON.parse(readFileSync(file, 'utf8')) };
  }

  const codes = (r: { errors: { code: string }[] }) => r.errors.map((e) => e.code);

  describe('validateLayout', () => {
    it.each(['umoci', 'skopeo'] as const)('finds a layout made by %s valid, layers included (--deep)', async (which) => {
      const r = await validateLayout(made[which], { deep: true });
      expect(r.errors).toEqual([]);
      expect(r.valid).toBe(true);
    });

    it('warns about temp files a killed writer left, and not about a live writer\'s', async () => {
      const dir = copyOf('skopeo');
      const mine = scratchFile(dir);
      writeFileSync(mine.path, 'being written');
      const left = scratchName(ScratchPurpose.Temp).replace(`-${ownerToken()}-`, `-${deadPid()}-`);
      writeFileSync(path.join(dir, left), 'partial blob');
      const r = await validateLayout(dir);
      expect(r.valid).toBe(true);
      expect(r.warnings.filter((w) => w.code === 'LAYOUT_LEFTOVER_SCRATCH').map((w) => w.path)).toEqual([left]);
      mine.dispose();
    });

    it('reports one flipped byte in a layer blob', async () => {
      const dir = copyOf('skopeo');
      const layer = manifestOf(dir).doc.layers[0]!;
      const file = path.join(dir, 'blobs', ...layer.digest.split(':'));
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
      writeFileSync(file, bytes);
      const r = await validateLayout(dir);
      expect(r.valid).toBe(false);
      expect(r.errors).toContainEqual(expect.objectContaining({ code: 'BLOB_DIGEST_MISMATCH', path: `blobs/${layer.digest.replace(':', '/')}` }));
    });

    it('reports a missing blob at the descriptor that names it', async () => {
      const dir = copyOf('skopeo');
      const { doc } = manifestOf(dir);
      rmSync(path.join(dir, 'blobs', ...doc.layers[0]!.digest.split(':')));
      const r = await validateLayout(dir);
      expect(codes(r)).toContain('BLOB_MISSING');
      expect(r.errors.find((e) => e.code === 'BLOB_MISSING')!.path).toMatch(/#\/layers\/0$/);
    });

    it('reports a descriptor whose size is wrong', async () => {
      const dir = copyOf('skopeo');
      const { file, doc } = manifestOf(dir);
      doc.layers[0]!.size += 1;
      rewriteManifest(dir, file, doc);
      const r = await validateLayout(dir);
      expect(codes(r)).toContain('BLOB_SIZE_MISMATCH');
    });

    it('reports a dangling ref in index.json', async () => {
      const dir = copyOf('umoci');
      const indexFile = path.join(dir, 'index.json');
      const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { manifests: { digest: string }[] };
      index.manifests[0]!.digest = digestOf('no such manifest');
      writeFileSync(indexFile, JSON.stringify(index));
      const r = await validateLayout(dir);
      expect(r.errors).toContainEqual(expect.objectContaining({ code: 'BLOB_MISSING', path: 'index.json#/manifests/0' }));
    });

    it('reports a layer whose media type does not match its content (--deep)', async () => {
      const dir = copyOf('skopeo');
      const { file, doc } = manifestOf(dir);
      doc.layers[0]!.mediaType = 'application/vnd.oci.image.layer.v1.tar+zstd';
      rewriteManifest(dir, file, doc);
      const r = await validateLayout(dir, { deep: true });
      expect(codes(r)).toContain('LAYER_MEDIA_TYPE_MISMATCH');
    });

    it('reports a layer whose diff_id is wrong, and unsafe names in it (--deep)', async () => {
      const dir = copyOf('skopeo');
      const { file, doc } = manifestOf(dir);
      // A gzip tar holding "../escape" and a bare whiteout, written by hand.
      const layer = gzipSync(Buffer.concat([tarHeader('../escape'), tarHeader('dir/.wh.'), Buffer.alloc(1024)]));
      const layerDigest = digestOf(layer);
      writeFileSync(path.join(dir, 'blobs', ...layerDigest.split(':')), layer);
      doc.layers[0] = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length };
      rewriteManifest(dir, file, doc);
      const r = await validateLayout(dir, { deep: true });
      expect(codes(r)).toEqual(expect.arrayContaining(['LAYER_UNSAFE_PATH', 'LAYER_BARE_WHITEOUT', 'LAYER_DIFF_ID_MISMATCH']));
    });

    it('warns (SHOULD) about absolute names and hardlink targets and a missing end-of-archive marker; a hardlink climbing out is an error (--deep)', async () => {
      const dir = copyOf('skopeo');
      const { file, doc } = manifestOf(dir);
      // As GNU tar -P and umoci 0.4.7 insert write them; cut after the last entry.
      const tar = tarArchive(
        [
          { name: '/', type: '5' },
          { name: '/etc/x', content: 'x' },
          { name: 'etc/hl', type: '1', linkname: '/etc/x' },
          { name: 'etc/sl', type: '2', linkname: '/etc/x' },
          { name: 'etc/out', type: '1', linkname: '../../x' },
        ],
        { end: false },
      );
      const layer = gzipSync(tar);
      const layerDigest = digestOf(layer);
      writeFileSync(path.join(dir, 'blobs', ...layerDigest.split(':')), layer);
      doc.layers[0] = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length };
      const config = JSON.parse(readFileSync(path.join(dir, 'blobs', ...doc.config.digest.split(':')), 'utf8')) as { rootfs: { diff_ids: string[] } };
      config.rootfs.diff_ids = [digestOf(tar)];
      const configBytes = Buffer.from(JSON.stringify(config));
      writeFileSync(path.join(dir, 'blobs', ...digestOf(configBytes).split(':')), configBytes);
      doc.config = { ...doc.config, digest: digestOf(configBytes), size: configBytes.length };
      rewriteManifest(dir, file, doc);
      const r = await validateLayout(dir, { deep: true });
      const blob = `blobs/${layerDigest.replace(':', '/')}`;
      const layerWarnings = r.warnings.filter((w) => w.code.startsWith('LAYER_'));
      expect(layerWarnings.map((w) => [w.path, w.code, w.level])).toEqual([
        [blob, 'LAYER_ABSOLUTE_PATH', 'SHOULD'],
        [blob, 'LAYER_ABSOLUTE_PATH', 'SHOULD'],
        [blob, 'LAYER_ABSOLUTE_LINK', 'SHOULD'],
        [blob, 'LAYER_TAR_UNTERMINATED', 'SHOULD'],
      ]);
      expect(layerWarnings[1]!.message).toBe('expected a name relative to the root, found "/etc/x" (unpacked as "etc/x")');
      expect(layerWarnings[1]!.ref).toMatch(/layer\.md#populate-initial-filesystem$/);
      expect(r.errors.map((e) => [e.path, e.code, e.message])).toEqual([
        [blob, 'LAYER_UNSAFE_PATH', 'entry "etc/out": hardlink target "../../x" has a ".." component, which could climb out of the root'],
      ]);
    });

    it('reports blobs that nothing references, as warnings', async () => {
      const dir = copyOf('umoci');
      const stray = Buffer.from('stray');
      writeFileSync(path.join(dir, 'blobs/sha256', digestOf(stray).slice('sha256:'.length)), stray);
      const r = await validateLayout(dir);
      expect(r.valid).toBe(true);
      expect(r.warnings.map((w) => w.code)).toContain('BLOB_UNREFERENCED');
    });

    it('reports a blob that is not named blobs/<alg>/<encoded>', async () => {
      const dir = copyOf('umoci');
      writeFileSync(path.join(dir, 'blobs/sha256/not-a-digest'), 'x');
      const r = await validateLayout(dir);
      expect(codes(r)).toContain('LAYOUT_BLOB_PATH');
    });

    it('checks no diff_id or tar stream in the layers of an artifact, and still follows them (--deep)', async () => {
      const dir = copyOf('umoci');
      const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: { mediaType: string; digest: string; size: number }[] };
      const put = (bytes: Buffer) => {
        const digest = digestOf(bytes);
        writeFileSync(path.join(dir, 'blobs', ...digest.split(':')), bytes);
        return { digest, size: bytes.length };
      };
      const empty = { mediaType: 'application/vnd.oci.empty.v1+json', ...put(Buffer.from('{}')) };
      const payload = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', ...put(Buffer.from('{"critical":{}}')) };
      const subject = index.manifests[0]!;
      const artifact = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.sig', config: empty, layers: [payload], subject }));
      index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(artifact) });
      writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
      const result = await validateLayout(dir, { deep: true });
      expect(result.errors).toEqual([]);
      expect(result.warnings.map((w) => w.code)).not.toContain('LAYER_MEDIA_TYPE_UNKNOWN');
      expect(result.warnings.map((w) => w.code)).not.toContain('BLOB_UNREFERENCED');
      // The artifact's layers are still followed: a missing one is reported.
      rmSync(path.join(dir, 'blobs', ...payload.digest.split(':')));
      expect(codes(await validateLayout(dir, { deep: true }))).toContain('BLOB_MISSING');
    });

    it('reports a missing oci-layout file', async () => {
      const dir = copyOf('umoci');
      rmSync(path.join(dir, 'oci-layout'));
      expect(codes(await validateLayout(dir))).toContain('LAYOUT_MARKER_MISSING');
      expect(readdirSync(dir)).toContain('index.json');
    });
  });
});

/** Write a changed manifest as a new blob and point index.json at it. */
function rewriteManifest(dir: string, oldFile: string, doc: unknown): void {
  const bytes = Buffer.from(JSON.stringify(doc));
  const digest = digestOf(bytes);
  writeFileSync(path.join(dir, 'blobs', ...digest.split(':')), bytes);
  rmSync(oldFile);
  const indexFile = path.join(dir, 'index.json');
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { manifests: { digest: string; size: number }[] };
  index.manifests[0]!.digest = digest;
  index.manifests[0]!.size = bytes.length;
  writeFileSync(indexFile, JSON.stringify(index));
}

/** A ustar header for an empty regular file. */
function tarHeader(name: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write('00000000000\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}
