/**
 * `ocikit run --verify-key PUB`: the image's signature is verified where
 * the image lives, before a byte is pulled, and the run is pinned to the
 * digest that verified. PUB is a cosign public key (PEM) or armored OpenPGP
 * public keys (containers/image simple signing), told apart by content.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Layout, openLayout } from '@ocikit/bundle';
import { RegistryClient } from '@ocikit/distribution';
import { TransportName, type TransportReference } from '@ocikit/transport';
import { UsageError } from './exit-codes.js';
import type { CommandIO } from './io.js';
import { registryClientOptions } from './registry-options.js';

/** The digest a signature verified for, by the key in `keyFile`. */
export async function verifyRunImage(ref: TransportReference, keyFile: string, identity: string | undefined, values: Record<string, unknown>, io: CommandIO): Promise<string> {
  const lib = await import('@ocikit/signature');
  const file = path.resolve(io.cwd, keyFile);
  const head = readFileSync(file, 'utf8').slice(0, 4096);
  const openpgp = head.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  const publicKey = openpgp ? undefined : await lib.readCosignPublicKey(file);
  const trustedKeys = { keyFiles: [file] };
  if (ref.transport === TransportName.Docker) {
    const { domain, path: repo, tag, digest } = ref.reference;
    const reference = digest ?? tag ?? 'latest';
    const name = `${domain}/${repo}${digest !== undefined ? '@' : ':'}${reference}`;
    const client = new RegistryClient(domain, await registryClientOptions('run', values, domain, undefined, io));
    try {
      const repository = client.repository(repo);
      const expectedReference = identity ?? name;
      const got = publicKey
        ? await lib.verifyImageCosign({ repository, reference, publicKey, expectedReference })
        : await lib.verifyImageSimple({ repository, reference, name, trustedKeys, expectedReference });
      return got.manifestDigest;
    } finally {
      client.close();
    }
  }
  if (identity === undefined) throw new UsageError('run: an image in a layout has no registry name; say which identity its signature names with --verify-identity HOST/REPO:TAG');
  const reference = typeof ref.target === 'string' ? ref.target : (ref.target?.digest ?? 'latest');
  const verify = async (layout: Layout) =>
    publicKey
      ? (await lib.verifyLayoutImageCosign({ layout, reference, publicKey, expectedReference: identity })).manifestDigest
      : (await lib.verifyLayoutImageSimple({ layout, reference, trustedKeys, expectedReference: identity })).manifestDigest;
  if (ref.transport === TransportName.Oci) return verify(await Layout.open(ref.path));
  const opened = await openLayout(path.resolve(io.cwd, ref.path));
  try {
    return await verify(opened.layout);
  } finally {
    opened.close();
  }
}
