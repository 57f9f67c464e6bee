/**
 * The real programs and files the tests drive ("peers"), found once per test
 * process, and the one rule for a missing one: under CI (`CI=true`) the suite
 * fails loudly, naming the peer; elsewhere it is skipped with one visible line
 * that says what is missing and how to get it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

interface PeerSpec {
  /** What it is, for the message. */
  readonly what: string;
  /** How to get it on Debian. */
  readonly how: string;
  /** The path of the peer when present. */
  find(): string | undefined;
}

/** Directories searched after PATH: Debian puts runc in /usr/sbin, which a non-root PATH often lacks. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The first executable named `name` on PATH or in the usual system directories. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const apt = (pkg: string) => `apt-get install ${pkg}`;
const binary = (name: string, pkg = name): PeerSpec => ({ what: `the ${name} program`, how: apt(pkg), find: () => findExecutable(name) });
const file = (what: string, where: string, pkg: string): PeerSpec => ({ what, how: apt(pkg), find: () => (existsSync(where) ? where : undefined) });

/** A busybox that runs in an empty rootfs: statically linked (ldd finds no interpreter). */
function findStaticBusybox(): string | undefined {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox', findExecutable('busybox')]) {
    if (candidate === undefined || !existsSync(candidate)) continue;
    const ldd = spawnSync('ldd', [candidate], { encoding: 'utf8' });
    if (/not a dynamic executable|statically linked/.test(`${ldd.stdout}${ldd.stderr}`)) return candidate;
  }
  return undefined;
}

const GOCODE = '/usr/share/gocode/src/github.com/opencontainers';

const PEERS = {
  root: {
    what: 'root privileges (containers, chown, device nodes)',
    how: 'run the tests as root, as CI does',
    find: () => (process.getuid?.() === 0 ? 'root' : undefined),
  },
  runc: binary('runc'),
  crun: binary('crun'),
  umoci: binary('umoci'),
  skopeo: binary('skopeo'),
  zstd: binary('zstd'),
  gzip: binary('gzip'),
  tar: binary('tar'),
  openssl: binary('openssl'),
  'docker-registry': binary('docker-registry'),
  htpasswd: binary('htpasswd', 'apache2-utils'),
  gpg: binary('gpg', 'gnupg'),
  script: binary('script', 'bsdutils'),
  unshare: binary('unshare', 'util-linux'),
  setpriv: binary('setpriv', 'util-linux'),
  newuidmap: binary('newuidmap', 'uidmap'),
  busybox: { what: 'a static busybox', how: apt('busybox-static'), find: findStaticBusybox },
  libdeflate: {
    what: 'the native libdeflate library',
    how: apt('libdeflate0'),
    find: () => (/libdeflate\.so\.0/.test(spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout ?? '') ? 'libdeflate.so.0' : undefined),
  },
  'image-spec-schemas': file("image-spec's own JSON schemas", `${GOCODE}/image-spec/schema`, 'golang-github-opencontainers-image-spec-dev'),
  'runtime-spec-schemas': file("runtime-spec's own JSON schemas", `${GOCODE}/runtime-spec/schema`, 'golang-github-opencontainers-specs-dev'),
} satisfies Record<string, PeerSpec>;

export type PeerName = keyof typeof PEERS;

const found = new Map<PeerName, string | undefined>();

/**
 * Peers to treat as missing although present, from `OCIKIT_TEST_HIDE_PEERS`
 * (comma-separated names): to see what a machine without them reports.
 */
function hidden(): Set<string> {
  return new Set((process.env['OCIKIT_TEST_HIDE_PEERS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/** The peer's path (or a token for a capability such as root), or undefined when it is missing. */
export function findPeer(name: PeerName): string | undefined {
  if (hidden().has(name)) return undefined;
  if (!found.has(name)) found.set(name, PEERS[name].find());
  return found.get(name);
}

/** The peer's path; throws, naming the peer and how to install it, when it is missing. */
export function peerPath(name: PeerName): string {
  const where = findPeer(name);
  if (where === undefined) throw new Error(`missing test peer: ${describePeer(name)}`);
  return where;
}

/** Whether every named peer is present. */
export function havePeers(...names: PeerName[]): boolean {
  return names.every((n) => findPeer(n) !== undefined);
}

/** `runc (the runc program; apt-get install runc)` */
export function describePeer(name: PeerName): string {
  const p: PeerSpec = PEERS[name];
  return `${name} (${p.what}; ${p.how})`;
}

/** The missing ones among `names`, described for a person. */
export function missingPeers(names: readonly PeerName[]): string[] {
  return names.filter((n) => findPeer(n) === undefined).map(describePeer);
}

/** Whether this run is CI's: then a missing peer is a failure, never a skip. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}
