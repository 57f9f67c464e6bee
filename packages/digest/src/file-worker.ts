/**
 * Worker side of the file digest pool: hashes one path per message on its
 * own thread, so several files use several cores.
 */
import { parentPort } from 'node:worker_threads';
import { digestFile } from './file.js';

export interface WorkerRequest {
  readonly id: number;
  readonly path: string;
  readonly algorithm: string;
}

export type WorkerResponse =
  | { readonly id: number; readonly digest: string; readonly size: number }
  | { readonly id: number; readonly error: { message: string; name: string; code?: string; syscall?: string; path?: string; errno?: number } };

const port = parentPort;
if (port) {
  port.on('message', (req: WorkerRequest) => {
    digestFile(req.path, req.algorithm).then(
      (r) => port.postMessage({ id: req.id, digest: r.digest, size: r.size } satisfies WorkerResponse),
      (err: NodeJS.ErrnoException) =>
        port.postMessage({
          id: req.id,
          error: { message: err.message, name: err.name, code: err.code, syscall: err.syscall, path: err.path, errno: err.errno },
        } satisfies WorkerResponse),
    );
  });
}
