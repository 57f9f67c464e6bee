/**
 * The raw DEFLATE (RFC 1951) compressor behind gzip layers. Two builds of
 * one library, libdeflate:
 *
 * - `native`: the system's shared libdeflate (Debian and Ubuntu
 *   `libdeflate0`, Fedora `libdeflate`, Homebrew `libdeflate`), called
 *   through koffi's foreign function interface. Measured here on a
 *   realistic rootfs tar at level 6: about 1.45x the speed of the
 *   WebAssembly build.
 * - `wasm`: the `libdeflate` package's WebAssembly build, always present.
 *
 * `auto` (the default) takes native when both koffi and the library load,
 * else wasm. Different libdeflate versions may choose different (equally
 * valid) encodings, so the compressed bytes of a layer depend on which
 * build made them; the uncompressed tar, and so the layer's diff_id, never
 * do. Choosing `wasm` pins the compressor to the version this package was
 * released with, for byte-identical layers across hosts.
 */
import { createRequire } from 'node:module';
import { BundleError, BundleErrorCode } from '../errors.js';

export const DeflaterChoice = {
  Auto: 'auto',
  Native: 'native',
  Wasm: 'wasm',
} as const;
export type DeflaterChoice = (typeof DeflaterChoice)[keyof typeof DeflaterChoice];
export const DEFLATER_CHOICES: readonly DeflaterChoice[] = Object.values(DeflaterChoice);

export interface Deflater {
  /** Which build compresses: `native` or `wasm`. */
  readonly kind: 'native' | 'wasm';
  /** Bytes `deflateInto` may need for `n` input bytes. */
  bound(n: number): number;
  /**
   * Deflate `data` at `level` into `out` from `offset`; returns the number
   * of bytes written. `out` must have `bound(data.length)` bytes from offset.
   */
  deflateInto(data: Uint8Array, level: number, out: Uint8Array, offset: number): number;
  /** CRC-32 of gzip (ISO 3309), continuing from `crc`. */
  crc32(data: Uint8Array, crc?: number): number;
}

/** Names the shared library goes by, most specific first. */
const LIBRARY_NAMES: Record<string, readonly string[]> = {
  linux: ['libdeflate.so.0', 'libdeflate.so'],
  darwin: ['libdeflate.0.dylib', '/opt/homebrew/lib/libdeflate.0.dylib', '/usr/local/lib/libdeflate.0.dylib', 'libdeflate.dylib'],
  win32: ['libdeflate.dll', 'deflate.dll'],
};
const OTHER_NAMES = ['libdeflate.so.0', 'libdeflate.so'];

interface KoffiLibrary {
  func(signature: string): (...args: unknown[]) => unknown;
}
interface Koffi {
  load(path: string): KoffiLibrary;
}

/** The native build, or why it is not there (a COMPRESSOR_UNAVAILABLE error). */
export function loadNativeDeflater(): Deflater | BundleError {
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (cause) {
    return new BundleError(BundleErrorCode.CompressorUnavailable, `native libdeflate: the koffi package did not load (${firstLine(cause)})`, { cause });
  }
  const names = LIBRARY_NAMES[process.platform] ?? OTHER_NAMES;
  let lib: KoffiLibrary | undefined;
  const failures: string[] = [];
  for (const name of names) {
    try {
      lib = koffi.load(name);
      break;
    } catch (cause) {
      failures.push(firstLine(cause));
    }
  }
  if (lib === undefined) return new BundleError(BundleErrorCode.CompressorUnavailable, `native libdeflate: no shared library found (tried ${names.join(', ')}: ${failures[0] ?? ''}); install libdeflate (Debian: libdeflate0)`);
  const alloc = lib.func('void *libdeflate_alloc_compressor(int)');
  const compress = lib.func('size_t libdeflate_deflate_compress(void *, const void *, size_t, void *, size_t)');
  const bound = lib.func('size_t libdeflate_deflate_compress_bound(void *, size_t)');
  const crc32 = lib.func('uint32_t libdeflate_crc32(uint32_t, const void *, size_t)');
  // One compressor per level, kept for the life of the thread (libdeflate's
  // compressors are not shared between threads; each worker has its own).
  const compressors = new Map<number, unknown>();
  const compressor = (level: number): unknown => {
    let c = compressors.get(level);
    if (c === undefined) {
      c = alloc(level);
      if (c === null) throw new RangeError(`libdeflate: no compressor for level ${level}`);
      compressors.set(level, c);
    }
    return c;
  };
  return {
    kind: 'native',
    // NULL compressor: the bound for any level (libdeflate.h).
    bound: (n) => Number(bound(null, n)),
    deflateInto(data, level, out, offset) {
      const room = out.length - offset;
      const n = Number(compress(compressor(level), data, data.length, out.subarray(offset), room));
      if (n === 0 && data.length > 0) throw new RangeError(`libdeflate: ${room} bytes of output room were not enough`);
      return n;
    },
    crc32: (data, crc = 0) => Number(crc32(crc, data, data.length)) >>> 0,
  };
}

/** The WebAssembly build; `crc32` from Node's zlib (native) where it has one. */
export async function loadWasmDeflater(): Promise<Deflater> {
  const { deflate, gzip } = await import('libdeflate');
  const zlib = await import('node:zlib');
  const zcrc = (zlib as { crc32?: (data: Uint8Array, crc?: number) => number }).crc32;
  return {
    kind: 'wasm',
    // libdeflate's own bound for the worst case: stored blocks plus a little.
    bound: (n) => n + 5 * Math.ceil(n / 10_000 + 1) + 64,
    deflateInto(data, level, out, offset) {
      const body = deflate(data, level);
      out.set(body, offset);
      return body.length;
    },
    crc32(data, crc = 0) {
      if (zcrc !== undefined) return zcrc(data, crc) >>> 0;
      // Node before 20.15: read the CRC from the trailer of libdeflate's own gzip member.
      if (crc !== 0) throw new RangeError('crc32: continuing a CRC needs Node 20.15 or later');
      const member = gzip(data, 0);
      return new DataView(member.buffer, member.byteOffset + member.length - 8, 4).getUint32(0, true);
    },
  };
}

/** The deflater for `choice`; `native` fails with the reason when it cannot load. */
export async function loadDeflater(choice: DeflaterChoice = DeflaterChoice.Auto): Promise<Deflater> {
  if (choice === DeflaterChoice.Wasm) return loadWasmDeflater();
  const native = loadNativeDeflater();
  if (!(native instanceof Error)) return native;
  if (choice === DeflaterChoice.Native) throw native;
  return loadWasmDeflater();
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
