/** Worker side of the parallel bundle scan: see scan.ts. */
import { parentPort } from 'node:worker_threads';
import { scanDirs, type ScanRequest } from './scan.js';

const buffer = Buffer.allocUnsafeSlow(1 << 20);
parentPort!.on('message', (req: ScanRequest) => parentPort!.postMessage(scanDirs(req, buffer)));
