import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { DOCUMENT_KINDS, parse, validate, type DocumentKind } from './index.js';
import { InvalidDocumentError } from './errors.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures');

function files(kind: string, validity: 'valid' | 'invalid'): string[] {
  try {
    return readdirSync(path.join(FIXTURES, kind, validity)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

function read(kind: string, validity: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, kind, validity, file)));
}

/** Each invalid fixture: the kind, the rule it breaks (its file name), and the finding it must produce. */
const INVALID: readonly [DocumentKind, string, string, string][] = [
  ['descriptor', 'media-type-must-comply-with-rfc6838', 'DESCRIPTOR_MEDIA_TYPE_INVALID', '/mediaType'],
  ['descriptor', 'media-type-is-required', 'SCHEMA_REQUIRED', '/mediaType'],
  ['descriptor', 'digest-is-required', 'SCHEMA_REQUIRED', '/digest'],
  ['descriptor', 'size-is-required', 'SCHEMA_REQUIRED', '/size'],
  ['descriptor', 'digest-must-match-grammar', 'DIGEST_INVALID_FORMAT', '/digest'],
  ['descriptor', 'sha256-encoded-must-not-use-upper-case', 'DIGEST_INVALID_FORMAT', '/digest'],
  ['descriptor', 'sha256-encoded-must-be-64-hex-characters', 'DIGEST_INVALID_LENGTH', '/digest'],
  ['descriptor', 'size-must-not-be-negative', 'SIZE_NEGATIVE', '/size'],
  ['descriptor', 'size-must-be-an-integer', 'SIZE_NOT_INTEGER', '/size'],
  ['descriptor', 'urls-must-conform-to-rfc3986', 'DESCRIPTOR_URL_INVALID', '/urls/0'],
  ['descriptor', 'annotation-values-must-be-strings', 'SCHEMA_TYPE', '/annotations/com.example.key'],
  ['descriptor', 'annotation-created-must-be-rfc3339', 'ANNOTATION_CREATED_INVALID', '/annotations/org.opencontainers.image.created'],
  ['descriptor', 'data-must-be-base64', 'DESCRIPTOR_DATA_INVALID', '/data'],
  ['descriptor', 'data-must-match-size', 'DESCRIPTOR_DATA_SIZE_MISMATCH', '/data'],
  ['descriptor', 'data-must-match-digest', 'DESCRIPTOR_DATA_DIGEST_MISMATCH', '/data'],
  ['descriptor', 'artifact-type-must-comply-with-rfc6838', 'DESCRIPTOR_ARTIFACT_TYPE_INVALID', '/artifactType'],
  ['descriptor', 'platform-os-is-required', 'SCHEMA_REQUIRED', '/platform/os'],
  ['image-manifest', 'schema-version-must-be-2', 'MANIFEST_SCHEMA_VERSION', '/schemaVersion'],
  ['image-manifest', 'schema-version-is-required', 'SCHEMA_REQUIRED', '/schemaVersion'],
  ['image-manifest', 'media-type-must-be-the-manifest-type', 'MANIFEST_MEDIA_TYPE_MISMATCH', '/mediaType'],
  ['image-manifest', 'artifact-type-must-be-set-with-empty-config', 'MANIFEST_ARTIFACT_TYPE_REQUIRED', '/artifactType'],
  ['image-manifest', 'artifact-type-must-comply-with-rfc6838', 'MANIFEST_ARTIFACT_TYPE_INVALID', '/artifactType'],
  ['image-manifest', 'config-is-required', 'SCHEMA_REQUIRED', '/config'],
  ['image-manifest', 'config-size-must-not-be-negative', 'SIZE_NEGATIVE', '/config/size'],
  ['image-manifest', 'layers-is-required', 'SCHEMA_REQUIRED', '/layers'],
  ['image-manifest', 'layers-items-must-be-descriptors', 'SCHEMA_REQUIRED', '/layers/1/digest'],
  ['image-manifest', 'layer-digest-must-match-grammar', 'DIGEST_INVALID_FORMAT', '/layers/0/digest'],
  ['image-manifest', 'layer-media-type-must-comply-with-rfc6838', 'DESCRIPTOR_MEDIA_TYPE_INVALID', '/layers/2/mediaType'],
  ['image-manifest', 'subject-must-be-a-descriptor', 'SCHEMA_REQUIRED', '/subject/size'],
  ['image-manifest', 'annotation-values-must-be-strings', 'SCHEMA_TYPE', '/annotations/com.example.key1'],
  ['image-manifest', 'json-names-must-be-unique', 'JSON_DUPLICATE_KEY', '/schemaVersion'],
  ['image-manifest', 'json-must-be-utf8', 'JSON_INVALID_UTF8', ''],
  ['image-manifest', 'json-must-parse', 'JSON_SYNTAX', ''],
  ['image-index', 'schema-version-must-be-2', 'INDEX_SCHEMA_VERSION', '/schemaVersion'],
  ['image-index', 'media-type-must-be-the-index-type', 'INDEX_MEDIA_TYPE_MISMATCH', '/mediaType'],
  ['image-index', 'manifests-must-be-present', 'SCHEMA_REQUIRED', '/manifests'],
  ['image-index', 'platform-architecture-is-required', 'SCHEMA_REQUIRED', '/manifests/0/platform/architecture'],
  ['image-index', 'manifest-digest-must-match-grammar', 'DIGEST_INVALID_FORMAT', '/manifests/1/digest'],
  ['image-index', 'manifest-size-must-not-be-negative', 'SIZE_NEGATIVE', '/manifests/0/size'],
  ['image-index', 'artifact-type-must-comply-with-rfc6838', 'INDEX_ARTIFACT_TYPE_INVALID', '/artifactType'],
  ['image-index', 'subject-must-be-a-descriptor', 'SCHEMA_REQUIRED', '/subject/size'],
  ['image-config', 'architecture-is-required', 'SCHEMA_REQUIRED', '/architecture'],
  ['image-config', 'os-is-required', 'SCHEMA_REQUIRED', '/os'],
  ['image-config', 'rootfs-is-required', 'SCHEMA_REQUIRED', '/rootfs'],
  ['image-config', 'rootfs-type-must-be-layers', 'CONFIG_ROOTFS_TYPE', '/rootfs/type'],
  ['image-config', 'diff-ids-must-be-digests', 'DIGEST_INVALID_FORMAT', '/rootfs/diff_ids/1'],
  ['image-config', 'env-entries-must-be-varname-equals-value', 'CONFIG_ENV_INVALID', '/config/Env/1'],
  ['image-config', 'created-must-be-rfc3339', 'CONFIG_CREATED_INVALID', '/created'],
  ['image-config', 'history-created-must-be-rfc3339', 'CONFIG_CREATED_INVALID', '/history/0/created'],
  ['image-config', 'exposed-ports-must-be-port-and-protocol', 'CONFIG_EXPOSED_PORT_INVALID', '/config/ExposedPorts/http~1tcp'],
  ['image-config', 'exposed-ports-values-must-be-empty-objects', 'SCHEMA_MAX_PROPERTIES', '/config/ExposedPorts/8080~1tcp'],
  ['image-config', 'label-values-must-be-strings', 'SCHEMA_TYPE', '/config/Labels/com.example.project.git.url'],
  ['oci-layout', 'image-layout-version-is-required', 'SCHEMA_REQUIRED', '/imageLayoutVersion'],
  ['oci-layout', 'image-layout-version-must-be-1.0.0', 'LAYOUT_VERSION_UNSUPPORTED', '/imageLayoutVersion'],
  ['docker-manifest', 'media-type-must-be-the-schema2-type', 'DOCKER_MEDIA_TYPE_MISMATCH', '/mediaType'],
  ['docker-manifest', 'media-type-is-required', 'SCHEMA_REQUIRED', '/mediaType'],
  ['docker-manifest', 'schema-version-must-be-2', 'DOCKER_SCHEMA_VERSION', '/schemaVersion'],
  ['docker-manifest', 'layer-size-must-not-be-negative', 'SIZE_NEGATIVE', '/layers/0/size'],
  ['docker-manifest-list', 'platform-is-required', 'SCHEMA_REQUIRED', '/manifests/0/platform'],
  ['docker-manifest-list', 'media-type-must-be-the-list-type', 'DOCKER_MEDIA_TYPE_MISMATCH', '/mediaType'],
];

