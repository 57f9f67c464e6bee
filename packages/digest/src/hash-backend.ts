/** The hash implementations behind each supported algorithm. */
import { createHash } from 'node:crypto';
import type { SupportedAlgorithm } from './algorithms.js';
import { createBlake3 } from './blake3.js';

/** The minimal incremental hash every backend provides. */
export interface HashBackend {
  update(data: Uint8Array): void;
  /** Lower-case hex of the final hash; called once. */
  hex(): string;
}

/** OpenSSL through node:crypto: it uses SHA-NI / AVX2 where the CPU has them. */
function createNodeHash(algorithm: 'sha256' | 'sha384' | 'sha512'): HashBackend {
  const h = createHash(algorithm);
  return {
    update: (data) => void h.update(data),
    hex: () => h.digest('hex'),
  };
}

export function createHashBackend(algorithm: SupportedAlgorithm): HashBackend {
  return algorithm === 'blake3' ? createBlake3() : createNodeHash(algorithm);
}
