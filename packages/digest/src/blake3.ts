/** BLAKE3 backend: placeholder until the implementation is chosen by benchmark. */
import type { HashBackend } from './digester.js';

export function createBlake3(): HashBackend {
  throw new Error('blake3 not yet wired');
}
