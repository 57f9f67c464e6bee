/**
 * Every benchmark, by name. Add one: a file in this folder exporting an
 * object of this shape, and one line in the list.
 */
import { benchmark as conformanceSuite } from './conformance-suite.js';
import { benchmark as copy } from './copy.js';
import { benchmark as digest } from './digest.js';
import { bundleDigestBenchmark } from './bundle-digest.js';
import { packBenchmark } from './pack.js';
import { benchmark as imageSpecValidate } from './image-spec-validate.js';
import { benchmark as unpack } from './unpack.js';
import { benchmark as run } from './run.js';
import { benchmark as runtimeSpecValidate } from './runtime-spec-validate.js';
import { benchmark as validateCli } from './validate-cli.js';

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<void>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  digest,
  bundleDigestBenchmark,
  packBenchmark,
  imageSpecValidate,
  unpack,
  runtimeSpecValidate,
  validateCli,
  copy,
  run,
  conformanceSuite,
];
