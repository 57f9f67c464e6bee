import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';
import { schemaValidators } from '../../generated/kinds.js';
import type { ValidateReport } from '../../types/validate-report.js';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../examples');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ocikit-validate-'));
const file = (name: string, content: string | Buffer) => {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
};

async function json(args: string[], input?: string | Buffer) {
  const r = await runCli(['validate', '--json', ...args], input === undefined ? {} : { input });
  const report = JSON.parse(r.stdout) as ValidateReport;
  // The --json shape is public: every output must match its own generated schema.
  expect(schemaValidators['validate-report'](report)).toBe(true);
  return { ...r, report };
}

describe('ocikit validate (built bin)', () => {
  it('finds every embedded example valid, with kinds detected', async () => {
    const { code, report } = await json([EXAMPLES]);
    expect(code).toBe(ExitCode.Ok);
    const kinds = Object.fromEntries(report.results.map((r) => [path.relative(EXAMPLES, r.path), r.type]));
    expect(kinds).toEqual({
      'image-src': 'bundle',
      'image/config.json': 'image-config',
      'image/index.json': 'image-index',
      'image/manifest.json': 'image-manifest',
      'image/descriptor.json': 'descriptor',
      'image/layout-marker.json': 'oci-layout',
      'runtime/config.json': 'runtime-config',
      'runtime/state.json': 'runtime-state',
    });
    expect(report.results.every((r) => r.valid && r.errors.length === 0)).toBe(true);
  });

  it('exits 1 with a pointer and spec link for a broken manifest', async () => {
    const bad = file('bad-manifest.json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: -1, digest: 'sha256:abc' }, layers: [] }));
    const { code, report } = await json([bad]);
    expect(code).toBe(ExitCode.Failure);
    const [r] = report.results;
    expect(r!.valid).toBe(false);
    const paths = r!.errors.map((e) => e.path);
    expect(paths).toContain('/config/size');
    expect(paths).toContain('/config/digest');
    for (const e of r!.errors) expect(e.ref).toMatch(/^https:\/\/github\.com\/opencontainers\/image-spec\//);
  });

  it('lets --type win over detection on standard input: a runtime config read as a manifest is invalid', async () => {
    const runtimeConfig = readFileSync(path.join(EXAMPLES, 'runtime/config.json'));
    const detected = await json(['-'], runtimeConfig);
    expect(detected.report.results[0]).toMatchObject({ type: 'runtime-config', valid: true });
    const { code, report } = await json(['--type', 'image-manifest', '-'], runtimeConfig);
    expect(code).toBe(ExitCode.Failure);
    expect(report.results[0]).toMatchObject({ path: '-', type: 'image-manifest', valid: false });
    // The same for a file: the named kind is the kind validated.
    const asFile = await json(['--type', 'image-manifest', path.join(EXAMPLES, 'runtime/config.json')]);
    expect(asFile.report.results[0]).toMatchObject({ type: 'image-manifest', valid: false });
  });

  it('reads standard input with --type', async () => {
    const { code, report } = await json(['--type', 'oci-layout', '-'], '{"imageLayoutVersion":"1.0.0"}');
    expect(code).toBe(ExitCode.Ok);
    expect(report.results[0]).toMatchObject({ path: '-', type: 'oci-layout', valid: true });
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'image-manifest'],
    ['duplicate keys', '{"imageLayoutVersion":"1.0.0","imageLayoutVersion":"1.0.0"}', 'oci-layout'],
    ['10,000-deep nesting', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'image-manifest'],
    ['not JSON at all', 'schemaVersion: 2', 'image-manifest'],
  ])('reports %s as an invalid finding, never a crash', async (_name, content, type) => {
    const { code, report, stderr } = await json(['--type', type, '-'], content);
    expect(code).toBe(ExitCode.Failure);
    expect(stderr).toBe('');
    expect(report.results[0]!.errors.length).toBeGreaterThan(0);
  });

  it('reports a byte order mark (RFC 8259 8.1: producers MUST NOT add one, parsers MAY ignore it)', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"imageLayoutVersion":"1.0.0"}')]);
    const { report, stderr } = await json(['--type', 'oci-layout', '-'], bom);
    expect(stderr).toBe('');
    const r = report.results[0]!;
    expect([...r.errors, ...r.warnings].map((f) => f.code)).toContain('JSON_BYTE_ORDER_MARK');
  });

  it('refuses a document over --max-bytes without reading it whole', async () => {
    const big = file('big.json', `{"imageLayoutVersion":"${'x'.repeat(4096)}"}`);
    const { code, report } = await json(['--max-bytes', '1024', big]);
    expect(code).toBe(ExitCode.Failure);
    expect(report.results[0]!.errors[0]!.code).toBe('DOCUMENT_TOO_LARGE');
  });

  it('asks for --type when the kind cannot be told', async () => {
    const { code, report } = await json([file('mystery.json', '{"hello":"world"}')]);
    expect(code).toBe(ExitCode.Failure);
    expect(report.results[0]!.errors[0]!.code).toBe('KIND_UNKNOWN');
  });

  it('exits 2 with one line for an unreadable path', async () => {
    const r = await runCli(['validate', path.join(tmp, 'no-such-file.json')]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no-such-file.json');
  });

  it('exits 2 for a usage error', async () => {
    expect((await runCli(['validate', '--type', 'nonsense', 'x'])).code).toBe(ExitCode.Usage);
    expect((await runCli(['validate'])).code).toBe(ExitCode.Usage);
  });

  it('prints human findings grouped by file', async () => {
    const bad = file('bad-layout.json', '{"imageLayoutVersion": 1}');
    const r = await runCli(['validate', '--type', 'oci-layout', bad]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stdout.split('\n')[0]).toBe(`${bad}: oci-layout: invalid`);
    expect(r.stdout).toMatch(/^ {2}error \/imageLayoutVersion: .*\[MUST [A-Z_]+\] https:\/\//m);
  });

  describe('bundles', () => {
    const makeBundle = (name: string, args: string[]) => {
      const dir = path.join(tmp, name);
      mkdirSync(path.join(dir, 'rootfs/bin'), { recursive: true });
      copyFileSync('/bin/busybox', path.join(dir, 'rootfs/bin/busybox'));
      const config = JSON.parse(readFileSync(path.join(EXAMPLES, 'runtime/config.json'), 'utf8')) as { process: { args: string[] } };
      config.process.args = args;
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
      return dir;
    };

    it('detects a bundle directory and finds it valid', async () => {
      const dir = makeBundle('good-bundle', ['/bin/busybox', 'true']);
      const { code, report } = await json([dir]);
      expect(report.results).toHaveLength(1);
      expect(report.results[0]).toMatchObject({ path: dir, type: 'bundle', valid: true });
      expect(code).toBe(ExitCode.Ok);
    });

    it('reports an args[0] that is not in the rootfs', async () => {
      const dir = makeBundle('missing-exe', ['/bin/nonexistent']);
      const { code, report } = await json(['--type', 'bundle', dir]);
      expect(code).toBe(ExitCode.Failure);
      expect(report.results[0]!.errors.map((e) => e.path)).toContain('/process/args/0');
    });
  });

  describe('image layouts', () => {
    const layout = path.join(tmp, 'layout');
    const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    beforeAll(() => {
      sh('umoci', ['init', '--layout', 'layout']);
      sh('umoci', ['new', '--image', 'layout:v1']);
      sh('skopeo', ['copy', '-q', 'oci:layout:v1', 'oci:copied:v1']);
      sh('tar', ['-cf', 'copied.tar', '-C', 'copied', '.']);
    });

    it('detects layouts made by umoci and skopeo and finds them valid', async () => {
      const { code, report } = await json([layout, path.join(tmp, 'copied')]);
      expect(report.results.map((r) => [r.type, r.valid])).toEqual([['image-layout', true], ['image-layout', true]]);
      expect(code).toBe(ExitCode.Ok);
    });

    it('reads an oci-archive with --type image-layout', async () => {
      const { code, report } = await json(['--type', 'image-layout', path.join(tmp, 'copied.tar')]);
      expect(report.results[0]).toMatchObject({ type: 'image-layout', valid: true });
      expect(code).toBe(ExitCode.Ok);
    });

    it('detects an oci-archive without --type (made by GNU tar, by skopeo); a tar of anything else is no layout', async () => {
      sh('skopeo', ['copy', '-q', 'oci:layout:v1', 'oci-archive:skopeo.tar:v1']);
      sh('tar', ['-cf', 'not-a-layout.tar', '-C', 'copied', 'blobs']);
      const { code, report } = await json([path.join(tmp, 'copied.tar'), path.join(tmp, 'skopeo.tar')]);
      expect(report.results.map((r) => [path.basename(r.path), r.type, r.valid])).toEqual([
        ['copied.tar', 'image-layout', true],
        ['skopeo.tar', 'image-layout', true],
      ]);
      expect(code).toBe(ExitCode.Ok);
      const other = await json([path.join(tmp, 'not-a-layout.tar')]);
      expect(other.report.results[0]!.type).not.toBe('image-layout');
      expect(other.code).toBe(ExitCode.Failure);
    });

    it('exits 1 and names the blob when one is corrupt', async () => {
      const dir = path.join(tmp, 'corrupt');
      sh('cp', ['-a', layout, dir]);
      const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      const blob = path.join(dir, 'blobs', ...index.manifests[0]!.digest.split(':'));
      writeFileSync(blob, `${readFileSync(blob, 'utf8')} `); // still the same JSON, no longer the same bytes
      const { code, report } = await json([dir]);
      expect(code).toBe(ExitCode.Failure);
      expect(report.results[0]!.errors.map((e) => e.code)).toContain('BLOB_DIGEST_MISMATCH');
    });
  });
});
