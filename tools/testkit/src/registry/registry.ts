/**
 * A real docker-registry (distribution v2.8) on a free loopback port, started
 * by a test: temp config, storage and log; optional htpasswd auth, token auth
 * with its own issuer (token-issuer.ts), and TLS from a CA made for it. See
 * shared/READING.md: `docker-registry serve CONFIG.yml`, no referrers API.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { peerPath } from '../peers.js';
import { scratchBase, scratchDir } from '../scratch.js';
import { issueCertificate, makeCertificateAuthority, type CertificateFiles } from './certificates.js';
import { registryConfig, writeRegistryConfig } from './config.js';
import { writeHtpasswd } from './htpasswd.js';
import { jwtSigner } from './jwt.js';
import { freeLoopbackPort } from './ports.js';
import { probe } from './probe.js';
import { isProcessAlive, startSupervised, type SupervisedProcess } from './processes.js';
import { startTokenIssuer, type RunningTokenIssuer } from './token-issuer.js';
import type { RegistryUser } from './users.js';

export interface StartRegistryOptions {
  auth?: { kind: 'htpasswd'; users: RegistryUser[] } | { kind: 'token'; users: RegistryUser[]; /** allow anonymous pull tokens */ anonymousPull?: boolean; /** access token lifetime in seconds (at least 60) */ expiresIn?: number };
  /** Serve https with a certificate from a CA made for this registry (SAN IP:127.0.0.1, DNS:localhost). */
  tls?: boolean;
  /** An existing storage root to serve (kept on stop), e.g. to restart a registry over the same content. Default: a fresh temp dir. */
  storage?: string;
  /** Changes the configuration object before it is written (docker-registry's configuration reference). */
  configure?: (config: Record<string, unknown>) => void;
  /** Bound on the wait for `GET /v2/` to answer. Default 30 s: a guard against a registry that never comes up, not a speed claim. */
  startTimeoutMs?: number;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`: what a reference names. */
  readonly host: string;
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  readonly url: string;
  /** The CA's PEM file (tls only). */
  readonly caFile?: string;
  /** The CA's PEM text (tls only), for `ca` options. */
  readonly caPem?: string;
  /** The storage root. */
  readonly storage: string;
  /** The registry's log (stdout and stderr). */
  readonly logFile: string;
  /** The registry process's PID. */
  readonly pid: number;
  /** Token auth only. */
  readonly tokenIssuer?: RunningTokenIssuer;
  /** Kills the registry by PID and waits for it, stops the issuer, removes the temp dirs. */
  stop(): Promise<void>;
}

/** The `service` (audience) and `issuer` the registry and its token issuer agree on. */
export const TOKEN_SERVICE = 'ocikit-test-registry';
export const TOKEN_ISSUER = 'ocikit-test-token-issuer';
const BASIC_REALM = 'ocikit-test-registry';
const PORT_ATTEMPTS = 3;

/** What the log says about a failure: its fatal lines (a Go panic puts its reason before a long trace) and its last lines. */
async function logExcerpt(logFile: string): Promise<string> {
  let lines: string[];
  try {
    lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
  } catch {
    return '(no log)';
  }
  const fatal = lines.filter((l) => /^panic:|level=(fatal|panic|error)|^configuration error|^Error: /.test(l)).slice(0, 5);
  const tail = lines.filter((l) => !l.startsWith('\t') && !l.startsWith('goroutine ')).slice(-10);
  return [...new Set([...fatal, ...tail])].join('\n');
}

/** The environment without REGISTRY_* variables, which would override the config file. */
function registryEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
}

/** Waits until GET /v2/ answers 200 or 401 (auth on), the process exits, or the bound passes. */
async function waitUntilServing(url: string, child: SupervisedProcess, ca: string | undefined, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (exited) return 'the registry exited';
    const result = await probe(`${url}/v2/`, { ca, timeoutMs: 2_000 });
    if ('status' in result) {
      if (result.status === 200 || result.status === 401) return undefined;
      last = `status ${result.status}`;
    } else last = result.error;
    await sleep(50);
  }
  return `GET ${url}/v2/ did not answer within ${timeoutMs} ms (last: ${last})`;
}

/** scratchDir('registry') names its dirs so. */
const DIR_PREFIX = 'ocikit-registry-';

/**
 * Removes temp dirs of registries whose test process died without stopping
 * them (killed outright, so no exit hook ran; the watchdog killed the
 * registry). Each dir names its owner in `owner.pid`; a live owner's dirs are left alone.
 */
async function sweepStaleDirs(): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(scratchBase())).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(scratchBase(), name);
    try {
      const owner = Number(await readFile(path.join(dir, 'owner.pid'), 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !isProcessAlive(owner)) await rm(dir, { recursive: true, force: true });
    } catch {
      // not ours, or gone already
    }
  }
}

/** Starts a registry as described by `options`; stop it with `stop()` (an exit hook kills it otherwise). */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const program = peerPath('docker-registry');
  await sweepStaleDirs();
  const dir = scratchDir('registry');
  await writeFile(path.join(dir, 'owner.pid'), `${process.pid}\n`);
  const logFile = path.join(dir, 'registry.log');
  const storage = options.storage ?? path.join(dir, 'storage');
  let issuer: RunningTokenIssuer | undefined;
  let child: SupervisedProcess | undefined;
  try {
    await mkdir(storage, { recursive: true });
    let ca: CertificateFiles | undefined;
    if (options.tls || options.auth?.kind === 'token') ca = await makeCertificateAuthority(dir);
    const serverCert = options.tls && ca ? await issueCertificate(ca, dir, { name: 'server', commonName: 'localhost', subjectAltNames: ['IP:127.0.0.1', 'DNS:localhost'], extendedKeyUsage: 'serverAuth' }) : undefined;

    let htpasswdFile: string | undefined;
    if (options.auth?.kind === 'htpasswd') {
      htpasswdFile = path.join(dir, 'htpasswd');
      await writeHtpasswd(htpasswdFile, options.auth.users);
    }
    if (options.auth?.kind === 'token' && ca) {
      const signing = await issueCertificate(ca, dir, { name: 'token-signer', commonName: 'ocikit test token issuer' });
      issuer = await startTokenIssuer({
        users: options.auth.users,
        anonymousPull: options.auth.anonymousPull,
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        signer: jwtSigner(signing.keyPem, [signing.certPem]),
        expiresIn: options.auth.expiresIn,
      });
    }

    const configFile = path.join(dir, 'config.yml');
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const host = `127.0.0.1:${port}`;
      const url = `${options.tls ? 'https' : 'http'}://${host}`;
      const config = registryConfig({
        addr: host,
        storage,
        secret: randomBytes(32).toString('hex'),
        tls: serverCert ? { certificate: serverCert.certFile, key: serverCert.keyFile } : undefined,
        htpasswd: htpasswdFile ? { realm: BASIC_REALM, path: htpasswdFile } : undefined,
        token: issuer && ca ? { realm: issuer.realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootcertbundle: ca.certFile } : undefined,
      });
      options.configure?.(config);
      await writeRegistryConfig(configFile, config);
      await writeFile(logFile, ''); // this attempt's log only
      child = await startSupervised(program, ['serve', configFile], { logFile, env: registryEnv(), cwd: dir, cleanupDir: dir });
      const failure = await waitUntilServing(url, child, ca?.certPem, options.startTimeoutMs ?? 30_000);
      if (failure === undefined) {
        const running = child;
        const runningIssuer = issuer;
        let stopping: Promise<void> | undefined;
        return {
          host,
          url,
          ...(options.tls && ca ? { caFile: ca.certFile, caPem: ca.certPem } : {}),
          storage,
          logFile,
          pid: running.pid,
          ...(runningIssuer ? { tokenIssuer: runningIssuer } : {}),
          stop() {
            stopping ??= (async () => {
              await running.stop();
              await runningIssuer?.stop();
              await rm(dir, { recursive: true, force: true });
            })();
            return stopping;
          },
        };
      }
      await child.stop();
      const tail = await logExcerpt(logFile);
      // Another process took the port between our probe and the registry's bind: try another.
      if (/address already in use/i.test(tail) && attempt < PORT_ATTEMPTS) continue;
      throw new Error(`docker-registry did not start: ${failure} (log: ${logFile}; config: ${configFile})\n${tail}`);
    }
  } catch (error) {
    // Leave the dir (its log is named in the message) but nothing running.
    await child?.stop();
    await issuer?.stop();
    throw error;
  }
}
