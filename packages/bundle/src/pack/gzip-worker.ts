/**
 * Worker side of parallel gzip: each message is one chunk, answered with
 * one complete gzip member (RFC 1952 section 2.3): a fixed 10-byte header,
 * the chunk deflated at level 6 (the default level of gzip and zlib) by the
 * deflater the pool asked for (see deflater.ts), then CRC-32 and length.
 *
 * V8 first runs WebAssembly through its baseline compiler and moves hot
 * functions to the optimising one later: the first tens of megabytes
 * deflated about a third slower. This worker only runs the deflater, so it
 * asks for optimised code from the start (before any module is compiled),
 * on the Node lines where that is safe.
 */
import { setFlagsFromString } from 'node:v8';
import { isMainThread, workerData } from 'node:worker_threads';
import { serve, transfer } from '@ocikit/digest/worker-pool';
import { type Deflater, DeflaterChoice, loadDeflater } from './deflater.js';

export interface GzipWorkerData {
  deflater: DeflaterChoice;
}
export interface GzipRequest {
  data: Uint8Array;
}
/** The compressed member, and the input's memory handed back for reuse. */
export interface GzipResponse {
  out: Uint8Array;
  data: Uint8Array;
}

const LEVEL = 6;
/** ID1 ID2, CM = deflate, FLG = 0, MTIME = 0 (none), XFL = 0, OS = 255 (unknown). */
const HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff] as const;

/** One gzip member of `data`, made with `deflater`. */
export function gzipMember(deflater: Deflater, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER.length + deflater.bound(data.length) + 8);
  out.set(HEADER, 0);
  const n = deflater.deflateInto(data, LEVEL, out, HEADER.length);
  const view = new DataView(out.buffer, out.byteOffset + HEADER.length + n, 8);
  view.setUint32(0, deflater.crc32(data), true);
  view.setUint32(4, data.length >>> 0, true); // ISIZE: the length modulo 2^32
  return out.subarray(0, HEADER.length + n + 8);
}

// Imported on the main thread too (tests use gzipMember): serve only on a worker.
if (!isMainThread) {
  // V8 calls flag changes after start-up unsupported, and Node 26's V8 aborts
  // on this one once the optimising compiler tiers up libdeflate's WebAssembly
  // ("Check failed: function_feedback != ...end()"). Only where it was
  // measured safe: Node 20 to 24.
  if (Number(process.versions.node.split('.')[0]) <= 24) setFlagsFromString('--no-liftoff');
  const choice = (workerData as GzipWorkerData | undefined)?.deflater ?? DeflaterChoice.Auto;
  // A deflater that cannot load (native asked for, not installed) fails every request with the reason.
  const deflater: Deflater | Error = await loadDeflater(choice).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  // Loaded (a native library included): serve() tells the pool, and from now on terminating this thread is safe.
  serve<GzipRequest, GzipResponse>((req) => {
    if (deflater instanceof Error) throw deflater;
    const out = gzipMember(deflater, req.data);
    return transfer({ out, data: req.data }, [out.buffer as ArrayBuffer, req.data.buffer as ArrayBuffer]);
  });
}
