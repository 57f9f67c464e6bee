/**
 * The one worker-thread pool of ocikit (STYLE.md habit 16): every pool in
 * every package (file digests here; bundle hashing, the bundle scan, gzip
 * members and layer inflation in @ocikit/bundle) spawns, feeds and stops its
 * workers through this module, and each worker answers through `serve`.
 *
 * It lives in @ocikit/digest, the lowest package that needs it, as the
 * subpath `@ocikit/digest/worker-pool`: both digest and bundle need it, and
 * it imports nothing but node:worker_threads, node:fs and the error base
 * class (@ocikit/errors, a few lines), so a worker that loads it pays no
 * more than it did for its own copy.
 *
 * The wire protocol (all one module, so both ends change together):
 *   to a worker    { id, body }
 *   from a worker  { ready: true }              once, when it is loaded
 *                  { id, ok }                   the answer to request `id`
 *                  { id, err }                  the handler threw
 *                  { event }                    unsolicited (a stream's output)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, type Transferable } from 'node:worker_threads';
import { OcikitError, type CodeOf } from '@ocikit/errors';

export const WorkerPoolErrorCode = {
  /** The pool was closed while the request was waiting. */
  Closed: 'WORKER_POOL_CLOSED',
  /** The worker exited (killed, process.exit) before answering. */
  Exited: 'WORKER_EXITED',
  /** `serve` was called outside a worker thread. */
  NotAWorker: 'WORKER_NOT_A_WORKER',
} as const;
export type WorkerPoolErrorCode = CodeOf<typeof WorkerPoolErrorCode>;

/** What the pool itself refuses; a handler's own errors come back as they were thrown. */
export class WorkerPoolError extends OcikitError<WorkerPoolErrorCode> {
  override readonly name = 'WorkerPoolError';
}

/** An error as it crosses threads: its message and the Node fields callers branch on. */
interface WireError {
  name: string;
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
  errno?: number;
}

type ToWorker = { id: number; body: unknown };
type FromWorker = { ready: true } | { id: number; ok: unknown } | { id: number; err: WireError } | { event: unknown };

/** A value sent with some of its memory moved rather than copied. */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly list: readonly Transferable[],
  ) {}
}

/** Send `value`, moving `list` (ArrayBuffers) to the other thread instead of copying them. */
export function transfer<T>(value: T, list: readonly Transferable[]): Transfer<T> {
  return new Transfer(value, list);
}

function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const n = e as NodeJS.ErrnoException;
  return {
    name: n.name,
    message: n.message,
    ...(typeof n.code === 'string' && { code: n.code }),
    ...(n.syscall !== undefined && { syscall: n.syscall }),
    ...(n.path !== undefined && { path: n.path }),
    ...(n.errno !== undefined && { errno: n.errno }),
  };
}

function fromWire(w: WireError): Error {
  const err = new Error(w.message) as NodeJS.ErrnoException;
  err.name = w.name;
  if (w.code !== undefined) err.code = w.code;
  if (w.syscall !== undefined) err.syscall = w.syscall;
  if (w.path !== undefined) err.path = w.path;
  if (w.errno !== undefined) err.errno = w.errno;
  return err;
}

/** Requests answered by worker threads in this process, per worker script file name. */
const answered = new Map<string, number>();

/**
 * How many requests workers running the script named `file` (`'hash-worker.js'`)
 * have answered in this process. Tests use it to prove that work really ran
 * on a worker and not on the fallback path.
 */
export function answeredOnWorkers(file: string): number {
  return answered.get(file) ?? 0;
}

/**
 * The compiled worker script `file` beside the module at `moduleUrl`
 * (`workerScript('./hash-worker.js', import.meta.url)`), or undefined when
 * there is none. Run from TypeScript sources (a test runner: the module is
 * `…/src/…/x.ts`), no compiled script sits beside it, so the one the build
 * wrote to the mirror path under `dist/` is used: Node on every supported
 * line runs it without a loader, and turbo builds before it tests.
 */
