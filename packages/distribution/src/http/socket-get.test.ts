/**
 * The socket-read GET against a real loopback server that writes exactly the
 * bytes each case needs: framing by length, by chunks and by close; interim
 * answers; answers cut short; malformed heads; aborts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rejection } from '@ocikit/testkit';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { RegistryErrorCode } from '../errors.js';
import { socketGet, type SocketGetResponse } from './socket-get.js';

/** Each connection gets the reply of the path it asks for, written in the pieces given. */
type Script = (socket: net.Socket) => void;

describe('socketGet', () => {
  const scripts = new Map<string, Script>();
  const seen: string[] = [];
  let server: net.Server;
  let base: string;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      let head = '';
      socket.on('data', (d) => {
        if (head.includes('\r\n\r\n')) return;
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        seen.push(head);
        const target = /^GET (\S+) HTTP\/1\.1\r\n/.exec(head)?.[1] ?? '';
        const script = scripts.get(target);
        if (script) script(socket);
        else socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string, extra: { headers?: Record<string, string>; signal?: AbortSignal } = {}) =>
    socketGet({ url: new URL(path, base), headers: extra.headers ?? {}, tls: {}, timeoutMs: 30_000, ...(extra.signal ? { signal: extra.signal } : {}) });

  async function bodyOf(res: SocketGetResponse): Promise<{ bytes: Buffer; chunks: Buffer[] }> {
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c);
    return { bytes: Buffer.concat(chunks), chunks };
  }

  it('reads a Content-Length body, every chunk still intact when all have arrived', async () => {
    const payload = randomBytes(9 * 1024 * 1024 + 17);
    scripts.set('/length', (s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\nDocker-Content-Digest: x\r\n\r\n`);
      s.end(payload);
    });
    const res = await get('/length');
    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe('x');
    const { bytes, chunks } = await bodyOf(res);
    // The chunks are views of slabs: had a slab been written again, an early chunk would have changed.
    expect(bytes.equals(payload)).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    expect(res.body.complete).toBe(true);
    expect(res.body.readableEnded).toBe(true);
  });

  it('sends its headers and closes the connection after the body', async () => {
    scripts.set('/headers', (s) => s.end('HTTP/1.1 204 No Content\r\n\r\n'));
    const res = await get('/headers?n=1', { headers: { authorization: 'Bearer t0ken', range: 'bytes=5-' } });
    expect(res.status).toBe(404);
    const head = seen.at(-1)!;
    expect(head).toMatch(/^GET \/headers\?n=1 HTTP\/1\.1\r\n/);
    expect(head).toContain('\r\nauthorization: Bearer t0ken\r\n');
    expect(head).toContain('\r\nrange: bytes=5-\r\n');
    expect(head).toContain('\r\nconnection: close\r\n');
    expect(head).toContain(`\r\nhost: ${new URL(base).host}\r\n`);
    const noContent = await get('/headers');
    expect(noContent.status).toBe(204);
    expect((await bodyOf(noContent)).bytes.length).toBe(0);
  });

  it('decodes a chunked body with extensions and trailers, however the pieces fall', async () => {
    const parts = [randomBytes(70_000), randomBytes(3), randomBytes(300_000)];
    const wire = Buffer.concat([
      ...parts.flatMap((p, i) => [Buffer.from(`${p.length.toString(16)}${i === 1 ? ';name=value' : ''}\r\n`), p, Buffer.from('\r\n')]),
      Buffer.from('0\r\nx-trailer: 1\r\n\r\n'),
    ]);
    scripts.set('/chunked', (s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      // Split at every awkward place: inside a size line, inside a CRLF, inside data.
      for (let at = 0; at < wire.length; at += 4093) s.write(wire.subarray(at, at + 4093));
      // The connection stays open: the last chunk, not the close, ends the body.
    });
    const res = await get('/chunked');
    expect((await bodyOf(res)).bytes.equals(Buffer.concat(parts))).toBe(true);
  });

  it('skips an interim 100 answer and reads a body that ends with the connection', async () => {
    scripts.set('/close', (s) => {
      s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nhello, ');
      s.end('world');
    });
    const res = await get('/close');
    expect(res.status).toBe(200);
    expect((await bodyOf(res)).bytes.toString()).toBe('hello, world');
  });

  it('fails a body cut short with a network error that a retry may resume', async () => {
    scripts.set('/short', (s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
      s.end(randomBytes(50_000));
    });
    const res = await get('/short');
    const err = await rejection(bodyOf(res));
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    scripts.set('/short-chunked', (s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789');
      s.end();
    });
    expect(await rejection(bodyOf(await get('/short-chunked')))).toMatchObject({ code: 'ECONNRESET' });
  });

  it('refuses malformed answers with a Protocol error', async () => {
    scripts.set('/garbage', (s) => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    scripts.set('/huge-head', (s) => {
      s.write('HTTP/1.1 200 OK\r\n');
      s.end(`x-filler: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    });
    scripts.set('/two-lengths', (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello'));
    scripts.set('/bad-chunk', (s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'));
    scripts.set('/gzip-te', (s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'));
    for (const path of ['/garbage', '/huge-head', '/two-lengths', '/gzip-te']) {
      expect(await rejection(get(path))).toMatchObject({ code: RegistryErrorCode.Protocol });
    }
    const res = await get('/bad-chunk');
    const err = await rejection(bodyOf(res));
    expect(err).toMatchObject({ code: RegistryErrorCode.Protocol });
    expect((err).message).toContain('/bad-chunk');
  });

  it('refuses to send a header that would split the request', async () => {
    const before = seen.length;
    const err = await rejection(get('/length', { headers: { authorization: 'Bearer a\r\nx-injected: 1' } }));
    expect(err).toMatchObject({ code: RegistryErrorCode.Protocol });
    expect(seen.length).toBe(before);
  });

  it('stops on abort, before the answer and in the middle of the body', async () => {
    scripts.set('/never', () => undefined);
    const early = new AbortController();
    const pending = get('/never', { signal: early.signal });
    early.abort(new Error('stopped by the test'));
    expect(await rejection(pending)).toMatchObject({ message: 'stopped by the test' });

    scripts.set('/slow', (s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1000)}`));
    const late = new AbortController();
    const res = await get('/slow', { signal: late.signal });
    const it = res.body[Symbol.asyncIterator]();
    expect((await it.next()).value).toHaveLength(1000);
    late.abort(new Error('stopped mid-body'));
    expect(await rejection(it.next())).toMatchObject({ message: 'stopped mid-body' });
  });

  it('reports a refused connection as a Network error', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await rejection(socketGet({ url: new URL(`http://127.0.0.1:${port}/x`), headers: {}, tls: {}, timeoutMs: 30_000 }));
    expect(err).toMatchObject({ code: RegistryErrorCode.Network });
    expect((err).message).toContain('ECONNREFUSED');
  });
});
