// The validate-cli benchmark's baseline, as its own process: ajv on
// image-spec's own JSON schemas (the loader the image-spec differential tests
// use), as a user without ocikit would run it. Plain JavaScript, so that no
// TypeScript loader is in the measurement.
//
// `node upstream-image-spec.mjs DIR KINDS.json` validates every file of DIR as
// the kind KINDS.json names for it; exit status 1 if any is invalid.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { upstreamValidators } from '../../../../packages/image-spec/src/test-support/upstream-schemas.mjs';

const [dir, kindsFile] = process.argv.slice(2);
const kinds = JSON.parse(readFileSync(kindsFile, 'utf8'));
const validators = upstreamValidators();
let invalid = 0;
for (const f of readdirSync(dir)) {
  const kind = kinds[f];
  if (!kind) continue;
  if (!validators[kind](JSON.parse(readFileSync(path.join(dir, f), 'utf8')))) invalid++;
}
process.exitCode = invalid ? 1 : 0;