export function workerScript(file: string, moduleUrl: string): URL | undefined {
  const beside = new URL(file, moduleUrl);
  if (beside.protocol !== 'file:') return undefined;
  if (existsSync(fileURLToPath(beside))) return beside;
  if (!moduleUrl.endsWith('.ts')) return undefined;
  const at = beside.pathname.lastIndexOf('/src/');
  if (at < 0) return undefined;
  const built = new URL(beside.href);
  built.pathname = `${beside.pathname.slice(0, at)}/dist/${beside.pathname.slice(at + 5)}`;
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export interface WorkerPoolOptions<Event = never> {
  /** The worker script (see `workerScript`); it must call `serve`. */
  readonly script: URL;
  /** Workers in the pool. */
  readonly size: number;
  /** Handed to every worker as `workerData`. */
  readonly workerData?: unknown;
  /** Names the pool in its errors (`"file digest"`: "file digest pool closed"). */
  readonly name: string;
  /**
   * Which worker takes a request not addressed to one: `least-busy` (default;
   * fewest requests outstanding, the lowest index on a tie) or `round-robin`.
   */
  readonly dispatch?: 'least-busy' | 'round-robin';
  /** Start each worker on its first request instead of at once (default false). */
  readonly lazy?: boolean;
  /** Unsolicited messages (`emit` in the worker), in the order they were sent. */
  readonly onEvent?: (event: Event, worker: number) => void;
  /** A worker failed or exited (not by `close`); its requests are already rejected with `error`. */
  readonly onFailure?: (error: Error, worker: number) => void;
}

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Settles once the worker has loaded (posted ready) or is gone. */
  loaded: Promise<void>;
  ready: boolean;
  pending: Map<number, Pending>;
}

/**
 * N workers running one script; requests are answered by id, in any order.
 * A worker that dies fails only its own requests, and is started afresh on
 * its next one. An idle worker does not hold the process open.
 */
