// A bundle's config.json as bundle digest and pack read it: the regular-file
// reader and the strict JSON reader, with the limits validate uses.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Limits } from '@ocikit/validation';
import { bundleDigest } from '../digest/record.js';
import { BundleErrorCode } from '../errors.js';
import { pack } from '../pack/pack.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('bundle-config');
let bundle: string;
let config: string;
beforeEach(() => {
  bundle = path.join(s.dir, 'bundle');
  config = path.join(bundle, 'config.json');
  mkdirSync(path.join(bundle, 'rootfs/etc'), { recursive: true });
  writeFileSync(path.join(bundle, 'rootfs/etc/hello'), 'hello\n');
});

const layout = () => path.join(s.dir, 'L');
const readers = () => [bundleDigest(bundle), pack(bundle, layout(), { ref: 'v1' })];

describe("config.json, read by bundle digest and pack", () => {
  it('a FIFO is named and refused, never waited on; pack writes nothing', async () => {
    execFileSync('mkfifo', [config]);
    for (const read of readers()) await expect(read).rejects.toMatchObject({ name: 'FileError', code: 'NOT_A_REGULAR_FILE', message: `${JSON.stringify(config)} is a FIFO, not a regular file` });
    expect(readdirSync(s.dir)).toEqual(['bundle']);
  });

  it('nesting past MAX_JSON_DEPTH is refused by name (a canonical form of 100,000 levels overflowed the stack)', async () => {
    writeFileSync(config, `{"ociVersion":"1.2.0","annotations":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
    for (const read of readers()) {
      await expect(read).rejects.toMatchObject({
        code: BundleErrorCode.InvalidBundle,
        message: `${JSON.stringify(config)} is not JSON ocikit reads: /annotations/x${'/0'.repeat(254)}: expected nesting of arrays and objects within MAX_JSON_DEPTH (256 levels), found deeper nesting`,
      });
    }
  });

  it(`a file over MAX_CONFIG_BYTES (${Limits.ConfigBytes.value} bytes) is refused unread, by name`, async () => {
    writeFileSync(config, '{}');
    truncateSync(config, Limits.ConfigBytes.value + 1);
    for (const read of readers()) {
      await expect(read).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', message: `${JSON.stringify(config)} is ${Limits.ConfigBytes.value + 1} bytes, more than MAX_CONFIG_BYTES (67108864 bytes)` });
    }
  });
});
