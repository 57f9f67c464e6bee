import { removeAllCredentials, removeCredentials } from '@ocikit/distribution';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { authFileOptions, loginKey } from './login.js';

const usage = `Usage: ocikit logout [--authfile FILE] REGISTRY
       ocikit logout --all [--authfile FILE]

Remove the credentials "ocikit login" (or skopeo, podman) stored for
REGISTRY (HOST[:PORT] or HOST[:PORT]/NAMESPACE): from the auth file
(--authfile, else $REGISTRY_AUTH_FILE, else
\${XDG_RUNTIME_DIR}/containers/auth.json) and from the credential helper it
names. Credentials in other files of the search (docker's config.json)
stay, as with skopeo logout.

  --all             remove every registry's credentials from the auth file
  --authfile FILE   the auth file to edit
  --json            print {"removed": REGISTRY} ({"removed": "*"} for --all),
                    and errors as JSON

Exit status: 0 removed; 1 not logged in to REGISTRY, or the file or helper
could not be edited (CREDENTIALS_ERROR); 2 usage error.
`;

const options = { ...flags('boolean', 'all', 'json'), ...flags('string', 'authfile') } as const;

export const command = defineCommand('logout', { summary: 'remove the stored credentials for a registry (like skopeo logout)', usage, options }, async ({ values, positionals }, io) => {
  const fileOptions = authFileOptions(values, io);
  if (values.all === true) {
    if (positionals.length !== 0) throw new UsageError('logout: --all names no REGISTRY');
    await removeAllCredentials(fileOptions);
    await write(io.stdout, values.json === true ? `${JSON.stringify({ removed: '*' })}\n` : 'Removed login credentials for all registries\n');
    return ExitCode.Ok;
  }
  if (positionals.length !== 1) throw new UsageError('logout: name exactly one REGISTRY (HOST[:PORT]), or use --all');
  const { key } = loginKey('logout', positionals[0]!);
  await removeCredentials(key, fileOptions);
  await write(io.stdout, values.json === true ? `${JSON.stringify({ removed: key })}\n` : `Removed login credentials for ${key}\n`);
  return ExitCode.Ok;
});
