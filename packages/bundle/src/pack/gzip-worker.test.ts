import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { crc32 as zlibCrc32, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { gzip } from 'libdeflate';
import { BundleError, BundleErrorCode } from '../errors.js';
import { type Deflater, DeflaterChoice, loadDeflater, loadNativeDeflater, loadWasmDeflater } from './deflater.js';
import { gzipMember } from './gzip-worker.js';
import { compressChunks, PackCompression } from './compress.js';
import { answeredOnWorkers } from '@ocikit/digest/worker-pool';
import { havePeers } from '@ocikit/testkit';


const inputs = fc.oneof(
  fc.uint8Array({ maxLength: 70_000 }),
  fc.string({ maxLength: 20_000 }).map((s) => new TextEncoder().encode(s.repeat(3))),
);

function membersBehave(deflater: Deflater): void {
  fc.assert(
    fc.property(inputs, (data) => {
      const member = gzipMember(deflater, data);
      expect(gunzipSync(member).equals(Buffer.from(data))).toBe(true);
      expect(deflater.crc32(data)).toBe(zlibCrc32(data));
    }),
    { numRuns: 60 },
  );
}

describe('gzip members made in the worker', () => {
  it('with the WebAssembly build are the bytes libdeflate gzip() writes at level 6, and gunzip to the input', async () => {
    const wasm = await loadWasmDeflater();
    expect(wasm.kind).toBe('wasm');
    membersBehave(wasm);
    fc.assert(
      fc.property(inputs, (data) => {
        expect(Buffer.from(gzipMember(wasm, data)).equals(Buffer.from(gzip(data, 6)))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('with the native build gunzip to the input, and incompressible data fits the bound', () => {
    const native = loadNativeDeflater();
    if (!havePeers('libdeflate')) {
      expect(native).toBeInstanceOf(BundleError);
      return;
    }
    if (native instanceof Error) throw native;
    expect(native.kind).toBe('native');
    membersBehave(native);
    const random = new Uint8Array(3 << 20).map(() => Math.floor(Math.random() * 256));
    expect(gunzipSync(gzipMember(native, random)).equals(Buffer.from(random))).toBe(true);
    // libdeflate keeps one compressor per level; other levels work too.
    const text = new TextEncoder().encode('abc'.repeat(10_000));
    const out = new Uint8Array(native.bound(text.length));
    const n1 = native.deflateInto(text, 1, out, 0);
    const n12 = native.deflateInto(text, 12, out, 0);
    expect(n1).toBeGreaterThan(0);
    expect(n12).toBeLessThanOrEqual(n1);
  });

  it('auto takes the native build where the system has libdeflate; native alone fails with a typed error where it has not', async () => {
    const auto = await loadDeflater(DeflaterChoice.Auto);
    expect(auto.kind).toBe(havePeers('libdeflate') ? 'native' : 'wasm');
    expect((await loadDeflater(DeflaterChoice.Wasm)).kind).toBe('wasm');
    if (havePeers('libdeflate')) expect((await loadDeflater(DeflaterChoice.Native)).kind).toBe('native');
    else await expect(loadDeflater(DeflaterChoice.Native)).rejects.toMatchObject({ code: BundleErrorCode.CompressorUnavailable });
  });

  it('concatenate into one stream GNU gzip reads', async () => {
    const parts = [Buffer.from('first member\n'.repeat(1000)), Buffer.alloc(0), Buffer.from('second\n')];
    for (const deflater of [await loadWasmDeflater(), await loadDeflater()]) {
      const file = Buffer.concat(parts.map((p) => gzipMember(deflater, p)));
      expect(execFileSync('gzip', ['-dc'], { input: file }).equals(Buffer.concat(parts))).toBe(true);
    }
  });

  it('are made on the gzip pool\'s worker threads (the built gzip-worker.js), in order, one per chunk', async () => {
    const chunks = Array.from({ length: 7 }, (_, i) => Buffer.from(`chunk ${i}\n`.repeat(5000 + i * 777)));
    for (const deflater of [DeflaterChoice.Wasm, DeflaterChoice.Auto]) {
      const before = answeredOnWorkers('gzip-worker.js');
      const out: Buffer[] = [];
      for await (const member of compressChunks(chunks.map((c) => Buffer.from(c)), PackCompression.Gzip, { deflater, inFlight: 3 })) out.push(member);
      expect(answeredOnWorkers('gzip-worker.js') - before).toBe(chunks.length);
      expect(out.map((m) => gunzipSync(m).toString())).toEqual(chunks.map((c) => c.toString()));
      expect(execFileSync('gzip', ['-dc'], { input: Buffer.concat(out) }).equals(Buffer.concat(chunks))).toBe(true);
    }
  });

  it('stop early without leaving a worker behind when the consumer gives up after the first member', async () => {
    const before = answeredOnWorkers('gzip-worker.js');
    for await (const member of compressChunks([Buffer.alloc(1 << 20, 1), Buffer.alloc(1 << 20, 2), Buffer.alloc(1 << 20, 3)], PackCompression.Gzip, { inFlight: 2 })) {
      expect(gunzipSync(member).equals(Buffer.alloc(1 << 20, 1))).toBe(true);
      break;
    }
    expect(answeredOnWorkers('gzip-worker.js') - before).toBeGreaterThanOrEqual(1);
  });
});
