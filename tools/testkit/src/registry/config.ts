/**
 * docker-registry v2.8's configuration file for a test registry. Written as
 * JSON, which YAML 1.2 (and the registry's YAML parser) reads as flow style,
 * so no value needs YAML quoting rules.
 */
import { writeFile } from 'node:fs/promises';

export interface RegistryConfigInput {
  readonly addr: string;
  readonly storage: string;
  readonly secret: string;
  readonly tls?: { readonly certificate: string; readonly key: string };
  readonly htpasswd?: { readonly realm: string; readonly path: string };
  readonly token?: { readonly realm: string; readonly service: string; readonly issuer: string; readonly rootcertbundle: string };
}

/** The configuration object; `configure` hooks in startRegistry may change it before it is written. */
export function registryConfig(input: RegistryConfigInput): Record<string, unknown> {
  const http: Record<string, unknown> = { addr: input.addr, secret: input.secret, headers: { 'X-Content-Type-Options': ['nosniff'] } };
  if (input.tls) http['tls'] = { certificate: input.tls.certificate, key: input.tls.key };
  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'info', formatter: 'text', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: input.storage },
      // Tests delete manifests and blobs (distribution-spec "Content Management").
      delete: { enabled: true },
      // No background upload purging or read-only switch during a test.
      maintenance: { uploadpurging: { enabled: false }, readonly: { enabled: false } },
    },
    http,
    health: { storagedriver: { enabled: false } },
  };
  if (input.htpasswd) config['auth'] = { htpasswd: { realm: input.htpasswd.realm, path: input.htpasswd.path } };
  if (input.token) config['auth'] = { token: { ...input.token } };
  return config;
}

export async function writeRegistryConfig(file: string, config: Record<string, unknown>): Promise<void> {
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
