/**
 * Lookaside storage on real files and a real HTTP server on loopback: the
 * layout of signature-protocols.md, appending without overwriting, and the
 * refusals of what is not a signature or not inside the storage.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { rejection, suiteScratch, testScratch } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import { startStaticServer, type StaticServer } from '../test-support/static-server.js';
import {
  MAX_LOOKASIDE_SIGNATURES,
  MAX_LOOKASIDE_SIGNATURE_BYTES,
  isSimpleSignatureBlob,
  lookasideDirectoryUrl,
  lookasideSignatureUrl,
  readLookasideSignatures,
  writeLookasideSignature,
} from './lookaside.js';
import { getSimpleSignatures, putSimpleSignature } from './signatures.js';

const HEX = 'b'.repeat(64);
const DIGEST = `sha256:${HEX}`;
const REPO = 'team/app';

/** Bytes that start as an OpenPGP compressed-data packet does (old format, tag 8): what the reader looks for before gpg is asked. */
function fakeSignature(text: string): Uint8Array {
  return Buffer.concat([Buffer.from([0xa3, 0x01]), Buffer.from(text)]);
}

const scratch = testScratch('lookaside');
const baseUrl = () => pathToFileURL(path.join(scratch.dir, 'sigstore')).href;
const sigDir = () => path.join(scratch.dir, 'sigstore', `${REPO}@sha256=${HEX}`);
const texts = (sigs: { signature: Uint8Array }[]) => sigs.map((s) => Buffer.from(s.signature).subarray(2).toString());

