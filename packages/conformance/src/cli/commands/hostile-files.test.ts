// What `ocikit validate`, `unpack` and `pack` say about hostile files, run as
// users run them (the built bin): real FIFOs, megabytes of data, layers
// thousands of levels deep, a read-only filesystem, reference names no other
// tool could read. Each answer is one line naming the file and the rule.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Layout, tarHeader, TAR_END, TarEntryType } from '@ocikit/bundle';
import { describeWithPeers, itWithPeers } from '@ocikit/testkit';
import { OCIKIT_BIN, runCli } from '../../test-support/run-cli.js';
import { scratchDir, writeHelloBundle } from '../../test-support/scratch.js';
import { ExitCode } from '../exit-codes.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const RULE = 'components [A-Za-z0-9]+ joined by one of "-._:@+" or "--", separated by "/"';

let tmp: string;
let bundle: string;
/** A layout holding the hello bundle packed as `L:v1`. */
let L: string;
beforeAll(async () => {
  tmp = scratchDir('cli-hostile');
  bundle = writeHelloBundle(path.join(tmp, 'bundle'), { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { args: ['/bin/hello'], cwd: '/' } });
  L = path.join(tmp, 'L');
  const r = await runCli(['pack', '--image', `${L}:v1`, bundle]);
  expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the layout `L` under a new name. */
function copyOfL(name: string): string {
  const copy = path.join(tmp, name);
  cpSync(L, copy, { recursive: true });
  return copy;
}
/** Replace `file` with a FIFO that nobody ever opens for writing. */
function fifoInstead(file: string): void {
  unlinkSync(file);
  execFileSync('mkfifo', [file]);
}
const manifestOf = (layout: string) => (JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]!.digest;

describe('FIFOs are named and refused, never waited on', () => {
  it('validate FIFO: exit 2, one line naming it', async () => {
    const fifo = path.join(tmp, 'doc.json');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['validate', fifo]);
    expect([r.code, r.stdout, r.stderr]).toEqual([ExitCode.Usage, '', `ocikit: validate: ${JSON.stringify(fifo)} is a FIFO, not a regular file (standard input takes a stream: -) [PATH_UNSUPPORTED]\n`]);
  });

  it.each(['index.json', 'oci-layout'])('a layout whose %s is a FIFO: validate reports it, unpack and pack refuse it on one line', async (name) => {
    const layout = copyOfL(`fifo-${name}`);
    fifoInstead(path.join(layout, name));
    const v = await runCli(['validate', '--type', 'image-layout', layout]);
    expect(v.code).toBe(ExitCode.Failure);
    expect(v.stdout).toContain(`error ${name}: expected an ${name} file, found a FIFO`);
    const said = `${JSON.stringify(path.join(layout, name))} is a FIFO, not a regular file [NOT_A_REGULAR_FILE]\n`;
    const u = await runCli(['unpack', '--image', `${layout}:v1`, path.join(tmp, `fifo-${name}-bundle`)]);
    expect([u.code, u.stderr]).toEqual([ExitCode.Failure, `ocikit: unpack: ${said}`]);
    const p = await runCli(['pack', '--image', `${layout}:v2`, bundle]);
    expect([p.code, p.stderr]).toEqual([ExitCode.Failure, `ocikit: pack: ${said}`]);
    expect(readdirSync(tmp).filter((n) => n.includes(`fifo-${name}-bundle`) || n.startsWith('.ocikit-unpack'))).toEqual([]);
  });

  it('a layout whose manifest blob is a FIFO: validate reports it, unpack refuses it naming the blob', async () => {
    const layout = copyOfL('fifo-blob');
    const digest = manifestOf(layout);
    const blob = path.join(layout, 'blobs', ...digest.split(':'));
    fifoInstead(blob);
    const v = await runCli(['validate', layout]);
    expect(v.code).toBe(ExitCode.Failure);
    expect(v.stdout).toContain(`error blobs/sha256/${digest.slice(7)}: expected a regular file named by its digest, found a special file`);
    const u = await runCli(['unpack', '--image', `${layout}:v1`, path.join(tmp, 'fifo-blob-bundle')]);
    expect([u.code, u.stderr]).toEqual([ExitCode.Failure, `ocikit: unpack: blob ${digest}: ${JSON.stringify(blob)} is a FIFO, not a regular file [INVALID_LAYOUT]\n`]);
  });

  it('a bundle whose config.json is a FIFO: pack and bundle digest refuse it on one line, pack writes nothing', async () => {
    const b = path.join(tmp, 'fifo-config');
    cpSync(bundle, b, { recursive: true });
    fifoInstead(path.join(b, 'config.json'));
    const said = `${JSON.stringify(path.join(b, 'config.json'))} is a FIFO, not a regular file [NOT_A_REGULAR_FILE]\n`;
    const target = path.join(tmp, 'fifo-config-L');
    const p = await runCli(['pack', '--image', `${target}:v1`, b]);
    expect([p.code, p.stderr]).toEqual([ExitCode.Failure, `ocikit: pack: ${said}`]);
    expect(existsSync(target)).toBe(false);
    const d = await runCli(['bundle', 'digest', b]);
    expect([d.code, d.stderr]).toEqual([ExitCode.Failure, `ocikit: bundle digest: ${said}`]);
  });
});

describe('huge and deep input: a limit error naming the limit, never a crash', () => {
  it('validate of a descriptor with 5 MB of data: checked, not a stack overflow (exit 70)', async () => {
    const data = Buffer.alloc(5 << 20, 0x61);
    const desc = path.join(tmp, 'big-data.json');
    writeFileSync(desc, JSON.stringify({ mediaType: 'application/octet-stream', digest: sha256(data), size: data.length, data: data.toString('base64') }));
    const r = await runCli(['validate', desc]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r.stdout).toBe(`${desc}: descriptor: valid\n`);
  });

  it('a 5 MB index.json is larger than MAX_MANIFEST_BYTES in validate, unpack and pack alike (not "found none")', async () => {
    const layout = copyOfL('big-index');
    const file = path.join(layout, 'index.json');
    const index = JSON.parse(readFileSync(file, 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
    index.manifests[0]!.annotations = { ...index.manifests[0]!.annotations, 'com.example.padding': 'x'.repeat(5 << 20) };
    writeFileSync(file, JSON.stringify(index));
    const said = `${JSON.stringify(file)} is ${readFileSync(file).length} bytes, more than MAX_MANIFEST_BYTES (4194304 bytes)`;
    const v = await runCli(['validate', layout]);
    expect(v.code).toBe(ExitCode.Failure);
    expect(v.stdout).toContain(`error index.json: ${said} [MAY DOCUMENT_TOO_LARGE]`);
    expect(v.stdout).not.toContain('found none');
    const u = await runCli(['unpack', '--image', `${layout}:v1`, path.join(tmp, 'big-index-bundle')]);
    expect([u.code, u.stderr]).toEqual([ExitCode.Failure, `ocikit: unpack: ${said} [FILE_TOO_LARGE]\n`]);
    const p = await runCli(['pack', '--image', `${layout}:v2`, bundle]);
    expect([p.code, p.stderr]).toEqual([ExitCode.Failure, `ocikit: pack: ${said} [FILE_TOO_LARGE]\n`]);
  });

  it('unpack of a layer thousands of directories deep: INVALID_PATH naming MAX_PATH_BYTES (exit 1, not 70), and no staging tree left', async () => {
    const dir = path.join(tmp, 'deep');
    mkdirSync(dir);
    const layout = await Layout.create(path.join(dir, 'L'));
    const entries = Array.from({ length: 2100 }, (_, i) => tarHeader({ name: 'd/'.repeat(i + 1), type: TarEntryType.Directory, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 }));
    const tar = Buffer.concat([...entries, TAR_END]);
    const layer = await layout.writeBlob(gzipSync(tar));
    const config = await layout.writeJson({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(tar)] } }, 'application/vnd.oci.image.config.v1+json');
    const manifest = await layout.writeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }] }, 'application/vnd.oci.image.manifest.v1+json');
    await layout.setRef('v1', manifest);
    const r = await runCli(['unpack', '--image', `${layout.dir}:v1`, path.join(dir, 'bundle')]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/^ocikit: unpack: layer sha256:[0-9a-f]{64} entry "(d\/)+": path "d\/d\/.*" resolves to a host path of \d+ bytes or more \(\d+ levels deep\), more than MAX_PATH_BYTES \(4096 bytes\) \[INVALID_PATH\]\n$/);
    expect(readdirSync(dir)).toEqual(['L']);
  });
});

