/**
 * A plain static web server on loopback serving one directory, as a
 * lookaside storage is published (signature-protocols.md: "a simple static
 * web server serving a directory structure created by writing to a file:///
 * signature storage"). `faults` answers chosen requests with a status
 * instead, to test what a reader does with a failing server.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface StaticServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Every path requested, in order. */
  requests: string[];
  /** The Authorization header of each request (undefined when absent), in order. */
  authorizations: (string | undefined)[];
  /** Statuses to answer the next requests with, consumed one per request (before the file is looked at). */
  faults: number[];
  close(): Promise<void>;
}

export async function startStaticServer(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const faults: number[] = [];
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(urlPath);
    authorizations.push(req.headers.authorization);
    const fault = faults.shift();
    if (fault !== undefined) {
      res.writeHead(fault).end();
      return;
    }
    const file = path.resolve(root, `.${urlPath}`);
    if (req.method !== 'GET' || (file !== root && !file.startsWith(`${root}${path.sep}`))) {
      res.writeHead(req.method !== 'GET' ? 405 : 403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
