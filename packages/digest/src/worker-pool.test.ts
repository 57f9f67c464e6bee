import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { answeredOnWorkers, serve, WorkerPool, WorkerPoolError, WorkerPoolErrorCode, workerScript } from './worker-pool.js';

// Worker scripts import the built helper: a worker thread runs plain Node,
// without the test runner's TypeScript transform (turbo builds before it tests).
const BUILT = new URL('../dist/worker-pool.js', import.meta.url).href;

interface Echo {
  op: 'echo' | 'throw' | 'exit' | 'events';
  value?: number;
}

const ECHO_WORKER = `
import { threadId, workerData } from 'node:worker_threads';
import { readFileSync, writeFileSync } from 'node:fs';
import { serve } from ${JSON.stringify(BUILT)};
// Slow start-up stands in for loading a native add-on; the marker says it finished.
if (workerData?.slowStart) {
  await new Promise((r) => setTimeout(r, 150));
  writeFileSync(workerData.marker + '.' + threadId, 'loaded');
}
serve((req, { emit }) => {
  if (req.op === 'throw') {
    const e = new Error('no such thing: ' + req.value);
    e.code = 'ENOENT';
    e.syscall = 'open';
    e.path = '/nowhere';
    e.errno = -2;
    throw e;
  }
  if (req.op === 'exit') process.exit(3);
  if (req.op === 'events') {
    for (let i = 0; i < req.value; i++) emit(i);
    return Promise.resolve({ threadId, value: 'done' });
  }
  return { threadId, value: req.value };
});
`;

describe('WorkerPool', () => {
  let dir: string;
  let script: URL;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ocikit-worker-pool-'));
    writeFileSync(path.join(dir, 'echo-worker.mjs'), ECHO_WORKER);
    script = pathToFileURL(path.join(dir, 'echo-worker.mjs'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers each request by id on worker threads, and counts the answers', async () => {
    const before = answeredOnWorkers('echo-worker.mjs');
    const pool = new WorkerPool<Echo, { threadId: number; value: number }>({ script, size: 2, name: 'echo' });
    try {
      const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((value) => pool.request({ op: 'echo', value })));
      expect(answers.map((a) => a.value)).toEqual([1, 2, 3, 4, 5, 6]);
      // Least busy spreads six requests sent at once over both workers, neither of them this thread.
      expect(new Set(answers.map((a) => a.threadId)).size).toBe(2);
      expect(answers.every((a) => a.threadId !== 0)).toBe(true);
      expect(answeredOnWorkers('echo-worker.mjs') - before).toBe(6);
      expect(pool.outstanding()).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('hands requests out round robin when asked, and to one worker when addressed', async () => {
    const pool = new WorkerPool<Echo, { threadId: number; value: number }>({ script, size: 3, name: 'echo', dispatch: 'round-robin' });
    try {
      const ids = [];
      // One at a time: least busy would send every one to worker 0.
      for (let i = 0; i < 6; i++) ids.push((await pool.request({ op: 'echo', value: i })).threadId);
      expect(ids.slice(3)).toEqual(ids.slice(0, 3));
      expect(new Set(ids).size).toBe(3);
      const addressed = await Promise.all([0, 1, 2].map(() => pool.request({ op: 'echo' }, 1)));
      expect(addressed.map((a) => a.threadId)).toEqual([ids[1], ids[1], ids[1]]);
    } finally {
      await pool.close();
    }
  });

  it("rejects with the handler's error, keeping name, message, code, syscall, path and errno", async () => {
    const pool = new WorkerPool<Echo, unknown>({ script, size: 1, name: 'echo' });
    try {
      await expect(pool.request({ op: 'throw', value: 7 })).rejects.toMatchObject({ name: 'Error', message: 'no such thing: 7', code: 'ENOENT', syscall: 'open', path: '/nowhere', errno: -2 });
      // The worker lives on.
      await expect(pool.request({ op: 'echo', value: 1 })).resolves.toMatchObject({ value: 1 });
    } finally {
      await pool.close();
    }
  });

  it('fails the requests of a worker that exits with WORKER_EXITED, and starts it afresh on the next one', async () => {
    const failures: Error[] = [];
    const pool = new WorkerPool<Echo, { threadId: number }>({ script, size: 1, name: 'echo', onFailure: (e) => failures.push(e) });
    try {
      const first = await pool.request({ op: 'echo' });
      const err = (await pool.request({ op: 'exit' }).catch((e: unknown) => e)) as WorkerPoolError;
      expect(err).toBeInstanceOf(WorkerPoolError);
      expect(err).toMatchObject({ code: WorkerPoolErrorCode.Exited, message: 'echo worker exited with code 3' });
      expect(failures).toEqual([err]);
      const again = await pool.request({ op: 'echo' });
      expect(again.threadId).not.toBe(first.threadId);
    } finally {
      await pool.close();
    }
  });

  it('delivers events in order, before the answer that follows them', async () => {
    const seen: number[] = [];
    const pool = new WorkerPool<Echo, { value: string }, number>({ script, size: 1, name: 'echo', onEvent: (e) => seen.push(e) });
    try {
      const answer = await pool.request({ op: 'events', value: 100 });
      expect(answer.value).toBe('done');
      expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await pool.close();
    }
  });

  it('never terminates a worker that is still loading: close waits for its ready', async () => {
    const marker = path.join(dir, 'loaded');
    const pool = new WorkerPool<Echo, unknown>({ script, size: 2, name: 'echo', workerData: { slowStart: true, marker } });
    // Closed before either worker could have loaded; both must still finish loading.
    await pool.close();
    expect(readdirSync(dir).filter((f) => f.startsWith('loaded.'))).toHaveLength(2);
  });

  it('refuses requests once closed, and rejects what was outstanding, with WORKER_POOL_CLOSED', async () => {
    const pool = new WorkerPool<Echo, unknown>({ script, size: 1, name: 'echo', workerData: { slowStart: true, marker: path.join(dir, 'closing') } });
    const outstanding = pool.request({ op: 'echo' }).catch((e: unknown) => e);
    await pool.close();
    expect(await outstanding).toMatchObject({ code: WorkerPoolErrorCode.Closed, message: 'echo pool closed' });
    await expect(pool.request({ op: 'echo' })).rejects.toMatchObject({ code: WorkerPoolErrorCode.Closed });
  });

  it('serve() refuses to run outside a worker thread', () => {
    let thrown: unknown;
    try {
      serve(() => 1);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ name: 'WorkerPoolError', code: WorkerPoolErrorCode.NotAWorker });
  });
});

describe('workerScript', () => {
  it('finds the built worker under dist/ for a module run from src/, and nothing where there is none', () => {
    const found = workerScript('./file-worker.js', import.meta.url);
    expect(found?.pathname).toMatch(/\/packages\/digest\/dist\/file-worker\.js$/);
    expect(workerScript('./no-such-worker.js', import.meta.url)).toBeUndefined();
  });

  it('prefers the script beside a compiled module', () => {
    const built = new URL('../dist/pool.js', import.meta.url).href;
    expect(workerScript('./file-worker.js', built)?.href).toBe(new URL('../dist/file-worker.js', import.meta.url).href);
  });
});
