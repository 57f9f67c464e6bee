// One jest setup shared by every workspace. Each workspace's `test` script runs
// jest with this file from its own directory, so rootDir is that workspace.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.dirname(fileURLToPath(import.meta.url));

/** @type {import('jest').Config} */
export default {
  rootDir: process.cwd(),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    // Tests run against sibling packages' sources, not their dist.
    '^@ocikit/testkit$': `${repoRoot}/tools/testkit/src/index.ts`,
    '^@ocikit/testkit/registry$': `${repoRoot}/tools/testkit/src/registry/index.ts`,
    '^@ocikit/(errors|digest|validation|runtime-spec|image-spec|bundle|distribution|signature|transport|conformance)$': `${repoRoot}/packages/$1/src/index.ts`,
    // Subpath exports name a module at the top of src/ (`@ocikit/image-spec/media-types`).
    '^@ocikit/(errors|digest|validation|runtime-spec|image-spec|bundle|distribution|signature|transport|conformance)/([a-z-]+)$': `${repoRoot}/packages/$1/src/$2.ts`,
    // NodeNext source imports end in .js; map them back to the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  passWithNoTests: true,
  // A guard against hangs, never a performance claim: CI machines are shared
  // and a busy one may take many times longer than a quiet one.
  testTimeout: 300_000,
};
