import { describe, expect, it } from '@jest/globals';
import { MediaType } from '@ocikit/image-spec';
import { manifestMediaType } from './client/content.js';
import { referrerDescriptor, referrersTag } from './referrers.js';

describe('referrers tag schema', () => {
  it('is <alg>-<ref>, the digest cut to 64 characters (distribution-spec "Referrers Tag Schema")', () => {
    expect(referrersTag(`sha256:${'a'.repeat(64)}`)).toBe(`sha256-${'a'.repeat(64)}`);
    expect(referrersTag(`sha512:${'b'.repeat(128)}`)).toBe(`sha512-${'b'.repeat(64)}`);
  });

  it("describes a referrer by its artifactType, else its config's media type, with every annotation", () => {
    const desc = { mediaType: MediaType.ImageManifest, digest: `sha256:${'c'.repeat(64)}`, size: 10 };
    expect(referrerDescriptor(desc, { artifactType: 'application/x.sig', config: { mediaType: 'application/x.cfg' }, annotations: { a: '1' } })).toEqual({
      ...desc,
      artifactType: 'application/x.sig',
      annotations: { a: '1' },
    });
    expect(referrerDescriptor(desc, { config: { mediaType: 'application/x.cfg' } })).toEqual({ ...desc, artifactType: 'application/x.cfg' });
    const index = { ...desc, mediaType: MediaType.ImageIndex };
    expect(referrerDescriptor(index, { manifests: [] })).toEqual(index);
  });
});

describe('manifest media types', () => {
  const json = (doc: unknown) => Buffer.from(JSON.stringify(doc));
  it('takes the Content-Type, without parameters', () => {
    expect(manifestMediaType(`${MediaType.ImageIndex}; charset=utf-8`, json({}))).toEqual({ known: MediaType.ImageIndex });
    expect(manifestMediaType(MediaType.DockerManifestList, json({}))).toEqual({ known: MediaType.DockerManifestList });
  });
  it("falls back to the document's mediaType when served as plain JSON", () => {
    expect(manifestMediaType('application/json', json({ mediaType: MediaType.DockerManifest }))).toEqual({ known: MediaType.DockerManifest });
  });
  it('refuses anything else (schema 1, unknown types)', () => {
    expect(manifestMediaType(MediaType.DockerManifestV1Signed, json({}))).toEqual({ found: MediaType.DockerManifestV1Signed });
    expect(manifestMediaType('application/vnd.example.thing+json', json({}))).toEqual({ found: 'application/vnd.example.thing+json' });
    expect(manifestMediaType(undefined, json({ schemaVersion: 2 }))).toEqual({ found: '' });
  });
});
