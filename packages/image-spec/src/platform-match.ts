/**
 * Choosing a manifest for a platform. Names that tools and kernels use for
 * the same platform differ (`x86_64` vs `amd64`, `aarch64` vs `arm64`,
 * `armhf` vs `arm/v7`), so both sides are normalised before comparing, and a
 * CPU also runs images built for older variants of its architecture.
 */
import { arch as nodeArch, platform as nodePlatform, release } from 'node:os';
import type { Platform } from './types/platform.js';

/** A platform as matching needs it: `os` and `architecture`, the rest optional. */
export type PlatformSpec = Pick<Platform, 'os' | 'architecture'> & Partial<Omit<Platform, 'os' | 'architecture'>>;

const ARCH_ALIASES: Readonly<Record<string, [string, string?]>> = {
  x86_64: ['amd64'],
  'x86-64': ['amd64'],
  x64: ['amd64'],
  i386: ['386'],
  i486: ['386'],
  i586: ['386'],
  i686: ['386'],
  ia32: ['386'],
  x86: ['386'],
  aarch64: ['arm64'],
  arm64v8: ['arm64', 'v8'],
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
  armv5l: ['arm', 'v5'],
  armv6l: ['arm', 'v6'],
  armv7l: ['arm', 'v7'],
  armv8l: ['arm', 'v8'],
  arm32v5: ['arm', 'v5'],
  arm32v6: ['arm', 'v6'],
  arm32v7: ['arm', 'v7'],
  ppc64el: ['ppc64le'],
  loongarch64: ['loong64'],
};

const OS_ALIASES: Readonly<Record<string, string>> = {
  macos: 'darwin',
  osx: 'darwin',
  win32: 'windows',
  sunos: 'solaris',
};

/**
 * The canonical form of a platform: lower-case Go names, aliases resolved,
 * and default variants made explicit where the spelling varies
 * (`arm` means `arm/v7`, `arm64` means `arm64/v8`, `amd64/v1` means `amd64`).
 */
export function normalizePlatform<P extends PlatformSpec>(p: P): P {
  let os = p.os.toLowerCase();
  os = OS_ALIASES[os] ?? os;
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  const alias = ARCH_ALIASES[architecture];
  if (alias) {
    architecture = alias[0];
    if (alias[1] !== undefined && variant === undefined) variant = alias[1];
  }
  if (variant !== undefined && /^\d+(\.\d+)?$/.test(variant)) variant = `v${variant}`;
  if (architecture === 'arm' && (variant === undefined || variant === '')) variant = 'v7';
  if (architecture === 'arm64' && (variant === undefined || variant === '')) variant = 'v8';
  if (architecture === 'amd64' && (variant === 'v1' || variant === '')) variant = undefined;
  const out: P = { ...p, os, architecture };
  if (variant === undefined) delete out.variant;
  else out.variant = variant;
  return out;
}

/** Parse `os/arch[/variant]` (e.g. `linux/arm/v7`), the form `--platform` flags take. */
export function parsePlatform(s: string): PlatformSpec {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => x === '')) {
    throw new TypeError(`expected a platform "os/architecture[/variant]", found ${JSON.stringify(s)}`);
  }
  const p: PlatformSpec = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2] !== undefined) p.variant = parts[2];
  return p;
}

/** `os/architecture[/variant]` of a platform, normalised. */
export function formatPlatform(p: PlatformSpec): string {
  const n = normalizePlatform(p);
  return `${n.os}/${n.architecture}${n.variant !== undefined ? `/${n.variant}` : ''}`;
}

function variantNumber(v: string | undefined): number {
  const m = /^v(\d+)(?:\.(\d+))?$/.exec(v ?? '');
  return m ? Number(m[1]) + Number(m[2] ?? 0) / 100 : NaN;
}

/**
 * How well an image built for `have` suits a host that is `want`: 0 is an
 * exact match, larger numbers are worse but runnable (an older variant), and
 * -1 is no match. Both sides must be normalised.
 */
function score(have: PlatformSpec, want: PlatformSpec): number {
  if (have.os !== want.os) return -1;
  const wantVersion = want['os.version'];
  const haveVersion = have['os.version'];
  // Windows images need the host's build: compare major.minor.build.
  if (want.os === 'windows' && wantVersion && haveVersion && wantVersion.split('.').slice(0, 3).join('.') !== haveVersion.split('.').slice(0, 3).join('.')) return -1;
  if (have.architecture !== want.architecture) {
    // An arm64 host whose kernel runs 32-bit code takes arm/v8 and older only when asked: not here.
    return -1;
  }
  if (have.variant === want.variant) return 0;
  if (want.variant === undefined) {
    // No variant wanted (e.g. amd64): any baseline image fits; prefer no variant.
    return have.variant === undefined ? 0 : variantNumber(have.variant) <= 1 ? 1 : -1;
  }
  const hv = have.variant === undefined ? (want.architecture === 'amd64' ? 1 : NaN) : variantNumber(have.variant);
  const wv = variantNumber(want.variant);
  // Older variants of the same architecture run on newer CPUs (arm v6 on v7, amd64 v2 on v3).
  if (!Number.isNaN(hv) && !Number.isNaN(wv) && hv <= wv) return 1 + (wv - hv);
  return -1;
}

/**
 * Choose the manifest of `index` for the `wanted` platform: an exact match
 * after normalisation, else the best compatible older variant. Among equals
 * the first entry wins, as the spec says the first matching entry SHOULD be
 * used. Entries without a platform never match. Returns undefined when none fits.
 */
export function matchPlatform<D extends { platform?: PlatformSpec }>(index: { manifests: readonly D[] }, wanted: PlatformSpec | string): D | undefined {
  const want = normalizePlatform(typeof wanted === 'string' ? parsePlatform(wanted) : wanted);
  let best: D | undefined;
  let bestScore = Infinity;
  for (const entry of index.manifests) {
    const p = entry.platform;
    if (!p || typeof p.os !== 'string' || typeof p.architecture !== 'string') continue;
    const s = score(normalizePlatform(p), want);
    if (s >= 0 && s < bestScore) {
      best = entry;
      bestScore = s;
      if (s === 0) break;
    }
  }
  return best;
}

/** Node's names for the CPU architecture, mapped to Go's. */
const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  ppc: 'ppc',
  s390: 's390',
};

const NODE_OS: Readonly<Record<string, string>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  sunos: 'solaris',
  aix: 'aix',
  android: 'android',
};

/** The platform this process runs on, in image-spec's terms (e.g. `linux/amd64`, `linux/arm/v7`). */
export function hostPlatform(): Platform {
  const a = nodeArch();
  const p = nodePlatform();
  const platform: Platform = { os: NODE_OS[p] ?? p, architecture: NODE_ARCH[a] ?? a };
  if (platform.architecture === 'arm64') platform.variant = 'v8';
  if (platform.architecture === 'arm') {
    const v = (process.config.variables as Record<string, unknown>)['arm_version'];
    platform.variant = `v${typeof v === 'string' || typeof v === 'number' ? v : 7}`;
  }
  if (platform.os === 'windows') platform['os.version'] = release();
  return platform;
}
