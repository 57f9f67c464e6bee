/** One bounded `GET` on loopback, over http or https with a given CA: the readiness check of the servers tests start. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The status of `GET url`, or the error's message when no response came within `timeoutMs`. */
export function probe(url: string, options: { ca?: string; timeoutMs?: number } = {}): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'GET', agent: false, timeout: options.timeoutMs ?? 2_000, ...(options.ca !== undefined ? { ca: options.ca } : {}) }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.once('timeout', () => req.destroy(new Error(`no response within ${options.timeoutMs ?? 2_000} ms`)));
    req.once('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}
