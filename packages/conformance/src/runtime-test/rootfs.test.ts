import { describe, it, expect } from '@jest/globals';
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBusyboxRootfs, checkRootfs, findStaticBusybox, isStaticElf, REQUIRED_APPLETS } from './rootfs.js';
import { RuntimeTestError } from './errors.js';
import { describeWithPeers, itWithPeers } from '@ocikit/testkit';

const busybox = findStaticBusybox();

describe('static ELF detection', () => {
  it('says no for a dynamically linked executable (it has a PT_INTERP header)', () => {
    expect(isStaticElf(process.execPath)).toBe(false);
  });
  it('says no for text and for missing files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-elf-'));
    writeFileSync(path.join(dir, 'script'), '#!/bin/sh\necho hi\n');
    expect(isStaticElf(path.join(dir, 'script'))).toBe(false);
    expect(isStaticElf(path.join(dir, 'missing'))).toBe(false);
    rmSync(dir, { recursive: true });
  });
  itWithPeers(['busybox'], 'says yes for Debian busybox-static', () => {
    expect(isStaticElf(busybox!)).toBe(true);
  });
});

describeWithPeers(['busybox'], 'busybox rootfs', () => {
  it('holds busybox and one relative symlink per applet, and passes its own check', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-rootfs-'));
    try {
      buildBusyboxRootfs(dir, busybox!);
      expect(lstatSync(path.join(dir, 'bin', 'busybox')).isFile()).toBe(true);
      for (const applet of REQUIRED_APPLETS) expect(readlinkSync(path.join(dir, 'bin', applet))).toBe('busybox');
      for (const d of ['proc', 'dev', 'sys', 'tmp']) expect(existsSync(path.join(dir, d))).toBe(true);
      expect(() => checkRootfs(dir)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--rootfs check', () => {
  it('names the applets a rootfs lacks', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-rootfs-'));
    mkdirSync(path.join(dir, 'bin'));
    symlinkSync('/bin/busybox', path.join(dir, 'bin', 'sh'));
    try {
      expect(() => checkRootfs(dir)).toThrow(RuntimeTestError);
      expect(() => checkRootfs(dir)).toThrow(/found no \/bin\/cat/);
      expect(() => checkRootfs(path.join(dir, 'missing'))).toThrow(/unreadable/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