describe('reference names are checked when written', () => {
  it("pack --image L:'bad/ref!' exits 2 with one line naming the rule, and writes nothing", async () => {
    const target = path.join(tmp, 'bad-ref');
    const r = await runCli(['pack', '--image', `${target}:bad/ref!`, bundle]);
    expect([r.code, r.stdout, r.stderr]).toEqual([ExitCode.Usage, '', `ocikit: pack: reference name "bad/ref!" is not an org.opencontainers.image.ref.name: expected ${RULE} [INVALID_REF_NAME]\n`]);
    expect(existsSync(target)).toBe(false);
    const before = readFileSync(path.join(L, 'index.json'));
    expect((await runCli(['pack', '--image', `${L}:-lead`, bundle])).code).toBe(ExitCode.Usage);
    expect(readFileSync(path.join(L, 'index.json'))).toEqual(before);
  });
});

describeWithPeers(['skopeo'], 'reference names with skopeo (containers/image oci: transport)', () => {
  const accepted = ['v1', '1.0', 'a--b', 'a_b', 'a:b', 'a@b', 'a+b', 'x/y/z:1.0', 'A.b_c-d'];
  const refused = ['bad/ref!', '/a', 'a//b', '-a', 'a-', 'a b'];
  const skopeo = (layout: string, ref: string) => spawnSync('skopeo', ['inspect', `oci:${layout}:${ref}`], { encoding: 'utf8', timeout: 300_000 });

  it('reads every name pack accepts, as the manifest pack wrote', async () => {
    const layout = path.join(tmp, 'skopeo-names');
    for (const ref of accepted) {
      const r = await runCli(['pack', '--json', '--image', `${layout}:${ref}`, bundle]);
      expect({ ref, code: r.code, stderr: r.stderr }).toEqual({ ref, code: ExitCode.Ok, stderr: '' });
      const s = skopeo(layout, ref);
      expect({ ref, status: s.status, stderr: s.stderr }).toEqual({ ref, status: 0, stderr: '' });
      expect((JSON.parse(s.stdout) as { Digest: string }).Digest).toBe((JSON.parse(r.stdout) as { manifest: { digest: string } }).manifest.digest);
    }
  });

  it('cannot parse the names pack refuses either', async () => {
    const layout = path.join(tmp, 'skopeo-names');
    for (const ref of refused) {
      expect({ ref, code: (await runCli(['pack', '--image', `${layout}:${ref}`, bundle])).code }).toEqual({ ref, code: ExitCode.Usage });
      const s = skopeo(layout, ref);
      expect({ ref, status: s.status, parse: /Invalid image/.test(s.stderr) }).toEqual({ ref, status: 1, parse: true });
    }
  });
});

