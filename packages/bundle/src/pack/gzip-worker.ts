/**
 * Worker side of parallel gzip: each message is one chunk, answered with
 * one complete gzip member (RFC 1952 section 2.3): a fixed 10-byte header,
 * the chunk deflated by libdeflate (WebAssembly) at level 6, the default
 * level of gzip and zlib, then CRC-32 and length. The CRC is Node's native
 * zlib.crc32, several times faster than the scalar one compiled to
 * WebAssembly; the bytes are those libdeflate's own gzip() writes.
 *
 * V8 first runs WebAssembly through its baseline compiler and moves hot
 * functions to the optimising one later: the first tens of megabytes
 * deflated about a third slower. This worker only runs the deflater, so it
 * asks for optimised code from the start (before the module is compiled).
 */
import { setFlagsFromString } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import * as zlib from 'node:zlib';

setFlagsFromString('--no-liftoff');
const { deflate, gzip } = await import('libdeflate');

export interface GzipRequest {
  id: number;
  data: Uint8Array;
}
/** The compressed member, and the input's memory handed back for reuse. */
export type GzipResponse = { id: number; out: Uint8Array; data: Uint8Array } | { id: number; error: string };

const LEVEL = 6;
/** ID1 ID2, CM = deflate, FLG = 0, MTIME = 0 (none), XFL = 0, OS = 255 (unknown). */
const HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff] as const;
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** One gzip member of `data`. */
export function gzipMember(data: Uint8Array): Uint8Array {
  if (crc32 === undefined) return gzip(data, LEVEL); // Node before 20.15
  const body = deflate(data, LEVEL);
  const out = new Uint8Array(HEADER.length + body.length + 8);
  out.set(HEADER, 0);
  out.set(body, HEADER.length);
  const view = new DataView(out.buffer, out.byteOffset + HEADER.length + body.length, 8);
  view.setUint32(0, crc32(data), true);
  view.setUint32(4, data.length >>> 0, true); // ISIZE: the length modulo 2^32
  return out;
}

parentPort?.on('message', (req: GzipRequest) => {
  try {
    const out = gzipMember(req.data);
    parentPort!.postMessage({ id: req.id, out, data: req.data } satisfies GzipResponse, [out.buffer as ArrayBuffer, req.data.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies GzipResponse);
  }
});
