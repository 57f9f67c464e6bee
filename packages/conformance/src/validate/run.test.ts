import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatePaths } from './run.js';

// --level is the spec packages' own level option (warnings at the level or
// stricter; errors always, since they decide `valid`).
describe('validatePaths: levels', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocikit-levels-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const codes = async (file: string, level?: 'must' | 'should' | 'may') => {
    const [r] = (await validatePaths([file], level === undefined ? {} : { level })).results;
    return { valid: r!.valid, errors: r!.errors.map((f) => f.code), warnings: r!.warnings.map((f) => f.code) };
  };

  it('keeps an error whatever its level: a duplicate name (SHOULD) still makes the document invalid at --level must', async () => {
    const file = write('dup.json', '{"imageLayoutVersion":"1.0.0","imageLayoutVersion":"1.0.0"}');
    expect(await codes(file, 'must')).toEqual({ valid: false, errors: ['JSON_DUPLICATE_KEY'], warnings: [] });
  });

  it('drops SHOULD warnings at --level must, keeps warnings about MUST rules', async () => {
    const manifest = {
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1 },
      layers: [],
      annotations: { 'org.opencontainers.image.unknown': 'x' },
    };
    const file = write('manifest.json', `\ufeff${JSON.stringify(manifest)}`);
    const all = await codes(file);
    expect([...all.warnings].sort()).toEqual(['ANNOTATION_KEY_RESERVED', 'JSON_BYTE_ORDER_MARK', 'MANIFEST_LAYERS_EMPTY', 'MANIFEST_MEDIA_TYPE_MISSING']);
    expect((await codes(file, 'must')).warnings.sort()).toEqual(['ANNOTATION_KEY_RESERVED', 'JSON_BYTE_ORDER_MARK']);
    expect(await codes(file, 'should')).toEqual(all);
  });

  it('shows runtime-spec MAY-level notes at --level may only', async () => {
    const config = { ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'], consoleSize: { height: 1, width: 1 } } };
    const file = write('config.json', JSON.stringify(config));
    expect((await codes(file)).warnings).not.toContain('ProcessConsoleSizeIgnore');
    expect((await codes(file, 'may')).warnings).toContain('ProcessConsoleSizeIgnore');
  });
});
