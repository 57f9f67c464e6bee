/**
 * Worker side of parallel gzip: each message is one chunk, answered with
 * one complete gzip member made by libdeflate (WebAssembly) at level 6,
 * the default level of gzip and zlib.
 */
import { parentPort } from 'node:worker_threads';
import { gzip } from 'libdeflate';

export interface GzipRequest {
  id: number;
  data: Uint8Array;
}
/** The compressed member, and the input's memory handed back for reuse. */
export type GzipResponse = { id: number; out: Uint8Array; data: Uint8Array } | { id: number; error: string };

parentPort!.on('message', (req: GzipRequest) => {
  try {
    const out = gzip(req.data, 6);
    parentPort!.postMessage({ id: req.id, out, data: req.data } satisfies GzipResponse, [out.buffer as ArrayBuffer, req.data.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies GzipResponse);
  }
});
