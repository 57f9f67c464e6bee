/**
 * A plain-HTTP reverse proxy in front of a test registry that injects faults
 * on purpose: a status (500, 502, 503, 429 with Retry-After) instead of the
 * upstream's answer, a response cut after N body bytes (a download dropped
 * mid-blob), or a connection reset before any response. Everything else is
 * streamed both ways untouched (never buffered; keep-alive on both sides),
 * except `Location` headers that point at the upstream, which are rewritten
 * to the proxy so that upload sessions keep going through it
 * (distribution-spec "Pushing a blob in chunks": the client follows Location).
 */
import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { RunningRegistry } from './registry.js';

export type FaultAction =
  /** Answer this status instead of forwarding (the request body is read and discarded). */
  | { status: number; retryAfter?: number }
  /** Forward, then destroy the client's connection after this many bytes of the response body. */
  | { dropAfterBytes: number }
  /** Reset the client's connection (TCP RST) before any response. */
  | { resetBeforeResponse: true };

export interface Fault {
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Tested against the request target (path and query). */
  path: RegExp;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  action: FaultAction;
}

/** One request the proxy received, for assertions. */
export interface ProxiedRequest {
  method: string;
  /** The request target: path and query. */
  path: string;
  /** The status the client was sent (the upstream's, or the fault's); absent after a reset or an upstream failure before headers. */
  status?: number;
  /** The request's Range header. */
  range?: string;
  /** The fault applied, if any. */
  fault?: 'status' | 'drop' | 'reset';
}

export interface RunningProxy {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Every request so far, oldest first. */
  readonly requests: ProxiedRequest[];
  /** Client connections accepted so far: fewer than requests when clients keep connections alive. */
  readonly connections: number;
  /** Replaces the fault list (and its counts). */
  setFaults(faults: Fault[]): void;
  stop(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's, not the message's; `expect` was answered by this proxy. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(String(headers['connection'] ?? '').split(',').map((s) => s.trim().toLowerCase()));
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value;
  }
  return out;
}

const STATUS_CODES: Record<number, string> = { 429: 'TOOMANYREQUESTS', 503: 'UNAVAILABLE' };

/** The distribution-spec error body ("Error Codes") for a faked status. */
function faultBody(status: number): string {
  return JSON.stringify({ errors: [{ code: STATUS_CODES[status] ?? 'UNKNOWN', message: `fault injected by the test proxy (status ${status})` }] });
}

/** Starts the proxy on a free loopback port, forwarding to `upstream` (a running registry, or a base URL). */
export async function startFaultProxy(upstream: RunningRegistry | string, faults: Fault[] = []): Promise<RunningProxy> {
  const base = new URL(typeof upstream === 'string' ? upstream : upstream.url);
  const ca = typeof upstream === 'string' ? undefined : upstream.caPem;
  const secure = base.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, ...(ca !== undefined ? { ca } : {}) }) : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  const requests: ProxiedRequest[] = [];
  let armed: { fault: Fault; left: number }[] = [];
  let proxyOrigin = '';

  const setFaults = (list: Fault[]) => {
    armed = list.map((fault) => ({ fault, left: fault.times ?? 1 }));
  };
  setFaults(faults);

  const take = (req: IncomingMessage): FaultAction | undefined => {
    for (const entry of armed) {
      if (entry.left <= 0) continue;
      if (entry.fault.method !== undefined && entry.fault.method.toUpperCase() !== req.method) continue;
      entry.fault.path.lastIndex = 0; // a /g or /y pattern keeps state between tests
      if (!entry.fault.path.test(req.url ?? '')) continue;
      entry.left -= 1;
      return entry.fault.action;
    }
    return undefined;
  };

  const rewriteLocation = (location: string): string => {
    try {
      const target = new URL(location);
      if (target.origin === base.origin) return `${proxyOrigin}${target.pathname}${target.search}${target.hash}`;
    } catch {
      // relative: already resolves against the proxy
    }
    return location;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, entry: ProxiedRequest, dropAfter: number | undefined) => {
    const headers = endToEnd(req.headers);
    // The upstream then builds its absolute URLs for itself; rewriteLocation maps them back.
    headers['host'] = base.host;
    const outgoing = send({ protocol: base.protocol, hostname: base.hostname, port: base.port, method: req.method, path: req.url, headers, agent });
    const abandon = () => {
      outgoing.destroy();
    };
    res.once('close', () => {
      if (!res.writableFinished) abandon();
    });
    outgoing.once('error', () => {
      if (!res.headersSent) {
        entry.status = 502;
        const body = faultBody(502);
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else res.destroy();
    });
    outgoing.once('response', (incoming) => {
      entry.status = incoming.statusCode ?? 0;
      const out = endToEnd(incoming.headers);
      if (typeof out['location'] === 'string') out['location'] = rewriteLocation(out['location']);
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, out);
      if (dropAfter === undefined || req.method === 'HEAD') {
        incoming.pipe(res);
        return;
      }
      entry.fault = 'drop';
      const socket = res.socket as Socket;
      // Let what was written reach the client, then close: the client sees a body shorter than announced.
      const cut = () => {
        incoming.destroy();
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      };
      let remaining = dropAfter;
      if (remaining === 0) {
        res.flushHeaders();
        cut();
        return;
      }
      const onData = (chunk: Buffer) => {
        if (chunk.length < remaining) {
          remaining -= chunk.length;
          if (!res.write(chunk)) {
            incoming.pause();
            res.once('drain', () => incoming.resume());
          }
          return;
        }
        incoming.off('data', onData);
        incoming.pause();
        res.write(chunk.subarray(0, remaining), cut);
      };
      incoming.on('data', onData);
      incoming.once('end', () => res.end()); // shorter than N: nothing to drop
    });
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    const entry: ProxiedRequest = { method: req.method ?? '', path: req.url ?? '' };
    if (req.headers.range !== undefined) entry.range = req.headers.range;
    requests.push(entry);
    const action = take(req);
    if (action !== undefined && 'resetBeforeResponse' in action) {
      entry.fault = 'reset';
      req.socket.resetAndDestroy();
      return;
    }
    if (action !== undefined && 'status' in action) {
      entry.fault = 'status';
      entry.status = action.status;
      const body = faultBody(action.status);
      res.writeHead(action.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'docker-distribution-api-version': 'registry/2.0',
        ...(action.retryAfter !== undefined ? { 'retry-after': String(action.retryAfter) } : {}),
      });
      res.end(body);
      // Node reads and discards an unread request body once the response is done, so the connection stays usable.
      return;
    }
    forward(req, res, entry, action !== undefined && 'dropAfterBytes' in action ? action.dropAfterBytes : undefined);
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  proxyOrigin = `http://${host}`;
  let stopping: Promise<void> | undefined;
  return {
    host,
    url: proxyOrigin,
    requests,
    get connections() {
      return connections;
    },
    setFaults,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return stopping;
    },
  };
}
