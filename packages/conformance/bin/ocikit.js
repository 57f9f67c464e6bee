#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of our modules in a cache (in the temp
// directory, checked against each file's content): later runs start sooner.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

// `ocikit ... | head`: a closed pipe is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
