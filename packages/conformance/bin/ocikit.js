#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `ocikit ... | head`: a closed pipe is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
