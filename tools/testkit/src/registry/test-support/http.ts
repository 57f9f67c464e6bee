/** Plain HTTP moves for the registry tests: what any client does, written with node's own fetch and http(s). */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Monolithic push (distribution-spec "POST then PUT"): returns the statuses and the Location the POST gave. */
export async function pushBlob(base: string, repo: string, data: Buffer, headers: Record<string, string> = {}) {
  const digest = sha256(data);
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  await start.arrayBuffer();
  const location = start.headers.get('location');
  if (start.status !== 202 || location === null) return { digest, postStatus: start.status, location, putStatus: undefined };
  const target = new URL(location, base);
  target.searchParams.set('digest', digest);
  const put = await fetch(target, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: data });
  await put.arrayBuffer();
  return { digest, postStatus: start.status, location, putStatus: put.status };
}

export interface RawResponse {
  status?: number;
  headers?: IncomingHttpHeaders;
  body: Buffer;
  /** Whether the whole body arrived. */
  complete: boolean;
  /** The error code when the exchange failed (ECONNRESET, ...). */
  error?: string;
}

/** One request with node's http(s), reporting a cut or reset connection instead of throwing. */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; ca?: string; servername?: string; body?: Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (r: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = send(target, { method: options.method ?? 'GET', headers: options.headers, agent: false, ...(options.ca !== undefined ? { ca: options.ca } : {}), ...(options.servername !== undefined ? { servername: options.servername } : {}) }, (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }));
      res.once('error', (e: NodeJS.ErrnoException) => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), complete: false, error: e.code ?? e.message }));
      res.once('close', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }));
    });
    req.once('error', (e: NodeJS.ErrnoException) => done({ body: Buffer.concat(chunks), complete: false, error: e.code ?? e.message }));
    req.end(options.body);
  });
}
