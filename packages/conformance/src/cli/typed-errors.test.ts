import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BundleError, openLayout } from '@ocikit/bundle';
import { createFileDigestPool, DigestError, DigestMismatchError, parseDigest, SizeMismatchError, verifyBytes } from '@ocikit/digest';
import { WorkerPoolError } from '@ocikit/digest/worker-pool';
import { OcikitError } from '@ocikit/errors';
import { Limits } from '@ocikit/validation';
import { InvalidDocumentError, InvalidReferenceError, parse, parseReference } from '@ocikit/image-spec';
import { RuntimeSpecError, transition } from '@ocikit/runtime-spec';
import { decryptCosignPrivateKey, SignatureError } from '@ocikit/signature';
import { readDocumentFile, InputError } from '../validate/read-input.js';
import { fail, RuntimeTestError } from '../runtime-test/errors.js';
import { UsageError } from './exit-codes.js';
import { enumOption } from './options.js';

/** What `run` threw (or its promise rejected with). */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const ABC = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const dir = mkdtempSync(path.join(os.tmpdir(), 'ocikit-typed-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each row: a real failure of an ocikit library, the class the caller
// branches on, and the name and code it must keep (main() maps the code).
const CASES: [string, () => unknown, abstract new (...args: never[]) => Error, string, string][] = [
  ['parseDigest', () => parseDigest('sha256:abc'), DigestError, 'DigestError', 'DIGEST_INVALID_LENGTH'],
  ['verifyBytes, digest', () => verifyBytes('abd', { digest: ABC }), DigestMismatchError, 'DigestMismatchError', 'DIGEST_MISMATCH'],
  ['verifyBytes, size', () => verifyBytes('abc', { digest: ABC, size: 4 }), SizeMismatchError, 'SizeMismatchError', 'SIZE_MISMATCH'],
  [
    'a closed digest pool',
    async () => {
      const pool = createFileDigestPool({ concurrency: 2 });
      await pool.close();
      await pool.digest(path.join(dir, 'x'));
    },
    WorkerPoolError,
    'WorkerPoolError',
    'WORKER_POOL_CLOSED',
  ],
  ['runtime-spec transition', () => transition('stopped', 'start'), RuntimeSpecError, 'RuntimeSpecError', 'INVALID_TRANSITION'],
  ['image-spec parse', () => parse('descriptor', { mediaType: 'x' }), InvalidDocumentError, 'InvalidDocumentError', 'DOCUMENT_INVALID'],
  ['parseReference', () => parseReference('Library/Ubuntu'), InvalidReferenceError, 'InvalidReferenceError', 'NAME_CONTAINS_UPPERCASE'],
  ['openLayout', () => openLayout(path.join(dir, 'no-such-layout')), BundleError, 'BundleError', 'LAYOUT_NOT_FOUND'],
  ['a CLI enum option', () => enumOption('pack', 'compression', 'lz4', ['gzip', 'zstd'], 'gzip'), UsageError, 'UsageError', 'USAGE'],
  ['readDocumentFile', () => readDocumentFile(path.join(dir, 'missing'), Limits.ManifestBytes), InputError, 'InputError', 'PATH_UNREADABLE'],
  ['decryptCosignPrivateKey', () => decryptCosignPrivateKey('not a key', 'passphrase'), SignatureError, 'SignatureError', 'SIGNATURE_KEY_INVALID'],
  ['a failed runtime check', () => fail('expected exit 0, found 1'), RuntimeTestError, 'RuntimeTestError', 'ASSERTION'],
];

describe('the typed errors main() maps', () => {
  it.each(CASES)('%s: an OcikitError of its own class, name and code', async (_what, run, cls, name, code) => {
    const err = await thrown(run);
    expect(err).toBeInstanceOf(OcikitError);
    expect(err).toBeInstanceOf(cls);
    const e = err as OcikitError;
    expect([e.name, e.code]).toEqual([name, code]);
    expect(e.message).not.toContain('\n');
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code, message: e.message, ...(e.ref !== undefined && { ref: e.ref }) });
  });
});
