/** Worker side of the parallel bundle scan: see scan.ts. */
import { serve } from '@ocikit/digest/worker-pool';
import { scanDirs, type ScanRequest, type ScanResponse } from './scan.js';

const buffer = Buffer.allocUnsafeSlow(1 << 20);
serve<ScanRequest, ScanResponse>((req) => scanDirs(req, buffer));
