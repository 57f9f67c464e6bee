/**
 * Worker side of the file digest pool: hashes one path per request on its
 * own thread, so several files use several cores. Loads as little as it
 * can (see file-blocking.ts): its start-up delays the pool's first hash.
 * A file that cannot be read comes back as its fs error (code, syscall,
 * path, errno kept by the pool's wire format).
 */
import { digestFileBlocking } from './file-blocking.js';
import { serve } from './worker-pool.js';

export interface WorkerRequest {
  readonly path: string;
  readonly algorithm: string;
}

export interface WorkerResponse {
  readonly digest: string;
  readonly size: number;
}

serve<WorkerRequest, WorkerResponse>((req) => digestFileBlocking(req.path, req.algorithm));
