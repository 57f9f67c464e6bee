import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Layout } from '@ocikit/bundle';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-layer image whose layer is `tar czf` of `tree` (with GNU tar's own flags). */
async function image(dir: string, tarArgs: string[], config: object = {}): Promise<{ layerFile: string }> {
  const layout = await Layout.create(dir);
  const gz = execFileSync('tar', ['-cz', ...tarArgs]);
  const w = await layout.writeBlob(gz);
  const cfg = await layout.writeJson(
    { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [sha256(gunzipSync(gz))] } },
    'application/vnd.oci.image.config.v1+json',
  );
  const m = await layout.writeJson(
    { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...w }] },
    'application/vnd.oci.image.manifest.v1+json',
  );
  await layout.setRef('v1', m);
  return { layerFile: path.join(dir, 'blobs', ...w.digest.split(':')) };
}

describe('ocikit unpack (built bin)', () => {
  let tmp: string;
  let tree: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(process.platform === 'linux' ? '/dev/shm' : os.tmpdir(), 'ocikit-cli-unpack-'));
    tree = path.join(tmp, 'tree');
    mkdirSync(path.join(tree, 'etc'), { recursive: true });
    writeFileSync(path.join(tree, 'etc/hello'), 'hello\n');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('unpacks LAYOUT:REF into a bundle and says so on one line', async () => {
    const l = path.join(tmp, 'ok');
    await image(l, ['-C', tree, '.'], { Cmd: ['/bin/true'] });
    const b = path.join(tmp, 'ok-bundle');
    const r = await runCli(['unpack', '--image', `${l}:v1`, b]);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, '']);
    expect(r.stdout).toMatch(/^unpacked sha256:[0-9a-f]{64} \(1 layers, \d+ entries\) into .*ok-bundle\n$/);
    expect(readFileSync(path.join(b, 'rootfs/etc/hello'), 'utf8')).toBe('hello\n');
    expect(JSON.parse(readFileSync(path.join(b, 'config.json'), 'utf8')).process.args).toEqual(['/bin/true']);
  });

  it('--json prints the result', async () => {
    const l = path.join(tmp, 'json');
    await image(l, ['-C', tree, '.']);
    const r = await runCli(['unpack', '--json', '--image', `${l}:v1`, path.join(tmp, 'json-bundle')]);
    expect(r.code).toBe(ExitCode.Ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ provenance: { image: { ref: 'v1' } } });
  });

  it('exits 2 on usage errors and unreadable layouts, with one line', async () => {
    for (const args of [['unpack', 'b'], ['unpack', '--image', 'x'], ['unpack', '--image', 'x', '--max-size', 'lots', 'b'], ['unpack', '--image', path.join(tmp, 'missing'), 'b']]) {
      const r = await runCli(args);
      expect([args, r.code]).toEqual([args, ExitCode.Usage]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses hostile or broken images with exit 1, one line, no stack, nothing left behind', async () => {
    const cases: [string, () => Promise<void>][] = [
      ['absolute names', async () => void (await image(path.join(tmp, 'abs'), ['-P', path.join(tree, 'etc/hello')]))],
      [
        'corrupt blob',
        async () => {
          const { layerFile } = await image(path.join(tmp, 'corrupt'), ['-C', tree, '.']);
          const b = readFileSync(layerFile);
          b.writeUInt8(b.readUInt8(b.length - 12) ^ 0xff, b.length - 12);
          writeFileSync(layerFile, b);
        },
      ],
      [
        'truncated layer',
        async () => {
          const { layerFile } = await image(path.join(tmp, 'trunc'), ['-C', tree, '.']);
          writeFileSync(layerFile, readFileSync(layerFile).subarray(0, 40));
        },
      ],
    ];
    for (const [label, make] of cases) {
      await make();
      const dir = { 'absolute names': 'abs', 'corrupt blob': 'corrupt', 'truncated layer': 'trunc' }[label]!;
      const parent = path.join(tmp, `out-${dir}`);
      mkdirSync(parent);
      const r = await runCli(['unpack', '--image', `${path.join(tmp, dir)}:v1`, path.join(parent, 'bundle')]);
      expect([label, r.code]).toEqual([label, ExitCode.Failure]);
      expect(r.stderr).toMatch(/^ocikit: unpack: [^\n]+\n$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(parent)).toEqual([]);
    }
  });
});
