import { ImageStore, defaultStoreRoot, imagesInUse } from '@ocikit/container';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { bytes } from '../progress.js';

const usage = `Usage: ocikit prune [--json]

Free what the local store keeps for nothing: unpacked trees of images no
name points at and no container uses, then every blob no image reaches (gc,
sparing blobs written in the last 15 minutes, which a pull may be writing).

  --json   print {"bundles": [DIGEST...], "blobs": N, "bytes": N}

Exit status: 0 pruned.
`;

const options = flags('boolean', 'json');

export const command = defineCommand('prune', { summary: 'remove unused unpacked images and blobs from the local store', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length > 0) throw new UsageError('prune: takes no arguments');
  const store = new ImageStore(defaultStoreRoot(io.env));
  const { bundles, gc } = await store.prune(imagesInUse(store.paths));
  const freed = gc.removed.reduce((n, b) => n + b.size, 0);
  if (values.json) await write(io.stdout, `${JSON.stringify({ bundles, blobs: gc.removed.length, bytes: freed })}\n`);
  else await write(io.stdout, `removed ${bundles.length} unpacked image${bundles.length === 1 ? '' : 's'} and ${gc.removed.length} blob${gc.removed.length === 1 ? '' : 's'} (${bytes(freed)})\n`);
  return ExitCode.Ok;
});
