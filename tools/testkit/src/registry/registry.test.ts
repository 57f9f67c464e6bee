import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createServer, type AddressInfo } from 'node:net';
import { scratchDir } from '../scratch.js';
import { describeWithPeers } from '../suites.js';
import { isProcessAlive } from './processes.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { pushBlob } from './test-support/http.js';

const readCmdline = (pid: string) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../..');

describeWithPeers(['docker-registry'], 'startRegistry without auth', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  it('serves the v2 API on a loopback port', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(registry.url).toBe(`http://${registry.host}`);
    const res = await fetch(`${registry.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('takes an anonymous blob push and gives the same bytes back', async () => {
    const data = randomBytes(100_000);
    const pushed = await pushBlob(registry.url, 'tests/anon', data);
    expect(pushed).toMatchObject({ postStatus: 202, putStatus: 201 });
    const res = await fetch(`${registry.url}/v2/tests/anon/blobs/${pushed.digest}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    // It landed in the storage root the registry reports.
    expect(existsSync(path.join(registry.storage, 'docker/registry/v2/blobs/sha256', pushed.digest.slice(7, 9), pushed.digest.slice(7)))).toBe(true);
  });

  it('has deletes enabled', async () => {
    const pushed = await pushBlob(registry.url, 'tests/delete', randomBytes(10));
    const res = await fetch(`${registry.url}/v2/tests/delete/blobs/${pushed.digest}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
  });
});

describeWithPeers(['docker-registry'], 'stopping a registry', () => {
  it('kills the process, waits for it, and removes the temp dirs', async () => {
    const registry = await startRegistry();
    expect(isProcessAlive(registry.pid)).toBe(true);
    const dir = path.dirname(registry.logFile);
    expect(existsSync(dir)).toBe(true);
    await registry.stop();
    expect(isProcessAlive(registry.pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await registry.stop(); // twice is harmless
  });

  it('keeps a storage root it was given, so a second registry serves the same content', async () => {
    const storage = scratchDir('storage');
    try {
      const first = await startRegistry({ storage });
      const data = randomBytes(1000);
      const { digest } = await pushBlob(first.url, 'tests/kept', data);
      await first.stop();
      const second = await startRegistry({ storage });
      try {
        const res = await fetch(`${second.url}/v2/tests/kept/blobs/${digest}`);
        expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(storage, { recursive: true, force: true });
    }
  });

  it('reports a registry that does not come up with its log, and leaves nothing running', async () => {
    const error = await startRegistry({ configure: (c) => void (c['storage'] = { nosuchdriver: {} }) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error!.message;
    expect(message).toMatch(/^docker-registry did not start: the registry exited \(log: (\S+registry\.log);/);
    expect(message).toContain('nosuchdriver');
    const log = /\(log: (\S+);/.exec(message)![1]!;
    expect(await readFile(log, 'utf8')).toContain('nosuchdriver');
    // No process runs with that config.
    const config = path.join(path.dirname(log), 'config.yml');
    const running = (await readdir('/proc')).filter((p) => /^\d+$/.test(p) && readCmdline(p).includes(config));
    expect(running).toEqual([]);
    await rm(path.dirname(log), { recursive: true, force: true });
  });
});

describeWithPeers(['docker-registry'], 'a registry whose port is taken', () => {
  it('is retried on other ports, then reported with the log line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = `127.0.0.1:${(blocker.address() as AddressInfo).port}`;
    let attempts = 0;
    try {
      const error = await startRegistry({
        configure: (c) => {
          attempts += 1;
          (c['http'] as Record<string, unknown>)['addr'] = taken;
        },
      }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(attempts).toBe(3);
      expect(error!.message).toMatch(/address already in use/);
      await rm(path.dirname(/\(log: (\S+);/.exec(error!.message)![1]!), { recursive: true, force: true });
    } finally {
      blocker.close();
    }
  });
});

/** Runs test/NAME in its own jest (one process, in band), as suites.test.ts does. */
function sampleJest(name: string, env: Record<string, string>) {
  return spawn(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(repo, 'node_modules/jest/bin/jest.js'), '--config', path.join(repo, 'jest.config.js'), '--runInBand', '--testMatch', `**/test/${name}`],
    { cwd: path.resolve(here, '../..'), env: { ...process.env, ...env }, stdio: 'ignore' },
  );
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  // A bound against a hang, not a timing claim.
  for (let i = 0; i < 600; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The sample's `PID LOGFILE` line. */
const readLeak = async (file: string) => {
  try {
    const text = await readFile(file, 'utf8');
    if (!text.endsWith('\n')) return undefined;
    const [pid, log] = text.trim().split(' ');
    return { pid: Number(pid), dir: path.dirname(log!) };
  } catch {
    return undefined;
  }
};

describeWithPeers(['docker-registry'], 'registries left behind by a test process', () => {
  it('are killed when the test process exits without stopping them', async () => {
    const dir = scratchDir('leak');
    const pidFile = path.join(dir, 'pid');
    const jest = sampleJest('sample.registry-leak.ts', { OCIKIT_LEAK_PID_FILE: pidFile, OCIKIT_LEAK_HANG: '' });
    const code = await new Promise<number | null>((resolve) => jest.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    const leak = (await readLeak(pidFile))!;
    expect(leak.pid).toBeGreaterThan(0);
    // Under jest the exit hook never fires (jest hands tests a copy of
    // `process` whose 'exit' is never emitted): the watchdog does the killing.
    await waitFor('the leaked registry to go', () => (isProcessAlive(leak.pid) ? undefined : true));
    expect(isProcessAlive(leak.pid)).toBe(false);
    // The next registry started sweeps the dead owner's temp dir.
    await (await startRegistry()).stop();
    expect(existsSync(leak.dir)).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it('are killed when the test process is killed outright (SIGKILL)', async () => {
    const dir = scratchDir('leak');
    const pidFile = path.join(dir, 'pid');
    const jest = sampleJest('sample.registry-leak.ts', { OCIKIT_LEAK_PID_FILE: pidFile, OCIKIT_LEAK_HANG: '1' });
    const exited = new Promise((resolve) => jest.once('exit', resolve));
    const leak = await waitFor('the sample to start a registry', () => readLeak(pidFile));
    expect(isProcessAlive(leak.pid)).toBe(true);
    jest.kill('SIGKILL');
    await exited;
    // The watchdog saw its pipe close and killed the registry.
    await waitFor('the orphaned registry to go', () => (isProcessAlive(leak.pid) ? undefined : true));
    expect(isProcessAlive(leak.pid)).toBe(false);
    // Nobody could remove its temp dir; the next registry started sweeps it.
    expect(existsSync(leak.dir)).toBe(true);
    await (await startRegistry()).stop();
    expect(existsSync(leak.dir)).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for a reaped one', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawnSync('true');
    expect(isProcessAlive(child.pid)).toBe(false);
  });
});
