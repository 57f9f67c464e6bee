// One lint setup for the whole repo: type-aware typescript-eslint rules, no
// import cycles, and imports only down the package dependency direction:
//   errors  <-  digest, validation  <-  runtime-spec (-> validation)  <-  image-spec (-> digest, validation)
//   <-  bundle, distribution (-> image-spec)  <-  transport (-> bundle, distribution)  <-  container (-> transport, runtime-spec)  <-  conformance;
//   everything but validation imports errors (tools/package-graph.json is the table)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

import { readFileSync } from 'node:fs';

/** What each package may import from @ocikit. Everything else is against the direction. */
const { $comment: _, ...ALLOWED } = JSON.parse(readFileSync(new URL('./tools/package-graph.json', import.meta.url), 'utf8'));
const ALL = Object.keys(ALLOWED);
/** Subpaths a package declares in its `exports` (`@ocikit/image-spec/media-types`): entry points, not deep imports. */
const ENTRY_SUBPATHS = ALL.flatMap((pkg) => {
  const { exports = {} } = JSON.parse(readFileSync(new URL(`./packages/${pkg}/package.json`, import.meta.url), 'utf8'));
  return Object.keys(exports)
    .filter((k) => k !== '.' && k !== './package.json')
    .map((k) => `!@ocikit/${pkg}/${k.slice(2)}`);
});

/** Test files and their helpers: they alone may use @ocikit/testkit. */
const TEST_FILES = ['**/*.test.ts', '**/test-support/**'];

const direction = Object.entries(ALLOWED).flatMap(([pkg, allowed]) => {
  const restrictions = (forTests) => ({
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [...ALL.filter((p) => !allowed.includes(p)).map((p) => `@ocikit/${p}`), '@ocikit/tools', '**/tools/**', ...(forTests ? [] : ['@ocikit/testkit'])],
            message: `@ocikit/${pkg} may import only ${allowed.length ? allowed.map((p) => `@ocikit/${p}`).join(', ') : 'no other @ocikit package'} (dependency direction, STYLE.md; @ocikit/testkit in tests only).`,
          },
          { group: ['@ocikit/*/*', ...ENTRY_SUBPATHS], message: 'No deep imports: use the package entry point or a subpath it exports.' },
          { group: ['../../*/src/*', '../../../packages/*'], message: 'Import sibling packages by name, not by path.' },
        ],
      },
    ],
  });
  return [
    { files: [`packages/${pkg}/**/*.ts`], ignores: TEST_FILES, rules: restrictions(false) },
    { files: TEST_FILES.map((g) => `packages/${pkg}/${g}`), rules: restrictions(true) },
  ];
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', 'schemas/**', 'examples/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: true } },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a derived union, not an enum (STYLE.md).' }],
    },
  },
  {
    files: ['**/*.test.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...direction,
);
