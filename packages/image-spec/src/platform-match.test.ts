import { arch, platform as osPlatform } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatPlatform, hostPlatform, matchPlatform, normalizePlatform, parsePlatform, type PlatformSpec } from './platform-match.js';
import { validateImageIndex } from './validate.js';
import { MediaType } from './media-types.js';

const entry = (p: PlatformSpec | undefined, n: number) => ({
  mediaType: MediaType.ImageManifest,
  size: n,
  digest: `sha256:${n.toString(16).padStart(64, '0')}`,
  ...(p ? { platform: p } : {}),
});

describe('normalizePlatform', () => {
  const table: [PlatformSpec, string][] = [
    [{ os: 'linux', architecture: 'x86_64' }, 'linux/amd64'],
    [{ os: 'Linux', architecture: 'AMD64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'amd64', variant: 'v1' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, 'linux/amd64/v3'],
    [{ os: 'linux', architecture: 'aarch64' }, 'linux/arm64/v8'],
    [{ os: 'linux', architecture: 'arm64' }, 'linux/arm64/v8'],
    [{ os: 'linux', architecture: 'arm64', variant: '8' }, 'linux/arm64/v8'],
    [{ os: 'linux', architecture: 'armhf' }, 'linux/arm/v7'],
    [{ os: 'linux', architecture: 'armel' }, 'linux/arm/v6'],
    [{ os: 'linux', architecture: 'armv7l' }, 'linux/arm/v7'],
    [{ os: 'linux', architecture: 'arm' }, 'linux/arm/v7'],
    [{ os: 'linux', architecture: 'arm', variant: '6' }, 'linux/arm/v6'],
    [{ os: 'linux', architecture: 'i686' }, 'linux/386'],
    [{ os: 'win32', architecture: 'x64' }, 'windows/amd64'],
    [{ os: 'macos', architecture: 'aarch64' }, 'darwin/arm64/v8'],
    [{ os: 'linux', architecture: 'ppc64el' }, 'linux/ppc64le'],
  ];
  for (const [p, want] of table) {
    it(`${JSON.stringify(p)} -> ${want}`, () => {
      expect(formatPlatform(p)).toBe(want);
      expect(formatPlatform(normalizePlatform(p))).toBe(want);
    });
  }

  it('is idempotent', () => {
    const name = fc.constantFrom('linux', 'Linux', 'windows', 'darwin', 'macos', 'freebsd');
    const architecture = fc.constantFrom('amd64', 'x86_64', 'arm', 'armhf', 'arm64', 'aarch64', '386', 'i386', 'ppc64le', 'riscv64', 's390x');
    const variant = fc.option(fc.constantFrom('v5', 'v6', 'v7', 'v8', '7', 'v2', 'v3', ''), { nil: undefined });
    fc.assert(
      fc.property(name, architecture, variant, (os, a, v) => {
        const p: PlatformSpec = { os, architecture: a, ...(v !== undefined ? { variant: v } : {}) };
        const n = normalizePlatform(p);
        expect(normalizePlatform(n)).toEqual(n);
      }),
    );
  });
});

describe('matchPlatform', () => {
  const index = {
    schemaVersion: 2,
    manifests: [
      entry(undefined, 1), // an attestation or nested index without platform
      entry({ os: 'linux', architecture: 'amd64' }, 2),
      entry({ os: 'linux', architecture: 'arm', variant: 'v6' }, 3),
      entry({ os: 'linux', architecture: 'arm', variant: 'v7' }, 4),
      entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 5),
      entry({ os: 'linux', architecture: 'amd64' }, 6), // a duplicate: the first wins
      entry({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5206' }, 7),
      entry({ os: 'linux', architecture: 'amd64', variant: 'v3' }, 8),
    ],
  };

  it('uses a valid index', () => {
    expect(validateImageIndex(index).valid).toBe(true);
  });

  const table: [PlatformSpec | string, number | undefined][] = [
    ['linux/amd64', 2],
    [{ os: 'linux', architecture: 'x86_64' }, 2],
    ['linux/amd64/v3', 8],
    ['linux/amd64/v2', 2],
    ['linux/arm64', 5],
    [{ os: 'linux', architecture: 'aarch64' }, 5],
    ['linux/arm64/v8', 5],
    ['linux/arm/v7', 4],
    [{ os: 'linux', architecture: 'armhf' }, 4],
    ['linux/arm/v6', 3],
    ['linux/arm/v8', 4], // the newest older variant
    ['linux/arm/v5', undefined],
    ['linux/s390x', undefined],
    ['darwin/arm64', undefined],
    [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' }, 7],
    [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }, undefined],
    ['windows/amd64', 7],
  ];
  for (const [want, size] of table) {
    it(`${typeof want === 'string' ? want : JSON.stringify(want)} -> ${size ?? 'none'}`, () => {
      expect(matchPlatform(index, want)?.size).toBe(size);
    });
  }

  it('rejects malformed platform strings', () => {
    expect(() => parsePlatform('linux')).toThrow(TypeError);
    expect(() => parsePlatform('linux//v7')).toThrow(TypeError);
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });
});

describe('hostPlatform', () => {
  it('describes this process in Go names and is matched by an index built for it', () => {
    const host = hostPlatform();
    const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
    expect(host.architecture).toBe(goArch[arch()] ?? arch());
    expect(host.os).toBe(osPlatform() === 'win32' ? 'windows' : osPlatform());
    const index = { manifests: [entry({ os: 'plan9', architecture: '386' }, 1), entry(host, 2)] };
    expect(matchPlatform(index, host)?.size).toBe(2);
    expect(validateImageIndex({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: index.manifests }).warnings).toEqual([]);
  });
});
