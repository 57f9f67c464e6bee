/**
 * A GET whose body is large (a blob), read straight from the socket.
 *
 * node:http hands a body on 64 KiB at a time through a Readable; on a fast
 * link that machinery costs more than hashing the bytes. Here each read of
 * the socket lands in a large slab of memory (`onread`), and the body is
 * passed on as views of the slabs, which are never written again, so a
 * consumer may hold a chunk as long as it likes. No pool: one connection per
 * body (`Connection: close`), so the keep-alive agents go on serving the
 * small requests.
 *
 * HTTP/1.1 only (RFC 9112): a status line and headers of at most 64 KiB,
 * then a body framed by `Transfer-Encoding: chunked`, by `Content-Length`,
 * or by the end of the connection; interim 1xx answers are skipped.
 */
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { networkError, timeoutError } from './failures.js';
import type { ResponseBody } from './transport.js';
import { redactUrl } from './url.js';

/** Memory each socket read may fill: reads start in a slab while at least `MIN_READ` of it is free. */
const SLAB_BYTES = 1 << 20;
const MIN_READ = 128 << 10;
/** Bytes received but not yet taken by the consumer before the socket stops reading. */
const HIGH_WATER = 2 << 20;
const MAX_HEAD_BYTES = 64 << 10;
const MAX_CHUNK_LINE = 4 << 10;

export interface SocketGetOptions {
  url: URL;
  headers: Record<string, string>;
  /** TLS settings (trust, verification) for https URLs. */
  tls: tls.ConnectionOptions;
  /** Idle timeout: connecting, waiting for the answer and every pause in the body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface SocketGetResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

/** Hands out the memory each socket read fills; what was filled is never handed out again. */
class Slabs {
  #slab = Buffer.allocUnsafe(SLAB_BYTES);
  #used = 0;

  /** Where the next read goes. */
  next(): Buffer {
    if (SLAB_BYTES - this.#used < MIN_READ) {
      this.#slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.#used = 0;
    }
    return this.#slab.subarray(this.#used);
  }

  /** The `n` bytes the last read put at `next()`. */
  take(n: number): Buffer {
    const filled = this.#slab.subarray(this.#used, this.#used + n);
    this.#used += n;
    return filled;
  }
}

function protocolError(url: URL, message: string): RegistryError {
  return new RegistryError(RegistryErrorCode.Protocol, `GET ${redactUrl(url)}: ${message}`, { url: redactUrl(url) });
}

function prematureClose(): Error {
  return Object.assign(new Error('the connection closed before the body ended'), { code: 'ECONNRESET' });
}

/** The request's head, or the error of header text that would split the request. */
function requestHead(url: URL, headers: Record<string, string>): string | RegistryError {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
      return protocolError(url, `header ${JSON.stringify(name)} cannot be sent (not a token, or a line break in its value)`);
    }
    lines.push(`${name}: ${value}`);
  }
  lines.push('connection: close', '', '');
  return lines.join('\r\n');
}

interface Head {
  status: number;
  headers: IncomingHttpHeaders;
}

