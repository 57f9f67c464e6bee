/** TLS: a registry with a certificate from its own CA. */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithPeers, rejection, startRegistry, type RunningRegistry } from '@ocikit/testkit';
import { RegistryErrorCode } from '../errors.js';
import { collect, testBlob } from '../test-support/content.js';
import { RegistryClient } from './registry-client.js';

describeWithPeers(['docker-registry', 'openssl'], 'a registry over TLS', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('fails with Tls and a hint when the CA is unknown', async () => {
    const client = new RegistryClient(registry.host);
    const err = await client.ping().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    client.close();
    expect(err).toMatchObject({ code: RegistryErrorCode.Tls });
    expect(err!.message).toContain(`https://${registry.host}/v2/`);
    expect(err!.message).toContain('--tls-verify=false');
    expect(err!.message).toContain('CA file');
  });

  it('succeeds with the CA file', async () => {
    const client = new RegistryClient(registry.host, { caFiles: [registry.caFile!] });
    await expect(client.ping()).resolves.toBeUndefined();
    client.close();
  });

  it('succeeds with tlsVerify=false, still over https', async () => {
    const client = new RegistryClient(registry.host, { tlsVerify: false });
    await expect(client.ping()).resolves.toBeUndefined();
    await expect(client.repository('tls/none').statBlob(`sha256:${'0'.repeat(64)}`)).resolves.toBeUndefined();
    client.close();
  });

  it('pushes and pulls a large blob over TLS (read straight from the socket) verified', async () => {
    const client = new RegistryClient(registry.host, { caFiles: [registry.caFile!] });
    const repo = client.repository('tls/large');
    const blob = testBlob(5 * 1024 * 1024);
    await repo.pushBlob(blob.desc, blob.open);
    expect((await collect(repo.fetchBlob(blob.desc))).equals(blob.bytes)).toBe(true);
    // The same read, with a certificate nobody vouches for, is refused at the handshake.
    const untrusting = new RegistryClient(registry.host, { tlsVerify: true });
    expect(await rejection(collect(untrusting.repository('tls/large').fetchBlob(blob.desc)))).toMatchObject({ code: RegistryErrorCode.Tls });
    untrusting.close();
    client.close();
  });

  it('names a CA file it cannot read', async () => {
    const client = new RegistryClient(registry.host, { caFiles: ['/nonexistent/ca.pem'] });
    await expect(client.ping()).rejects.toMatchObject({ code: RegistryErrorCode.Tls });
    client.close();
  });
});
