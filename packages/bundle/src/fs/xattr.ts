/**
 * Extended attributes through @napi-rs/xattr (prebuilt binaries; the l*xattr
 * calls, which never follow a symlink). Loaded once, on first use, so that a
 * platform without a binary can still unpack and digest (without xattrs).
 */
import { createRequire } from 'node:module';

export interface XattrApi {
  listAttributesSync(path: string): string[];
  getAttributeSync(path: string, name: string): Buffer | null;
  setAttributeSync(path: string, name: string, value: Uint8Array): void;
}

let api: XattrApi | Error | undefined;

/** The xattr calls, or the reason they are unavailable on this platform. */
export function loadXattr(): XattrApi | Error {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@napi-rs/xattr') as XattrApi;
    } catch (err) {
      api = new Error(`xattrs unsupported here (@napi-rs/xattr: ${(err as Error).message.split('\n')[0]})`);
    }
  }
  return api;
}

/** The xattr calls, or null when unavailable. */
export function xattrsOrNull(): XattrApi | null {
  const a = loadXattr();
  return a instanceof Error ? null : a;
}
