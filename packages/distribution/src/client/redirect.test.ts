/**
 * Blob downloads redirected to storage on another host (distribution-spec
 * "Pulling blobs": a 307 to another service): docker-registry's `redirect`
 * storage middleware sends the client to a plain file server over the
 * registry's storage (through the fault proxy), which records what it was
 * sent. Like many storage services, it ignores Range.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithPeers, startFaultProxy, startRegistry, type RunningProxy, type RunningRegistry } from '@ocikit/testkit';
import { collect, testBlob } from '../test-support/content.js';
import { RegistryClient } from './registry-client.js';

const PASSWORD = 'storage-test-password';

describeWithPeers(['docker-registry', 'htpasswd'], 'blobs redirected to storage', () => {
  let registry: RunningRegistry;
  let storageServer: Server;
  let storageProxy: RunningProxy;
  let storageRoot = '';
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    storageServer = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      // Serve the registry's own files, confined to its storage root.
      const file = path.join(storageRoot, path.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      if (!file.startsWith(`${storageRoot}${path.sep}`)) {
        res.writeHead(403).end();
        return;
      }
      stat(file).then(
        (st) => {
          res.writeHead(200, { 'content-length': st.size, 'content-type': 'application/octet-stream' });
          if (req.method === 'HEAD') res.end();
          else createReadStream(file).pipe(res);
        },
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => storageServer.listen(0, '127.0.0.1', resolve));
    const { port: storagePort } = storageServer.address() as AddressInfo;
    storageProxy = await startFaultProxy(`http://127.0.0.1:${storagePort}`);
    const port = storageProxy.host.split(':')[1]!;
    registry = await startRegistry({
      auth: { kind: 'htpasswd', users: [{ username: 'alice', password: PASSWORD }] },
      configure: (config) => {
        config['middleware'] = { storage: [{ name: 'redirect', options: { baseurl: `http://localhost:${port}/` } }] };
      },
    });
    storageRoot = path.resolve(registry.storage);
  });
  afterAll(async () => {
    await registry?.stop();
    await storageProxy?.stop();
    await new Promise<void>((resolve) => (storageServer ? storageServer.close(() => resolve()) : resolve()));
  });

  it('follows the redirect, verifies the bytes, and sends no Authorization to the storage host', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { username: 'alice', password: PASSWORD } });
    const repo = client.repository('redirect/a');
    const blob = testBlob(70_000);
    await repo.pushBlob(blob.desc, blob.open);
    const before = seen.length;
    expect(await collect(repo.fetchBlob(blob.desc))).toEqual(blob.bytes);
    await expect(repo.statBlob(blob.desc.digest)).resolves.toEqual({ size: blob.desc.size });
    client.close();
    const hits = seen.slice(before);
    expect(hits.map((h) => h.method)).toContain('GET');
    expect(hits.every((h) => h.url.endsWith('/data'))).toBe(true);
    expect(hits.filter((h) => h.headers.authorization !== undefined)).toEqual([]);
  });

  it('resumes a dropped download whose storage ignores Range: the repeated bytes are skipped, the whole verified', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false, credentials: { username: 'alice', password: PASSWORD }, retry: { baseDelayMs: 1 } });
    const repo = client.repository('redirect/b');
    const blob = testBlob(600_000);
    await repo.pushBlob(blob.desc, blob.open);
    storageProxy.setFaults([{ method: 'GET', path: /\/data$/, action: { dropAfterBytes: 200_000 } }]);
    const start = storageProxy.requests.length;
    const got = await collect(repo.fetchBlob(blob.desc));
    client.close();
    expect(got.equals(blob.bytes)).toBe(true);
    const gets = storageProxy.requests.slice(start).filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0]).toMatchObject({ fault: 'drop', status: 200 });
    expect(gets[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(gets[1]!.status).toBe(200);
  });
});
