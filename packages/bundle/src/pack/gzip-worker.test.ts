import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { gzip } from 'libdeflate';
import { gzipMember } from './gzip-worker.js';

describe('gzip members made in the worker', () => {
  it('are the bytes libdeflate gzip() writes at level 6, and gunzip to the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 70_000 }), fc.string({ maxLength: 20_000 }).map((s) => new TextEncoder().encode(s.repeat(3)))), (data) => {
        const member = gzipMember(data);
        expect(Buffer.from(member).equals(Buffer.from(gzip(data, 6)))).toBe(true);
        expect(gunzipSync(member).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('concatenate into one stream GNU gzip reads', () => {
    const parts = [Buffer.from('first member\n'.repeat(1000)), Buffer.alloc(0), Buffer.from('second\n')];
    const file = Buffer.concat(parts.map((p) => gzipMember(p)));
    expect(execFileSync('gzip', ['-dc'], { input: file }).equals(Buffer.concat(parts))).toBe(true);
  });
});
