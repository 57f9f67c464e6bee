/**
 * BLAKE3 (registered by image-spec main, descriptor.md "Registered
 * algorithms"). Node has no built-in BLAKE3, so this picks, by benchmark
 * (tools/src/bench/digest.ts, README "Choosing BLAKE3"):
 *
 * - `@napi-rs/blake-hash`: the reference Rust crate with its SIMD kernels,
 *   shipped prebuilt per platform through optionalDependencies (no install
 *   script). About 6.5 GB/s here, several times OpenSSL's SHA-256.
 * - `blake3-jit`: pure JavaScript with WebAssembly SIMD, for platforms with
 *   no prebuilt binary. Slower, but always loads.
 *
 * The native module is loaded on first use, so importing this package costs
 * nothing for callers that never hash with BLAKE3.
 */
import { createRequire } from 'node:module';
import { createHasher as createPortableHasher } from 'blake3-jit';
import type { HashBackend } from './hash-backend.js';

interface NativeBlake3Hasher {
  update(input: Uint8Array): unknown;
  digest(format: 'hex'): string;
}
type NativeBlake3 = new () => NativeBlake3Hasher;

let native: NativeBlake3 | null | undefined;

function loadNative(): NativeBlake3 | null {
  if (native === undefined) {
    try {
      const mod = createRequire(import.meta.url)('@napi-rs/blake-hash') as { Blake3Hasher?: NativeBlake3 };
      native = typeof mod.Blake3Hasher === 'function' ? mod.Blake3Hasher : null;
    } catch {
      native = null;
    }
  }
  return native;
}

export type Blake3Implementation = 'native' | 'portable';

/** Which BLAKE3 implementation `createBlake3()` uses on this machine. */
export function blake3Implementation(): Blake3Implementation {
  return loadNative() ? 'native' : 'portable';
}

/** The portable implementation, always available (also used by tests to check both agree). */
export function createPortableBlake3(): HashBackend {
  const h = createPortableHasher();
  return {
    update: (data) => void h.update(data),
    hex: () => Buffer.from(h.finalize()).toString('hex'),
  };
}

/** A BLAKE3 hash with 256-bit output, the fastest implementation available. */
export function createBlake3(): HashBackend {
  const Native = loadNative();
  if (!Native) return createPortableBlake3();
  const h = new Native();
  return {
    update: (data) => void h.update(data),
    hex: () => h.digest('hex'),
  };
}