export class WorkerPool<Req, Res, Event = never> {
  readonly size: number;
  readonly #options: WorkerPoolOptions<Event>;
  readonly #file: string;
  readonly #slots: (Slot | undefined)[];
  #nextId = 0;
  #turn = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions<Event>) {
    this.size = Math.max(1, Math.floor(options.size));
    this.#options = options;
    this.#file = options.script.pathname.slice(options.script.pathname.lastIndexOf('/') + 1);
    this.#slots = Array.from({ length: this.size }, () => undefined);
    if (options.lazy !== true) for (let i = 0; i < this.size; i++) this.#start(i);
  }

  /** Requests sent and not yet answered, on worker `i` or on all. */
  outstanding(i?: number): number {
    if (i !== undefined) return this.#slots[i]?.pending.size ?? 0;
    return this.#slots.reduce((n, s) => n + (s?.pending.size ?? 0), 0);
  }

  /**
   * Send `body` (wrap it in `transfer()` to move buffers) to worker `to`, or
   * to the one `dispatch` picks. Rejects with the handler's error (its name,
   * message, code, syscall, path, errno), the worker's crash, or WorkerPoolError.
   */
  request(body: Req | Transfer<Req>, to?: number): Promise<Res> {
    if (this.#closed) return Promise.reject(new WorkerPoolError(WorkerPoolErrorCode.Closed, `${this.#options.name} pool closed`));
    const i = to ?? this.#pick();
    const slot = this.#slots[i] ?? this.#start(i);
    const id = this.#nextId++;
    const [value, list] = body instanceof Transfer ? [body.value, body.list] : [body, []];
    return new Promise<Res>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Referenced while it owes an answer, so the process waits for it.
      slot.worker.ref();
      slot.worker.postMessage({ id, body: value } satisfies ToWorker, list);
    });
  }

  /**
   * Reject what is outstanding, then stop every worker. A worker still
   * loading is waited for first: terminating a thread in the middle of a
   * native add-on's initialisation (koffi, libdeflate) aborts the process.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.filter((s): s is Slot => s !== undefined);
    this.#slots.fill(undefined);
    for (const s of slots) this.#fail(s, new WorkerPoolError(WorkerPoolErrorCode.Closed, `${this.#options.name} pool closed`));
    await Promise.all(slots.map((s) => s.loaded));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #pick(): number {
    if (this.#options.dispatch === 'round-robin') return this.#turn++ % this.size;
    let best = 0;
    for (let i = 1; i < this.size; i++) if (this.outstanding(i) < this.outstanding(best)) best = i;
    return best;
  }

  #fail(slot: Slot, error: Error): void {
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    for (const p of pending) p.reject(error);
  }

  #start(i: number): Slot {
    const worker = new Worker(this.#options.script, this.#options.workerData === undefined ? {} : { workerData: this.#options.workerData });
    let loaded!: () => void;
    const slot: Slot = { worker, loaded: new Promise<void>((r) => (loaded = r)), ready: false, pending: new Map() };
    this.#slots[i] = slot;
    let dead = false;
    const gone = (error: Error): void => {
      loaded();
      if (dead) return; // 'error' is followed by 'exit': the first one says why
      dead = true;
      if (this.#slots[i] === slot) this.#slots[i] = undefined; // started afresh on its next request
      this.#fail(slot, error);
      if (!this.#closed) this.#options.onFailure?.(error, i);
    };
    worker.on('message', (m: FromWorker) => {
      if ('ready' in m) {
        slot.ready = true;
        loaded();
        if (slot.pending.size === 0) worker.unref();
      } else if ('event' in m) {
        this.#options.onEvent?.(m.event as Event, i);
      } else {
        const p = slot.pending.get(m.id);
        if (p === undefined) return;
        slot.pending.delete(m.id);
        answered.set(this.#file, (answered.get(this.#file) ?? 0) + 1);
        // Idle and loaded: let the process exit without closing the pool.
        if (slot.pending.size === 0 && slot.ready) worker.unref();
        if ('err' in m) p.reject(fromWire(m.err));
        else p.resolve(m.ok);
      }
    });
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new WorkerPoolError(WorkerPoolErrorCode.Exited, `${this.#options.name} worker exited with code ${code}`)));
    return slot;
  }
}

export interface ServeContext<Event> {
  /** Send an unsolicited message (the pool's `onEvent`), in order with the answers. */
  emit(event: Event | Transfer<Event>): void;
}

/**
 * The worker side: answer every request with `handle` (its value, or the
 * error it throws), and tell the pool this worker is loaded. Call it once
 * whatever the worker loads at start-up (a native add-on) has loaded.
 * Requests sent before then wait in the port. Returns the context handlers
 * get, for output that comes later (a stream's events).
 */
export function serve<Req, Res, Event = never>(handle: (req: Req, context: ServeContext<Event>) => Res | Transfer<Res> | Promise<Res | Transfer<Res>>): ServeContext<Event> {
  const port = parentPort;
  if (isMainThread || port === null) throw new WorkerPoolError(WorkerPoolErrorCode.NotAWorker, 'serve() called outside a worker thread');
  const context: ServeContext<Event> = {
    emit(event) {
      if (event instanceof Transfer) port.postMessage({ event: event.value } satisfies FromWorker, event.list);
      else port.postMessage({ event } satisfies FromWorker);
    },
  };
  const reply = (id: number, out: Res | Transfer<Res>): void => {
    if (out instanceof Transfer) port.postMessage({ id, ok: out.value } satisfies FromWorker, out.list);
    else port.postMessage({ id, ok: out } satisfies FromWorker);
  };
  const fail = (id: number, e: unknown): void => port.postMessage({ id, err: toWire(e) } satisfies FromWorker);
  port.on('message', (m: ToWorker) => {
    try {
      const out = handle(m.body as Req, context);
      if (out instanceof Promise) out.then((r) => reply(m.id, r), (e: unknown) => fail(m.id, e));
      else reply(m.id, out);
    } catch (e) {
      fail(m.id, e);
    }
  });
  port.postMessage({ ready: true } satisfies FromWorker);
  return context;
}