function parseHead(text: string, url: URL): Head {
  const [statusLine = '', ...fields] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) throw protocolError(url, `not an HTTP/1.1 answer: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: Record<string, string | string[]> = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) throw protocolError(url, `malformed header line ${JSON.stringify(field.slice(0, 80))}`);
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).trim();
    const had = headers[name];
    if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value];
    else headers[name] = had === undefined ? value : `${had as string}, ${value}`;
  }
  return { status: Number(m[1]), headers: headers };
}

/** How the body ends, from the head (RFC 9112 section 6.3). */
type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

function framingOf(head: Head, url: URL): Framing {
  if (head.status === 204 || head.status === 304) return { kind: 'none' };
  const te = head.headers['transfer-encoding'];
  if (te !== undefined) {
    if (!/(?:^|,)\s*chunked\s*$/i.test(String(te))) throw protocolError(url, `unsupported Transfer-Encoding ${JSON.stringify(te)}`);
    return { kind: 'chunked' };
  }
  const cl = head.headers['content-length'];
  if (cl !== undefined) {
    const values = new Set(String(cl).split(',').map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) throw protocolError(url, `invalid Content-Length ${JSON.stringify(cl)}`);
    return { kind: 'length', left: Number(only) };
  }
  return { kind: 'close' };
}

/** The body: views of the slabs, queued until taken; the socket pauses while too much waits. */
class SocketBody implements ResponseBody {
  readonly #socket: net.Socket;
  readonly #queue: Buffer[] = [];
  #queued = 0;
  #paused = false;
  #complete = false;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #discarding = false;

  constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  get complete(): boolean {
    return this.#complete;
  }

  get readableEnded(): boolean {
    return this.#ended;
  }

  /** A piece of the body; false asks the socket to stop reading for now. */
  push(chunk: Buffer): boolean {
    if (this.#discarding || this.#error) return true;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#signal();
    if (this.#queued > HIGH_WATER) this.#paused = true;
    return !this.#paused;
  }

  finish(): void {
    this.#complete = true;
    this.#socket.destroy();
    this.#signal();
  }

  fail(error: Error): void {
    if (this.#complete || this.#error) return;
    this.#error = error;
    this.#signal();
  }

  resume(): void {
    this.#discarding = true;
    this.#queue.length = 0;
    this.#queued = 0;
    if (this.#complete) return;
    this.#paused = false;
    this.#socket.resume();
  }

  destroy(error?: Error): void {
    if (!this.#complete) this.fail(error ?? prematureClose());
    this.#socket.destroy();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        if (this.#paused && this.#queued <= HIGH_WATER / 2) {
          this.#paused = false;
          this.#socket.resume();
        }
        yield chunk;
        continue;
      }
      if (this.#error) throw this.#error;
      if (this.#complete) {
        this.#ended = true;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/** Reads a chunked body (RFC 9112 section 7.1): size lines, data, trailers. */
class ChunkedDecoder {
  #state: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  #line = '';
  #left = 0;

  /** Feed bytes; calls `emit` with body data; returns true once the last chunk and trailers are in. */
  feed(bytes: Buffer, emit: (data: Buffer) => void, url: URL): boolean {
    let at = 0;
    while (at < bytes.length) {
      if (this.#state === 'data') {
        const n = Math.min(this.#left, bytes.length - at);
        emit(bytes.subarray(at, at + n));
        at += n;
        this.#left -= n;
        if (this.#left === 0) this.#state = 'data-end';
        continue;
      }
      const nl = bytes.indexOf(0x0a, at);
      const end = nl < 0 ? bytes.length : nl + 1;
      this.#line += bytes.toString('latin1', at, end);
      at = end;
      if (this.#line.length > MAX_CHUNK_LINE) throw protocolError(url, 'a chunk-size line of the body is too long');
      if (nl < 0) continue;
      const line = this.#line.replace(/\r?\n$/, '');
      this.#line = '';
      if (this.#state === 'data-end') {
        if (line !== '') throw protocolError(url, 'a chunk of the body does not end with CRLF');
        this.#state = 'size';
      } else if (this.#state === 'size') {
        const size = /^([0-9A-Fa-f]{1,12})\s*(?:;.*)?$/.exec(line)?.[1];
        if (size === undefined) throw protocolError(url, `invalid chunk size ${JSON.stringify(line.slice(0, 40))}`);
        this.#left = parseInt(size, 16);
        this.#state = this.#left === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        return true;
      }
    }
    return false;
  }
}

/**
 * Send a GET and resolve with the answer's status and headers once they are
 * in; the body follows. Socket failures reject typed (Network, Tls,
 * Timeout), as the pooled transport does.
 */
export function socketGet(options: SocketGetOptions): Promise<SocketGetResponse> {
  const { url, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  const request = requestHead(url, options.headers);
  if (request instanceof RegistryError) return Promise.reject(request);
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port) || (secure ? 443 : 80);
  const slabs = new Slabs();

  return new Promise<SocketGetResponse>((resolve, reject) => {
    let head = Buffer.alloc(0);
    let body: SocketBody | undefined;
    let framing: Framing | undefined;
    let chunked: ChunkedDecoder | undefined;
    let settled = false;

    const fail = (err: Error): void => {
      if (!settled) {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? (signal.reason as Error) : networkError(err, 'GET', url));
      } else {
        body?.fail(err);
      }
      socket.destroy();
    };

    /** Body bytes as they come; false pauses the socket. */
    const onBody = (bytes: Buffer): boolean => {
      const b = body!;
      const f = framing!;
      if (f.kind === 'length') {
        const take = bytes.subarray(0, f.left);
        f.left -= take.length;
        const more = take.length > 0 ? b.push(take) : true;
        if (f.left === 0) b.finish();
        return more;
      }
      if (f.kind === 'chunked') {
        let more = true;
        if (chunked!.feed(bytes, (data) => (more = b.push(data) && more), url)) b.finish();
        return more;
      }
      return b.push(bytes);
    };

    /** Head bytes until the blank line; then the rest is body. */
    const onHead = (bytes: Buffer): boolean => {
      head = Buffer.concat([head, bytes]);
      for (;;) {
        const end = head.indexOf('\r\n\r\n');
        if ((end < 0 ? head.length : end) > MAX_HEAD_BYTES) throw protocolError(url, `the answer's headers exceed ${MAX_HEAD_BYTES} bytes`);
        if (end < 0) return true;
        const parsed = parseHead(head.toString('latin1', 0, end), url);
        const rest = head.subarray(end + 4);
        if (parsed.status >= 100 && parsed.status < 200) {
          head = rest;
          continue;
        }
        framing = framingOf(parsed, url);
        if (framing.kind === 'chunked') chunked = new ChunkedDecoder();
        body = new SocketBody(socket);
        settled = true;
        resolve({ status: parsed.status, headers: parsed.headers, body });
        if (framing.kind === 'none' || (framing.kind === 'length' && framing.left === 0)) {
          body.finish();
          return true;
        }
        return rest.length > 0 ? onBody(rest) : true;
      }
    };

    const onread = {
      buffer: () => slabs.next(),
      callback: (n: number): boolean => {
        const bytes = slabs.take(n);
        try {
          return body === undefined ? onHead(bytes) : onBody(bytes);
        } catch (err) {
          fail(err as Error);
          return false;
        }
      },
    };
    const socket: net.Socket = secure
      ? tls.connect({ ...options.tls, host, port, ...(net.isIP(host) === 0 ? { servername: host } : {}), ALPNProtocols: ['http/1.1'], onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread });
    const onAbort = (): void => fail(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(options.timeoutMs, () => fail(timeoutError('GET', url, options.timeoutMs, 'progress')));
    socket.on('error', fail);
    socket.on('end', () => {
      if (body?.complete) return;
      if (framing?.kind === 'close') body!.finish();
      else fail(prematureClose());
    });
    socket.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!body?.complete) fail(prematureClose());
    });
    socket.write(request);
  });
}
