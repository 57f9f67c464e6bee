import { existsSync } from 'node:fs';
import path from 'node:path';
import { Layout } from '@ocikit/bundle';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand } from '../options.js';

const usage = `Usage: ocikit init LAYOUT

Create an empty OCI image layout in the directory LAYOUT (like umoci init):
oci-layout, an index.json with no manifests, and blobs/. LAYOUT may be
missing or empty; an existing layout is left as it is. A directory that
holds other files is refused.

Exit status: 0 created, or already a layout; 1 LAYOUT holds other files
(DIRECTORY_NOT_EMPTY) or is an invalid layout; 2 usage error.
`;

export const command = defineCommand('init', { summary: 'create an empty OCI image layout (like umoci init)', usage, options: {} }, async ({ positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('init: name exactly one LAYOUT directory');
  const dir = positionals[0]!;
  const existed = existsSync(path.join(dir, 'oci-layout'));
  await Layout.create(dir, { adopt: false });
  await write(io.stdout, existed ? `${dir} is already an OCI image layout\n` : `created an empty OCI image layout in ${dir}\n`);
  return ExitCode.Ok;
});
