import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, validateBundle, resolveInRoot, MAX_SYMLINKS, type Spec } from '../index.js';
import { MAX_PATH_BYTES } from '../confine.js';
import { Limits } from '@ocikit/validation';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ocikit-bundle-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(spec: Spec): void {
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
}

/** rootfs/bin/busybox (an executable script stands in) plus the given links in rootfs/bin. */
function rootfs(links: Record<string, string> = { sh: 'busybox' }): string {
  const bin = path.join(dir, 'rootfs', 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'busybox'), '#!/bin/true\n', { mode: 0o755 });
  for (const [name, target] of Object.entries(links)) symlinkSync(target, path.join(bin, name));
  return path.join(dir, 'rootfs');
}

function withArgs(...args: string[]): Spec {
  const spec = defaultConfig();
  spec.process!.args = args;
  return spec;
}

const codes = async (opts = {}) => {
  const r = await validateBundle(dir, opts);
  return { errors: r.errors.map((e) => e.code), warnings: r.warnings.map((w) => w.code), r };
};

describe('validateBundle', () => {
  it('accepts a bundle whose executable is found in the rootfs PATH', async () => {
    rootfs();
    writeConfig(withArgs('sh'));
    expect((await codes()).errors).toEqual([]);
  });

  it('BundleConfigPresent: no config.json, or a symlink in its place', async () => {
    expect((await codes()).errors).toEqual(['BundleConfigPresent']);
    writeFileSync(path.join(dir, 'elsewhere.json'), JSON.stringify(defaultConfig()));
    symlinkSync('elsewhere.json', path.join(dir, 'config.json'));
    expect((await codes()).errors).toEqual(['BundleConfigPresent']);
  });

  it('BundleConfigPresent names what config.json is when it is a FIFO, and never waits for a writer', async () => {
    execFileSync('mkfifo', [path.join(dir, 'config.json')]);
    const { errors, r } = await codes();
    expect(errors).toEqual(['BundleConfigPresent']);
    expect(r.errors[0]!.message).toBe(`expected a regular file config.json at the root of ${dir}, found a FIFO`);
  });

  it(`refuses a config.json larger than MAX_CONFIG_BYTES (${Limits.ConfigBytes.value} bytes) unread, naming the limit`, async () => {
    writeConfig(defaultConfig());
    truncateSync(path.join(dir, 'config.json'), Limits.ConfigBytes.value + 1);
    const { errors, r } = await codes();
    expect(errors).toEqual(['DOCUMENT_TOO_LARGE']);
    expect(r.errors[0]!.message).toBe(`${JSON.stringify(path.join(dir, 'config.json'))} is ${Limits.ConfigBytes.value + 1} bytes, more than MAX_CONFIG_BYTES (67108864 bytes)`);
  });

  it('reports the config rules and text rules of config.json', async () => {
    writeFileSync(path.join(dir, 'config.json'), '{"ociVersion":"1.3.0","ociVersion":"1.3.0","root":{"path":"rootfs"}}');
    expect((await codes()).errors).toEqual(['JSON_DUPLICATE_KEY']);
  });

  it('reads config.json with the shared JSON reader: a byte order mark is a warning, and the bundle is still checked', async () => {
    rootfs();
    writeFileSync(path.join(dir, 'config.json'), `\ufeff${JSON.stringify(withArgs('sh'))}`);
    const { errors, warnings } = await codes();
    expect(errors).toEqual([]);
    expect(warnings).toContain('JSON_BYTE_ORDER_MARK');
    // The mark breaks a MUST (of the producer): level MUST keeps it; SHOULD-level warnings go.
    expect((await codes({ level: 'MUST' })).warnings).toEqual(['JSON_BYTE_ORDER_MARK']);
    writeFileSync(path.join(dir, 'config.json'), '{"ociVersion":"1.3.0","ociVersion":"1.3.0","root":{"path":"rootfs"}}');
    const lenient = await codes({ duplicateKeys: 'warning' });
    expect(lenient.errors).toEqual([]);
    expect(lenient.warnings).toContain('JSON_DUPLICATE_KEY');
  });

  it('RootPathExist: missing rootfs, or a file', async () => {
    writeConfig(withArgs('sh'));
    expect((await codes()).errors).toEqual(['RootPathExist']);
    writeFileSync(path.join(dir, 'rootfs'), '');
    expect((await codes()).errors).toEqual(['RootPathExist']);
  });

  it('BundleArtifactsInOneDirectory: a rootfs outside the bundle directory', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'ocikit-outside-'));
    try {
      const spec = withArgs('/bin/sh');
      spec.root = { path: outside };
      writeConfig(spec);
      // (The empty outside directory has no /bin/sh either.)
      expect((await codes()).errors).toEqual(['BundleArtifactsInOneDirectory', 'ProcArgsExecutableInRootfs']);
      // Also through a symlink named rootfs.
      spec.root = { path: 'rootfs' };
      writeConfig(spec);
      symlinkSync(outside, path.join(dir, 'rootfs'));
      expect((await codes()).errors).toContain('BundleArtifactsInOneDirectory');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('ProcArgsExecutableInRootfs: missing, or not executable', async () => {
    rootfs();
    writeConfig(withArgs('/bin/nothing-here'));
    expect((await codes()).errors).toEqual(['ProcArgsExecutableInRootfs']);
    writeConfig(withArgs('nothing-here'));
    expect((await codes()).errors).toEqual(['ProcArgsExecutableInRootfs']);
    writeFileSync(path.join(dir, 'rootfs', 'bin', 'data'), 'x', { mode: 0o644 });
    writeConfig(withArgs('/bin/data'));
    const r = await codes();
    expect(r.errors).toEqual(['ProcArgsExecutableInRootfs']);
    expect(r.r.errors[0]!.message).toMatch(/execute permission/);
  });

  it('resolves the executable inside the rootfs, never on the host', async () => {
    // An absolute link target means the rootfs's /bin/busybox, not the host's.
    rootfs({ sh: '/bin/busybox', escape: '/usr/bin/env', up: '../../../../../../../../bin/busybox' });
    writeConfig(withArgs('/bin/sh'));
    expect((await codes()).errors).toEqual([]);
    // /usr/bin/env exists on the host, not in this rootfs.
    writeConfig(withArgs('/bin/escape'));
    expect((await codes()).errors).toEqual(['ProcArgsExecutableInRootfs']);
    // ".." stops at the rootfs root, so this is the rootfs's busybox again.
    writeConfig(withArgs('/bin/up'));
    expect((await codes()).errors).toEqual([]);
  });

  it('host checks: capabilities this kernel knows, filesystem types it has', async () => {
    rootfs();
    const spec = withArgs('sh');
    spec.process!.capabilities!.bounding!.push('CAP_CHECKPOINT_RESTORE');
    spec.mounts!.push({ destination: '/mnt', type: 'nosuchfs', source: 'none' });
    writeConfig(spec);
    expect((await codes()).errors).toEqual([]);
    const proc = mkdtempSync(path.join(tmpdir(), 'ocikit-proc-'));
    try {
      mkdirSync(path.join(proc, 'sys', 'kernel'), { recursive: true });
      writeFileSync(path.join(proc, 'sys', 'kernel', 'cap_last_cap'), '37\n');
      writeFileSync(path.join(proc, 'filesystems'), 'nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevpts\nnodev\tmqueue\nnodev\tcgroup\n\text4\n');
      const r = await codes({ hostChecks: true, procRoot: proc });
      expect(r.errors).toEqual(['HostCapabilityUnknown']);
      expect(r.warnings).toEqual(['HostMountTypeUnknown']);
      // This machine's own /proc knows what the default config uses.
      const real = await codes({ hostChecks: true });
      expect(real.warnings).toEqual(['HostMountTypeUnknown']);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});

describe('resolveInRoot', () => {
  it('stops symlink loops and keeps ".." inside the root', async () => {
    const root = path.join(dir, 'r');
    mkdirSync(path.join(root, 'a'), { recursive: true });
    symlinkSync('b', path.join(root, 'a', 'c'));
    symlinkSync('c', path.join(root, 'a', 'b'));
    expect((await resolveInRoot(root, '/a/c')).problem).toBe('loop');
    const up = await resolveInRoot(root, '/../../a/../..');
    expect(up.innerPath).toBe('/');
    expect(up.hostPath).toBe(path.resolve(root));
    symlinkSync('/', path.join(root, 'a', 'top'));
    const viaLink = await resolveInRoot(root, '/a/top/a');
    expect(viaLink.hostPath).toBe(path.join(root, 'a'));
    expect(viaLink.stats?.isDirectory()).toBe(true);
  });

  it('reports a missing middle component and a file used as a directory', async () => {
    const root = path.join(dir, 'r');
    mkdirSync(root);
    writeFileSync(path.join(root, 'f'), '');
    chmodSync(path.join(root, 'f'), 0o644);
    expect((await resolveInRoot(root, '/nope/x')).problem).toBe('missing');
    expect((await resolveInRoot(root, '/f/x')).problem).toBe('not-a-directory');
    const last = await resolveInRoot(root, '/nope');
    expect(last.problem).toBeUndefined();
    expect(last.stats).toBeUndefined();
  });
});

describe('validateBundle: the executable is resolved by the bounded confinement walk', () => {
  /** bin/c0 -> bin/c1 -> ... -> bin/c<n> -> busybox: resolving bin/c0 takes n + 1 expansions. */
  function chainTo(n: number): Record<string, string> {
    const links: Record<string, string> = { sh: 'busybox' };
    for (let i = 0; i < n; i++) links[`c${i}`] = i % 2 === 1 ? `/bin/c${i + 1}` : `c${i + 1}`;
    links[`c${n}`] = 'busybox';
    return links;
  }

  it(`accepts an executable MAX_SYMLINKS (${MAX_SYMLINKS}) links away and refuses one more, as a finding`, async () => {
    rootfs(chainTo(MAX_SYMLINKS - 1));
    writeConfig(withArgs('/bin/c0'));
    expect((await codes()).errors).toEqual([]);
    rmSync(path.join(dir, 'rootfs'), { recursive: true });
    rootfs(chainTo(MAX_SYMLINKS));
    expect((await codes()).errors).toEqual(['ProcArgsExecutableInRootfs']);
  });

  it('reports an executable path longer than PATH_MAX (thousands of components) as a finding, and accepts thousands within it', async () => {
    rootfs();
    // Every component is ".": it names /bin/sh, but no runtime could exec a path this long (ENAMETOOLONG).
    writeConfig(withArgs(`/${'./'.repeat(MAX_PATH_BYTES / 2)}bin/sh`));
    expect((await codes()).errors).toEqual(['ProcArgsExecutableInRootfs']);
    writeConfig(withArgs(`/${'./'.repeat(MAX_PATH_BYTES / 2 - 10)}bin/sh`));
    expect((await codes()).errors).toEqual([]);
  });
});
