import { describe, expect, it } from '@jest/globals';
import { detectDirectoryKind, detectDocumentKind } from './kinds.js';

describe('detectDocumentKind', () => {
  const digest = 'sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b';
  it.each([
    ['manifest by mediaType', undefined, { mediaType: 'application/vnd.oci.image.manifest.v1+json', schemaVersion: 2 }, 'image-manifest'],
    ['index by mediaType', undefined, { mediaType: 'application/vnd.oci.image.index.v1+json' }, 'image-index'],
    ['docker manifest by mediaType', undefined, { mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, 'docker-manifest'],
    ['descriptor by digest and size', undefined, { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 }, 'descriptor'],
    ['manifest by shape', 'm.json', { schemaVersion: 2, config: {}, layers: [] }, 'image-manifest'],
    ['index by shape', 'x.json', { schemaVersion: 2, manifests: [] }, 'image-index'],
    ['index.json by name', 'index.json', { foo: 1 }, 'image-index'],
    ['oci-layout by name', 'oci-layout', { whatever: true }, 'oci-layout'],
    ['oci-layout by shape', 'x', { imageLayoutVersion: '1.0.0' }, 'oci-layout'],
    ['runtime config', 'config.json', { ociVersion: '1.3.0', process: {}, root: {} }, 'runtime-config'],
    ['runtime state', 'state.json', { ociVersion: '1.3.0', id: 'a', status: 'running', bundle: '/b' }, 'runtime-state'],
    ['runtime features', 'f.json', { ociVersionMin: '1.0.0', ociVersionMax: '1.3.0' }, 'runtime-features'],
    ['image config', 'config.json', { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }, 'image-config'],
  ])('%s', (_name, file, doc, kind) => {
    expect(detectDocumentKind(file, doc)).toEqual({ kind });
  });

  it('says when it cannot tell', () => {
    expect(detectDocumentKind('x.json', { hello: 'world' })).toEqual({ unknown: true });
    expect(detectDocumentKind(undefined, [1, 2])).toEqual({ unknown: true });
  });

  it('reports ambiguity instead of guessing', () => {
    const r = detectDocumentKind('x.json', { imageLayoutVersion: '1.0.0', schemaVersion: 2, manifests: [] });
    expect(r).toEqual({ ambiguous: expect.arrayContaining(['oci-layout', 'image-index']) });
  });
});

describe('detectDirectoryKind', () => {
  it('recognises layouts and bundles', () => {
    expect(detectDirectoryKind(new Set(['oci-layout', 'index.json', 'blobs']))).toEqual({ kind: 'image-layout' });
    expect(detectDirectoryKind(new Set(['config.json', 'rootfs']))).toEqual({ kind: 'bundle' });
    expect(detectDirectoryKind(new Set(['a.json']))).toEqual({ unknown: true });
    expect(detectDirectoryKind(new Set(['oci-layout', 'config.json', 'rootfs']))).toEqual({ ambiguous: ['image-layout', 'bundle'] });
  });
});

describe('DOCUMENT_KINDS', () => {
  it('is the spec packages\' own kinds, runtime-spec first, with nothing of its own', async () => {
    const { DOCUMENT_KINDS } = await import('./kinds.js');
    const runtime = await import('@ocikit/runtime-spec');
    const image = await import('@ocikit/image-spec');
    expect(DOCUMENT_KINDS).toEqual([...runtime.DOCUMENT_KINDS, ...image.DOCUMENT_KINDS]);
    expect(new Set(DOCUMENT_KINDS).size).toBe(DOCUMENT_KINDS.length);
  });
});
