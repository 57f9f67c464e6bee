/**
 * Worker side of the file digest pool: hashes one path per message on its
 * own thread, so several files use several cores. Loads as little as it
 * can (see file-blocking.ts): its start-up delays the pool's first hash.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { digestFileBlocking } from './file-blocking.js';

export interface WorkerRequest {
  readonly id: number;
  readonly path: string;
  readonly algorithm: string;
}

export type WorkerResponse =
  | { readonly id: number; readonly digest: string; readonly size: number }
  | { readonly id: number; readonly error: { message: string; name: string; code?: string; syscall?: string; path?: string; errno?: number } };

async function answer(port: MessagePort, req: WorkerRequest): Promise<void> {
  let response: WorkerResponse;
  try {
    const r = await digestFileBlocking(req.path, req.algorithm);
    response = { id: req.id, digest: r.digest, size: r.size };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    response = { id: req.id, error: { message: err.message, name: err.name, code: err.code, syscall: err.syscall, path: err.path, errno: err.errno } };
  }
  port.postMessage(response);
}

const port = parentPort;
if (port) port.on('message', (req: WorkerRequest) => void answer(port, req));
