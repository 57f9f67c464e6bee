import { describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findRuntime } from './find-runtime.js';
import { ContainerErrorCode } from '../errors.js';

describe('findRuntime', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-find-runtime-'));
  const first = path.join(dir, 'a');
  const second = path.join(dir, 'b');
  mkdirSync(first);
  mkdirSync(second);
  writeFileSync(path.join(first, 'not-exec'), '#!/bin/sh\n');
  writeFileSync(path.join(second, 'not-exec'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(path.join(second, 'myrt'), '#!/bin/sh\n', { mode: 0o755 });
  chmodSync(path.join(first, 'not-exec'), 0o644);
  const env = { PATH: `${first}:${second}` };

  it('finds a name on PATH, skipping files that are not executable', () => {
    expect(findRuntime('myrt', env)).toBe(path.join(second, 'myrt'));
    expect(findRuntime('not-exec', env)).toBe(path.join(second, 'not-exec'));
  });

  it('takes anything with a slash as a path, resolved against cwd, without looking it up', () => {
    expect(findRuntime('./x/runc', env, '/opt')).toBe('/opt/x/runc');
    expect(findRuntime('/usr/local/bin/crun', env)).toBe('/usr/local/bin/crun');
  });

  it('throws RUNTIME_NOT_FOUND naming where it looked', () => {
    expect(() => findRuntime('no-such-runtime-ocikit', env)).toThrow(expect.objectContaining({ code: ContainerErrorCode.RuntimeNotFound, message: expect.stringContaining('/usr/sbin') }));
    rmSync(dir, { recursive: true, force: true });
  });
});
