/**
 * What the runtime says about itself: `features` (runtime-spec
 * `features.md`), `--version`, and the command-line rules of runtime-tools.
 */
import { parseSemVer, validate } from '@ocikit/runtime-spec';
import type { Check } from '../check.js';
import { describeCall } from '../driver.js';
import { fail, skip } from '../errors.js';
import { cliRef, expectError, launch, specRef } from './common.js';

function features(text: string | undefined): { ociVersionMin?: unknown; ociVersionMax?: unknown } {
  if (text === undefined) skip('the runtime has no features command');
  try {
    return JSON.parse(text) as { ociVersionMin?: unknown; ociVersionMax?: unknown };
  } catch {
    fail('expected the features document to be JSON, found something else', { actual: text.slice(0, 300) });
  }
}

export const META_CHECKS: readonly Check[] = [
  {
    id: 'features.valid',
    standalone: true,
    level: 'MUST',
    ref: specRef('features.md'),
    text: 'A runtime MAY provide a JSON document about its implemented features to runtime callers; `ociVersionMin` and `ociVersionMax` are REQUIRED and the document MUST NOT contain properties that are not defined in the version of the specification it names.',
    run(ctx) {
      const text = ctx.runtime.featuresText;
      if (text === undefined) skip('the runtime has no features command');
      const r = validate('runtime-features', text, { level: 'SHOULD' });
      if (!r.valid) fail(`expected a valid features document, found ${r.errors.length} error(s): ${r.errors[0]!.path || '(document)'}: ${r.errors[0]!.message}`, { expected: 'valid runtime-features', actual: r.errors.map((e) => `${e.path}: ${e.message}`) });
      const doc = features(text);
      return Promise.resolve(`valid features document (ociVersionMin ${String(doc.ociVersionMin)}, ociVersionMax ${String(doc.ociVersionMax)})${r.warnings.length ? `; ${r.warnings.length} warning(s): ${r.warnings[0]!.message}` : ''}`);
    },
  },
  {
    id: 'features.oci-versions',
    level: 'MUST',
    ref: specRef('features.md', 'specification-version'),
    text: '`ociVersionMin` / `ociVersionMax`: the runtime MUST accept this value as the `ociVersion` property of `config.json`.',
    async run(ctx) {
      const doc = features(ctx.runtime.featuresText);
      const versions = [doc.ociVersionMin, doc.ociVersionMax].filter((v): v is string => typeof v === 'string');
      if (versions.length !== 2) fail('expected ociVersionMin and ociVersionMax strings in the features document', { actual: doc });
      for (const v of versions) {
        await launch(ctx, ctx.bundle(`oci-version-${v}`, { patch: (spec) => void (spec.ociVersion = v) }));
      }
      return `created containers with ociVersion ${versions.join(' and ')}`;
    },
  },
  {
    id: 'version.report',
    standalone: true,
    level: 'MAY',
    ref: specRef('config.md', 'specification-version'),
    text: '`ociVersion` (string, REQUIRED) MUST be in SemVer v2.0.0 format and specifies the version of the Open Container Initiative Runtime Specification with which the bundle complies.',
    run(ctx) {
      const { version, specVersion, versionText } = ctx.runtime;
      if (version === undefined) fail(`expected \`--version\` to print a version, found ${JSON.stringify(versionText.slice(0, 200))}`);
      if (specVersion === undefined) fail(`expected \`--version\` to declare the runtime-spec version (a "spec: X.Y.Z" line), found ${JSON.stringify(versionText.slice(0, 200))}`);
      if (!parseSemVer(specVersion)) fail(`expected the declared runtime-spec version to be SemVer 2.0.0, found ${JSON.stringify(specVersion)}`);
      return Promise.resolve(`version ${version}, implements runtime-spec ${specVersion}`);
    },
  },
  {
    id: 'cli.unknown-command',
    standalone: true,
    level: 'MUST',
    ref: cliRef('global-usage'),
    text: 'If the runtime is invoked with an unrecognized command, it MUST exit with a nonzero exit code and MAY log a warning to stderr.',
    async run(ctx) {
      const call = await ctx.driver.raw(['ocikit-no-such-command']);
      if (call.error) fail(`expected the runtime to run, found ${describeCall(call)}`);
      expectError(call, 'an unrecognized command');
      return `exit ${call.code}`;
    },
  },
];