describe('the storage layout', () => {
  it('is BASE/REPO@ALGO=HEX/signature-N, the example of signature-protocols.md', () => {
    const digest = 'sha256:817a12c32a39bbe394944ba49de563e085f1d3c5266eb8e9723256bc4448680e';
    expect(lookasideSignatureUrl('https://example.com/lookaside', 'library/busybox', digest, 1).href).toBe(
      'https://example.com/lookaside/library/busybox@sha256=817a12c32a39bbe394944ba49de563e085f1d3c5266eb8e9723256bc4448680e/signature-1',
    );
    expect(lookasideSignatureUrl('https://example.com/lookaside', 'ns1/ns2/ns3/repo', digest, 2).pathname).toMatch(/^\/lookaside\/ns1\/ns2\/ns3\/repo@sha256=817a.*\/signature-2$/);
    expect(lookasideDirectoryUrl('https://example.com', 'library/busybox', digest).pathname).toBe(`/library/busybox@sha256=${digest.slice(7)}`);
    expect(lookasideDirectoryUrl('file:///var/lib/containers/sigstore', 'a/b', DIGEST).href).toBe(`file:///var/lib/containers/sigstore/a/b@sha256=${HEX}`);
  });

  it('refuses a bad digest, repository path, index or base URL', async () => {
    expect(await rejection(() => lookasideDirectoryUrl('file:///x', REPO, 'sha256:../../etc'))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    expect(await rejection(() => lookasideDirectoryUrl('file:///x', '../etc', DIGEST))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    expect(await rejection(() => lookasideSignatureUrl('file:///x', REPO, DIGEST, 0))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    expect(await rejection(() => lookasideDirectoryUrl('/not/a/url', REPO, DIGEST))).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
  });
});

describe('file:// storage', () => {
  it('appends at the first free index and reads the list back in order', async () => {
    expect(await readLookasideSignatures(baseUrl(), REPO, DIGEST)).toEqual([]);
    expect(await writeLookasideSignature(baseUrl(), REPO, DIGEST, fakeSignature('one'))).toEqual({ index: 1, location: path.join(sigDir(), 'signature-1') });
    expect((await writeLookasideSignature(baseUrl(), REPO, DIGEST, fakeSignature('two'))).index).toBe(2);
    const read = await readLookasideSignatures(baseUrl(), REPO, DIGEST);
    expect(read.map((s) => s.index)).toEqual([1, 2]);
    expect(texts(read)).toEqual(['one', 'two']);
    expect(readdirSync(sigDir()).sort()).toEqual(['signature-1', 'signature-2']);
  });

  it('never overwrites: a gap is filled, and the list ends at the first missing index', async () => {
    mkdirSync(sigDir(), { recursive: true });
    writeFileSync(path.join(sigDir(), 'signature-1'), fakeSignature('first'));
    writeFileSync(path.join(sigDir(), 'signature-3'), fakeSignature('third'));
    expect(texts(await readLookasideSignatures(baseUrl(), REPO, DIGEST))).toEqual(['first']);
    expect((await writeLookasideSignature(baseUrl(), REPO, DIGEST, fakeSignature('second'))).index).toBe(2);
    expect((await writeLookasideSignature(baseUrl(), REPO, DIGEST, fakeSignature('fourth'))).index).toBe(4);
    expect(texts(await readLookasideSignatures(baseUrl(), REPO, DIGEST))).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('gives concurrent signers distinct indices, losing none', async () => {
    const n = 12;
    const written = await Promise.all(Array.from({ length: n }, (_, i) => writeLookasideSignature(baseUrl(), REPO, DIGEST, fakeSignature(`s${i}`))));
    expect(written.map((w) => w.index).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(texts(await readLookasideSignatures(baseUrl(), REPO, DIGEST)).sort()).toEqual(Array.from({ length: n }, (_, i) => `s${i}`).sort());
    // No temporary file is left behind.
    expect(readdirSync(sigDir()).filter((f) => !f.startsWith('signature-'))).toEqual([]);
  });

  it('strips containers/image framing, passes over sigstore blobs, and refuses what is not a signature', async () => {
    mkdirSync(sigDir(), { recursive: true });
    writeFileSync(path.join(sigDir(), 'signature-1'), Buffer.concat([Buffer.from('\0simple-signing\n'), fakeSignature('framed')]));
    writeFileSync(path.join(sigDir(), 'signature-2'), Buffer.from('\0sigstore-json\n{}'));
    writeFileSync(path.join(sigDir(), 'signature-3'), fakeSignature('raw'));
    const read = await readLookasideSignatures(baseUrl(), REPO, DIGEST);
    expect(read.map((s) => s.index)).toEqual([1, 3]);
    expect(texts(read)).toEqual(['framed', 'raw']);
    for (const bad of [Buffer.from('<html>not found</html>'), Buffer.alloc(0), Buffer.from('\0simple-signing'), Buffer.from('\0other-format\nxx')]) {
      writeFileSync(path.join(sigDir(), 'signature-2'), bad);
      expect(await rejection(readLookasideSignatures(baseUrl(), REPO, DIGEST))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    }
    expect(isSimpleSignatureBlob(fakeSignature('x'))).toBe(true);
    expect(isSimpleSignatureBlob(Buffer.from('{"critical":{}}'))).toBe(false);
    expect(await rejection(writeLookasideSignature(baseUrl(), REPO, DIGEST, Buffer.from('{"critical":{}}')))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
  });

  it('refuses a symlinked signature, a FIFO, a directory leading out of the storage, and an oversized file', async () => {
    mkdirSync(sigDir(), { recursive: true });
    const outside = path.join(scratch.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'sig'), fakeSignature('elsewhere'));
    symlinkSync(path.join(outside, 'sig'), path.join(sigDir(), 'signature-1'));
    expect(await rejection(readLookasideSignatures(baseUrl(), REPO, DIGEST))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });

    const fifoRepo = 'team/fifo';
    const fifoDir = path.join(scratch.dir, 'sigstore', `${fifoRepo}@sha256=${HEX}`);
    mkdirSync(fifoDir, { recursive: true });
    expect(spawnSync('mkfifo', [path.join(fifoDir, 'signature-1')]).status).toBe(0);
    const fifo = await rejection(readLookasideSignatures(baseUrl(), fifoRepo, DIGEST));
    expect(fifo).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    expect(fifo.message).toContain('FIFO');

    // team/escape is a symlink to a directory outside the storage: neither read nor written through.
    symlinkSync(outside, path.join(scratch.dir, 'sigstore', 'team', 'escape'));
    mkdirSync(path.join(outside, `inner@sha256=${HEX}`));
    writeFileSync(path.join(outside, `inner@sha256=${HEX}`, 'signature-1'), fakeSignature('outside'));
    expect(await rejection(readLookasideSignatures(baseUrl(), 'team/escape/inner', DIGEST))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    expect(await rejection(writeLookasideSignature(baseUrl(), 'team/escape/inner', DIGEST, fakeSignature('x')))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    expect(readdirSync(path.join(outside, `inner@sha256=${HEX}`))).toEqual(['signature-1']);

    const bigRepo = 'team/big';
    const bigDir = path.join(scratch.dir, 'sigstore', `${bigRepo}@sha256=${HEX}`);
    mkdirSync(bigDir, { recursive: true });
    writeFileSync(path.join(bigDir, 'signature-1'), Buffer.concat([fakeSignature(''), Buffer.alloc(MAX_LOOKASIDE_SIGNATURE_BYTES.value)]));
    const big = await rejection(readLookasideSignatures(baseUrl(), bigRepo, DIGEST));
    expect(big).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    expect(big.message).toContain('MAX_LOOKASIDE_SIGNATURE_BYTES');
  });

  it(`refuses ${MAX_LOOKASIDE_SIGNATURES} signatures or more, as containers/image does, and never writes the one that would get there`, async () => {
    mkdirSync(sigDir(), { recursive: true });
    for (let i = 1; i < MAX_LOOKASIDE_SIGNATURES; i++) writeFileSync(path.join(sigDir(), `signature-${i}`), fakeSignature(`${i}`));
    expect(await readLookasideSignatures(baseUrl(), REPO, DIGEST)).toHaveLength(MAX_LOOKASIDE_SIGNATURES - 1);
    expect(await rejection(writeLookasideSignature(baseUrl(), REPO, DIGEST, fakeSignature('one too many')))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    writeFileSync(path.join(sigDir(), `signature-${MAX_LOOKASIDE_SIGNATURES}`), fakeSignature('more'));
    expect(await rejection(readLookasideSignatures(baseUrl(), REPO, DIGEST))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
  });

  it('refuses to write anywhere but a file:// URL', async () => {
    const http = await rejection(writeLookasideSignature('https://example.com/lookaside', REPO, DIGEST, fakeSignature('x')));
    expect(http).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
    expect(http.message).toContain('lookaside-staging');
    expect(await rejection(writeLookasideSignature('ftp://example.com/x', REPO, DIGEST, fakeSignature('x')))).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
    expect(await rejection(readLookasideSignatures('ftp://example.com/x', REPO, DIGEST))).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
  });
});

describe('http:// storage', () => {
  const published = suiteScratch('lookaside-http');
  let server: StaticServer;
  let root: string;
  const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

  beforeAll(async () => {
    root = published.dir;
    server = await startStaticServer(root);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reads what a file:// staging directory holds once a web server publishes it, stopping at the first 404', async () => {
    const staging = pathToFileURL(root).href;
    await writeLookasideSignature(staging, REPO, DIGEST, fakeSignature('one'));
    await writeLookasideSignature(staging, REPO, DIGEST, fakeSignature('two'));
    server.requests.length = 0;
    const read = await readLookasideSignatures(`${server.url}/`, REPO, DIGEST);
    expect(texts(read)).toEqual(['one', 'two']);
    expect(read[0]!.location).toBe(`${server.url}/${REPO}@sha256=${HEX}/signature-1`);
    expect(server.requests).toEqual([1, 2, 3].map((i) => `/${REPO}@sha256=${HEX}/signature-${i}`));
    expect(await readLookasideSignatures(server.url, 'team/none', DIGEST)).toEqual([]);
  });

  it('sends credentials in the URL as Basic authorization, as Go does, and keeps them out of locations', async () => {
    await writeLookasideSignature(pathToFileURL(root).href, 'team/private', DIGEST, fakeSignature('private'));
    server.authorizations.length = 0;
    const read = await readLookasideSignatures(server.url.replace('http://', 'http://reader:p%40ss@'), 'team/private', DIGEST);
    expect(texts(read)).toEqual(['private']);
    expect(read[0]!.location).toBe(`${server.url}/team/private@sha256=${HEX}/signature-1`);
    expect(server.authorizations).toEqual([1, 2].map(() => `Basic ${Buffer.from('reader:p@ss').toString('base64')}`));
  });

  it('retries a transient failure, and refuses a status other than 200 or 404 with the URL', async () => {
    const staging = pathToFileURL(root).href;
    await writeLookasideSignature(staging, 'team/flaky', DIGEST, fakeSignature('flaky'));
    server.faults.push(503);
    expect(texts(await readLookasideSignatures(server.url, 'team/flaky', DIGEST, { retry: fastRetry }))).toEqual(['flaky']);
    server.faults.push(403);
    const forbidden = await rejection(readLookasideSignatures(server.url, 'team/flaky', DIGEST, { retry: fastRetry }));
    expect(forbidden).toMatchObject({ code: SignatureErrorCode.StorageUnavailable });
    expect(forbidden.message).toContain(`${server.url}/team/flaky@sha256=${HEX}/signature-1`);
    expect(forbidden.message).toContain('403');
    server.faults.push(500, 500, 500);
    expect(await rejection(readLookasideSignatures(server.url, 'team/flaky', DIGEST, { retry: fastRetry }))).toMatchObject({ code: SignatureErrorCode.StorageUnavailable });
    expect(server.faults).toEqual([]);
  });

  it('refuses an oversized body and a refused connection, never naming credentials', async () => {
    const dir = path.join(root, `team/huge@sha256=${HEX}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'signature-1'), Buffer.concat([fakeSignature(''), Buffer.alloc(MAX_LOOKASIDE_SIGNATURE_BYTES.value)]));
    expect(await rejection(readLookasideSignatures(server.url, 'team/huge', DIGEST))).toMatchObject({ code: SignatureErrorCode.StorageInvalid });
    const closed = await startStaticServer(root);
    await closed.close();
    const withCreds = closed.url.replace('http://', 'http://user:secret@');
    const refused = await rejection(readLookasideSignatures(withCreds, REPO, DIGEST, { retry: fastRetry }));
    expect(refused).toMatchObject({ code: SignatureErrorCode.StorageUnavailable });
    expect(refused.message).toContain('ECONNREFUSED');
    expect(refused.message).not.toContain('secret');
  });
});

describe('getSimpleSignatures and putSimpleSignature', () => {
  it('write to the staging URL and read from the lookaside URL that registries.d names for the reference', async () => {
    const staging = path.join(scratch.dir, 'staging');
    const dir = path.join(scratch.dir, 'registries.d');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'test.yaml'),
      `docker:\n  registry.example:5000/team:\n    lookaside: ${pathToFileURL(staging).href}\n    lookaside-staging: ${pathToFileURL(staging).href}\ndefault-docker:\n  lookaside: file:///nowhere\n`,
    );
    const put = await putSimpleSignature({ registriesDir: dir, reference: 'registry.example:5000/team/app:1', manifestDigest: DIGEST, signature: fakeSignature('mine') });
    expect(put).toMatchObject({ index: 1, location: path.join(staging, `team/app@sha256=${HEX}`, 'signature-1'), base: { scope: 'registry.example:5000/team', key: 'lookaside-staging' } });
    expect(readFileSync(put.location)).toEqual(Buffer.from(fakeSignature('mine')));
    // By digest, the same storage: the path is made of the repository and the manifest digest only.
    const got = await getSimpleSignatures({ registriesDir: dir, reference: `registry.example:5000/team/app@${DIGEST}`, manifestDigest: DIGEST });
    expect(texts(got.signatures)).toEqual(['mine']);
    expect(got.location).toBe(`${pathToFileURL(staging).href}/team/app@sha256=${HEX}`);
    // Another registry falls to default-docker, which holds nothing.
    expect((await getSimpleSignatures({ registriesDir: dir, reference: 'other.example/team/app:1', manifestDigest: DIGEST })).signatures).toEqual([]);
    // A reference whose digest is not the manifest's is refused.
    const other = `sha256:${'c'.repeat(64)}`;
    expect(await rejection(getSimpleSignatures({ registriesDir: dir, reference: `registry.example:5000/team/app@${other}`, manifestDigest: DIGEST }))).toMatchObject({
      code: SignatureErrorCode.InvalidArgument,
    });
  });
});