describe('spec examples (valid fixtures)', () => {
  for (const kind of DOCUMENT_KINDS) {
    const valid = files(kind, 'valid');
    it(`${kind} has at least one spec example`, () => {
      expect(valid.length).toBeGreaterThan(0);
    });
    for (const file of valid) {
      it(`${kind}/${file} validates from bytes, text and object`, () => {
        const bytes = read(kind, 'valid', file);
        const fromBytes = validate(kind, bytes);
        expect(fromBytes.errors).toEqual([]);
        expect(fromBytes.valid).toBe(true);
        const text = new TextDecoder().decode(bytes);
        expect(validate(kind, text).valid).toBe(true);
        expect(validate(kind, JSON.parse(text)).valid).toBe(true);
        expect(parse(kind, bytes)).toEqual(JSON.parse(text));
      });
    }
  }
});

describe('rules (invalid fixtures, one per rule)', () => {
  it('every invalid fixture file is listed with its expected finding, and every listed one exists', () => {
    const onDisk = DOCUMENT_KINDS.flatMap((k) => files(k, 'invalid').map((f) => `${k}/${f}`)).sort();
    const listed = INVALID.map(([k, name]) => `${k}/${name}.json`).sort();
    expect(onDisk).toEqual(listed);
  });
  for (const [kind, name, code, pointer] of INVALID) {
    it(`${kind}/${name} is rejected with ${code} at "${pointer}"`, () => {
      const bytes = read(kind, 'invalid', `${name}.json`);
      const r = validate(kind, bytes);
      expect(r.valid).toBe(false);
      expect(r.errors.map((f) => [f.code, f.path])).toContainEqual([code, pointer]);
      for (const f of [...r.errors, ...r.warnings]) {
        // The finding-code convention (@ocikit/validation README): UPPER_SNAKE_CASE, subject first.
        expect(f.code).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/);
      }
      for (const f of r.errors) {
        expect(f.level === 'MUST' || f.code === 'JSON_DUPLICATE_KEY' || f.code === 'JSON_TOO_DEEP').toBe(true);
        expect(f.ref).toMatch(/^https:\/\//);
        expect(f.message.length).toBeGreaterThan(0);
        expect(f.message).not.toMatch(/\n/);
      }
      let thrown: unknown;
      try {
        parse(kind, bytes);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(InvalidDocumentError);
      expect((thrown as InvalidDocumentError).errors).toEqual(r.errors);
      expect((thrown as InvalidDocumentError).code).toBe('DOCUMENT_INVALID');
    });
  }
});
