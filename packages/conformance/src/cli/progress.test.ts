import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWithPeers } from '@ocikit/testkit';
import { runCli, runCliOnTty } from '../test-support/run-cli.js';
import { ExitCode } from './exit-codes.js';

const EXAMPLE_BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/image-src');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ocikit-cli-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pack and unpack off a terminal', () => {
  it('write no progress at all to a pipe', async () => {
    const bundle = path.join(tmp, 'pipe-src');
    cpSync(EXAMPLE_BUNDLE, bundle, { recursive: true });
    const packed = await runCli(['pack', bundle, '--image', `${tmp}/pipe-layout:p`]);
    expect(packed.code).toBe(ExitCode.Ok);
    expect(packed.stderr).toBe('');
    const unpacked = await runCli(['unpack', '--image', `${tmp}/pipe-layout:p`, `${tmp}/pipe-bundle`]);
    expect(unpacked.code).toBe(ExitCode.Ok);
    expect(unpacked.stderr).toBe('');
  });
});

describeWithPeers(['script'], 'pack and unpack on a terminal', () => {
  it('show bytes and entries as they go, then erase the line', async () => {
    const bundle = path.join(tmp, 'tty-src');
    cpSync(EXAMPLE_BUNDLE, bundle, { recursive: true });
    const packed = await runCliOnTty(['pack', bundle, '--image', `${tmp}/tty-layout:t`]);
    expect(packed.code).toBe(ExitCode.Ok);
    // Each redraw is carriage return, erase line (ESC [ K), then the text.
    const redraws = (screen: string) => screen.split('\r\u001b[K');
    expect(redraws(packed.screen).some((l) => /^packing: \d+ entries, [\d.]+ (B|KiB|MiB) of layer tar/.test(l))).toBe(true);
    expect(packed.screen).toContain('\r\u001b[K');
    expect(packed.screen).toMatch(/packed sha256:[0-9a-f]{64}/);

    const unpacked = await runCliOnTty(['unpack', '--image', `${tmp}/tty-layout:t`, `${tmp}/tty-bundle`]);
    expect(unpacked.code).toBe(ExitCode.Ok);
    expect(redraws(unpacked.screen).some((l) => /^layer 1\/1 \[#*\s*\] [\d.]+ (B|KiB|MiB)\/[\d.]+ (B|KiB|MiB), \d+ entries/.test(l))).toBe(true);
    expect(unpacked.screen).toMatch(/unpacked sha256:[0-9a-f]{64}/);
  });
});
