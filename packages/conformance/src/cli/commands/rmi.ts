import { ImageStore, defaultStoreRoot, imagesInUse } from '@ocikit/container';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';

const usage = `Usage: ocikit rmi [--force] IMAGE...

Remove images from the local store by the name they were pulled by
(busybox, HOST/REPO:TAG, localhost/NAME:REF) or by digest. The unpacked
tree goes with the last name of an image. An image a container uses is
kept (IMAGE_IN_USE) unless --force, which removes the name and leaves the
tree to the container. Blobs are freed by ocikit prune.

Exit status: 0 removed; 1 in use; 2 usage error or no such image.
`;

const options = flags('boolean', 'force');

export const command = defineCommand('rmi', { summary: 'remove images from the local store', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length === 0) throw new UsageError('rmi: name at least one image');
  const store = new ImageStore(defaultStoreRoot(io.env));
  for (const image of positionals) {
    const removed = await store.removeImage(image, imagesInUse(store.paths), { force: values.force === true });
    await write(io.stdout, `removed ${removed.name} (${removed.digest})${removed.bundleRemoved ? ', and its unpacked tree' : ''}\n`);
  }
  return ExitCode.Ok;
});
