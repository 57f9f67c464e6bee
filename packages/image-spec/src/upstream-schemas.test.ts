/**
 * Differential tests against image-spec's own JSON schemas: every document
 * they reject, we reject too, except where the spec text itself is more
 * permissive than those (older, v1.1.0-rc2) schemas, listed below.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from '@jest/globals';
import fc from 'fast-check';
import { validate } from './validate.js';
import { documentArbitraries } from './test-support/arbitraries.js';
import { UPSTREAM_FILES, upstreamValidators, type UpstreamKind } from './test-support/upstream-schemas.mjs';
import { describeWithPeers } from '@ocikit/testkit';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures');
const KINDS = Object.keys(UPSTREAM_FILES) as UpstreamKind[];

/**
 * Where upstream's schema rejects what the spec allows:
 * - config.md: "Any OPTIONAL field MAY also be set to null" (the schema refuses null for most);
 * - manifest.md v1.1: layers "SHOULD have at least one entry" (the rc2 schema says minItems 1).
 */
function specAllowsWhatUpstreamRejects(kind: UpstreamKind, doc: unknown, errors: readonly { instancePath: string; keyword: string }[]): boolean {
  return errors.every((e) => {
    if (kind === 'image-config' && e.keyword === 'type') {
      const value = e.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      return value === null;
    }
    if (kind === 'image-config' && (e.keyword === 'oneOf' || e.keyword === 'anyOf')) return true;
    return kind === 'image-manifest' && e.instancePath === '/layers' && e.keyword === 'minItems';
  });
}

describeWithPeers(['image-spec-schemas'], 'against image-spec\'s JSON schemas', () => {
  const upstream = upstreamValidators({ allErrors: true });

  for (const kind of KINDS) {
    it(`${kind}: upstream accepts every spec example we accept`, () => {
      const dir = path.join(FIXTURES, kind, 'valid');
      for (const f of readdirSync(dir)) {
        const doc: unknown = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
        expect([f, upstream[kind](doc), upstream[kind].errors ?? null]).toEqual([f, true, null]);
      }
    });

    it(`${kind}: upstream accepts documents built from our types`, () => {
      fc.assert(
        fc.property(documentArbitraries[kind] as fc.Arbitrary<unknown>, (doc) => {
          expect(upstream[kind](doc)).toBe(true);
        }),
        { numRuns: 200 },
      );
    });

    it(`${kind}: what upstream rejects, we reject (mutated documents)`, () => {
      const mutate = fc.tuple(documentArbitraries[kind] as unknown as fc.Arbitrary<Record<string, unknown>>, fc.jsonValue(), fc.nat(), fc.boolean()).map(([doc, value, pick, deep]) => {
        const d = structuredClone(doc);
        const keys = Object.keys(d);
        const k = keys[pick % keys.length]!;
        const target = d[k];
        if (deep && target !== null && typeof target === 'object' && Object.keys(target).length > 0) {
          const inner = Object.keys(target);
          (target as Record<string, unknown>)[inner[pick % inner.length]!] = value;
        } else {
          d[k] = value;
        }
        return d;
      });
      fc.assert(
        fc.property(mutate, (doc) => {
          if (upstream[kind](doc)) return;
          const ours = validate(kind, doc);
          if (ours.valid) expect(specAllowsWhatUpstreamRejects(kind, doc, upstream[kind].errors ?? [])).toBe(true);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('invalid fixtures of structural rules are rejected by upstream too', () => {
    const structural = [
      ['descriptor', 'media-type-is-required'],
      ['descriptor', 'digest-is-required'],
      ['descriptor', 'size-is-required'],
      ['descriptor', 'size-must-be-an-integer'],
      ['descriptor', 'digest-must-match-grammar'],
      ['image-manifest', 'schema-version-must-be-2'],
      ['image-manifest', 'config-is-required'],
      ['image-manifest', 'layers-items-must-be-descriptors'],
      ['image-index', 'manifests-must-be-present'],
      ['image-index', 'platform-architecture-is-required'],
      ['image-config', 'rootfs-type-must-be-layers'],
      ['image-config', 'rootfs-is-required'],
      ['oci-layout', 'image-layout-version-is-required'],
      ['oci-layout', 'image-layout-version-must-be-1.0.0'],
    ] as const;
    for (const [kind, name] of structural) {
      const doc: unknown = JSON.parse(readFileSync(path.join(FIXTURES, kind, 'invalid', `${name}.json`), 'utf8'));
      expect([kind, name, upstream[kind](doc)]).toEqual([kind, name, false]);
    }
  });
});
