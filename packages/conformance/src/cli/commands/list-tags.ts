import { parseTransportReference, TransportName } from '@ocikit/transport';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { openRepository, REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';

const usage = `Usage: ocikit list-tags [registry flags] docker://HOST[:PORT]/REPO

List the tags of a repository as skopeo list-tags does: always JSON,
{"Repository": "HOST/REPO", "Tags": [...]}, the tags in the registry's
order (lexical), every page followed. --json is accepted and changes
nothing. The reference names a repository: a tag or digest is refused.

Registry flags:
${registryFlagsHelp()}

Exit status: 0 printed; 1 a registry error (NAME_UNKNOWN, UNAUTHORIZED,
DENIED, REGISTRY_TLS, REGISTRY_NETWORK, ...); 2 usage error.
`;

const options = { ...flags('boolean', 'json'), ...REGISTRY_FLAGS } as const;

/** True when the last path component of `docker://…` carries `:TAG` or `@DIGEST` (the parsed form adds `latest`). */
function namesTagOrDigest(text: string): boolean {
  const last = text.slice(text.lastIndexOf('/') + 1);
  return last.includes(':') || last.includes('@');
}

export const command = defineCommand('list-tags', { summary: 'list the tags of a registry repository (like skopeo list-tags)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('list-tags: name exactly one repository, docker://HOST[:PORT]/REPO');
  const text = positionals[0]!;
  const ref = parseTransportReference(text);
  if (ref.transport !== TransportName.Docker) throw new UsageError(`list-tags: ${JSON.stringify(text)} is no registry repository; expected docker://HOST[:PORT]/REPO`);
  if (namesTagOrDigest(text)) throw new UsageError(`list-tags: ${JSON.stringify(text)} names a tag or digest; name the repository only (docker://HOST[:PORT]/REPO)`);
  const { repository, client } = await openRepository('list-tags', values, ref, io);
  try {
    const tags: string[] = [];
    for await (const tag of repository.tags()) tags.push(tag);
    await write(io.stdout, `${JSON.stringify({ Repository: `${ref.reference.domain}/${ref.reference.path}`, Tags: tags }, null, 4)}\n`);
    return ExitCode.Ok;
  } finally {
    client.close();
  }
});
