import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithPeers, suiteScratch } from '@ocikit/testkit';
import { packImage } from '../../test-support/layouts.js';
import { runCli } from '../../test-support/run-cli.js';
import { ExitCode } from '../exit-codes.js';

const tmp = suiteScratch('cli-init');

describe('ocikit init (built bin)', () => {
  it('creates an empty layout that ocikit validate accepts', async () => {
    const l = path.join(tmp.dir, 'new');
    const r = await runCli(['init', l]);
    expect([r.code, r.stdout, r.stderr]).toEqual([ExitCode.Ok, `created an empty OCI image layout in ${l}\n`, '']);
    expect(readdirSync(l).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect(JSON.parse(readFileSync(path.join(l, 'index.json'), 'utf8'))).toMatchObject({ schemaVersion: 2, manifests: [] });
    expect((await runCli(['validate', '--type', 'image-layout', l])).code).toBe(ExitCode.Ok);
  });

  it('is idempotent: an existing layout keeps its images', async () => {
    const l = path.join(tmp.dir, 'existing');
    await packImage(`${l}:v1`, tmp.dir);
    const index = readFileSync(path.join(l, 'index.json'), 'utf8');
    const r = await runCli(['init', l]);
    expect([r.code, r.stdout]).toEqual([ExitCode.Ok, `${l} is already an OCI image layout\n`]);
    expect(readFileSync(path.join(l, 'index.json'), 'utf8')).toBe(index);
  });

  it('makes a layout in an empty directory, and refuses one holding other files (exit 1, nothing written)', async () => {
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect((await runCli(['init', empty])).code).toBe(ExitCode.Ok);
    const busy = path.join(tmp.dir, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    const r = await runCli(['init', busy]);
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.stderr).toMatch(/^ocikit: init: ".*busy" is not empty and is not an OCI image layout \(no oci-layout file\); refusing to make it one \[DIRECTORY_NOT_EMPTY\]\n$/);
    expect(readdirSync(busy)).toEqual(['notes.txt']);
  });

  it('needs exactly one LAYOUT', async () => {
    for (const args of [['init'], ['init', 'a', 'b']]) expect((await runCli(args)).code).toBe(ExitCode.Usage);
  });
});

describeWithPeers(['umoci', 'skopeo'], 'ocikit init: peers read the layout', () => {
  it('umoci ls finds no images; skopeo copies an image into it', async () => {
    const l = path.join(tmp.dir, 'for-peers');
    expect((await runCli(['init', l])).code).toBe(ExitCode.Ok);
    expect(execFileSync('umoci', ['ls', '--layout', l]).toString()).toBe('');
    const source = path.join(tmp.dir, 'source');
    await packImage(`${source}:v1`, tmp.dir);
    execFileSync('skopeo', ['copy', '-q', `oci:${source}:v1`, `oci:${l}:copied`]);
    expect(execFileSync('umoci', ['ls', '--layout', l]).toString()).toBe('copied\n');
  });
});