describe('a read-only filesystem is named as one', () => {
  /**
   * Run ocikit with a read-only tmpfs mounted at RO, in a mount namespace of
   * its own (unshare): the real EROFS, which root's privileges do not bypass
   * the way they bypass a directory without write permission.
   */
  function onReadOnly(args: (ro: string) => string[]): { status: number | null; stderr: string; ro: string } {
    const ro = path.join(tmp, 'ro');
    mkdirSync(ro, { recursive: true });
    const script = 'mount -t tmpfs -o ro tmpfs "$1" && shift && exec "$@"';
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ro, process.execPath, OCIKIT_BIN, ...args(ro)], { encoding: 'utf8', timeout: 300_000 });
    return { status: r.status, stderr: r.stderr, ro };
  }

  itWithPeers(['root', 'unshare'], 'pack into a read-only filesystem says EROFS and names the directory, not ENOENT', () => {
    for (const [target, failing] of [['L', 'L'], ['a/b/L', 'a']] as const) {
      const r = onReadOnly((ro) => ['pack', '--image', `${ro}/${target}:v1`, bundle]);
      expect({ target, status: r.status, stderr: r.stderr }).toEqual({ target, status: ExitCode.Usage, stderr: `ocikit: pack: ${r.ro}/${failing}: EROFS (mkdir): read-only file system\n` });
    }
  });

  itWithPeers(['root', 'unshare'], 'unpack into a read-only filesystem says EROFS too', () => {
    const r = onReadOnly((ro) => ['unpack', '--image', `${L}:v1`, `${ro}/x/bundle`]);
    expect([r.status, r.stderr]).toEqual([ExitCode.Usage, `ocikit: unpack: ${r.ro}/x: EROFS (mkdir): read-only file system\n`]);
  });
});
