/** The rootfs part of a bundle record (config.json left out), for comparing two bundles' trees. */
import { bundleRecord, type BundleRecordOptions } from '../digest/record.js';

export async function rootfsRecord(bundle: string, options: BundleRecordOptions = {}): Promise<string> {
  return (await bundleRecord(bundle, options)).text
    .split('\n')
    .filter((l) => !l.startsWith('config.json '))
    .join('\n');
}
