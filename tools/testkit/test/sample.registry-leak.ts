// Run by src/registry/registry.test.ts in its own jest: starts a registry and
// never stops it, then either ends normally or hangs until killed.
import { it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRegistry } from '../src/registry/registry.js';

it('leaves a registry running', async () => {
  const registry = await startRegistry();
  await writeFile(process.env['OCIKIT_LEAK_PID_FILE']!, `${registry.pid} ${registry.logFile}\n`);
  if (process.env['OCIKIT_LEAK_HANG']) await sleep(600_000);
});
