import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleRecord, verifyBundle } from '@ocikit/bundle';
import { isValidDigest } from '@ocikit/digest';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type Command } from '../io.js';
import { parseCommandArgs } from '../options.js';

const usage = `Usage: ocikit bundle digest [--manifest] [--mtimes] BUNDLE
       ocikit bundle verify [--mtimes] BUNDLE DIGEST|RECORD

digest  print the bundle digest: sha256 of a canonical record of config.json
        and every rootfs entry (path, type, mode, owner, size, content digest,
        link target, device numbers, xattrs), the same for the same tree on
        any host and at any path. The record is specified in @ocikit/bundle's README.
  --manifest  print the record itself (its sha256 is the digest)
  --mtimes    include modification times

verify  check BUNDLE against a digest, or against a record file printed by
        --manifest ("-" reads it from standard input); on a mismatch, name the
        first entry that differs (with a digest alone, the first change since
        unpack, when the bundle has ocikit's unpack record).

Exit status: 0 digest printed / bundle matches, 1 mismatch or unusable bundle, 2 usage error.
`;

function describe(v: Awaited<ReturnType<typeof verifyBundle>>): string {
  const d = v.difference;
  if (!d) return '';
  const what = d.kind === 'changed' ? `${d.entry} changed${d.fields.length ? ` (${d.fields.join('; ')})` : ''}` : `${d.entry} ${d.kind}`;
  return v.against === 'unpack-record' ? `; first change since unpack: ${what}` : `; first difference: ${what}`;
}

const options = { manifest: { type: 'boolean' }, mtimes: { type: 'boolean' } } as const;

export const command: Command = {
  summary: 'bundle digest and verify: a canonical, host-independent digest of a runtime bundle',
  usage,
  options,
  subcommands: ['digest', 'verify'],
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'digest' && sub !== 'verify') throw new UsageError(`bundle: expected "digest" or "verify", not ${sub === undefined ? 'nothing' : JSON.stringify(sub)}`);
    const { values, positionals } = parseCommandArgs(`bundle ${sub}`, rest, options);
    {
      if (sub === 'digest') {
        if (positionals.length !== 1) throw new UsageError('bundle digest: name exactly one BUNDLE directory');
        const rec = await bundleRecord(path.resolve(io.cwd, positionals[0]!), { mtimes: values.mtimes === true });
        await write(io.stdout, values.manifest ? rec.text : `${rec.digest}\n`);
        return ExitCode.Ok;
      }
      if (values.manifest) throw new UsageError('bundle verify: --manifest is for "bundle digest"');
      if (positionals.length !== 2) throw new UsageError('bundle verify: name a BUNDLE and a DIGEST or RECORD file');
      const [bundle, want] = positionals as [string, string];
      let expected: string;
      if (isValidDigest(want)) expected = want;
      else {
        try {
          expected = want === '-' ? readFileSync(0, 'utf8') : readFileSync(path.resolve(io.cwd, want), 'utf8');
        } catch {
          throw new UsageError(`bundle verify: ${JSON.stringify(want)} is neither a digest nor a readable record file`);
        }
      }
      const v = await verifyBundle(path.resolve(io.cwd, bundle), expected, values.mtimes === true ? { mtimes: true } : {});
      if (v.ok) {
        await write(io.stdout, `${bundle}: OK\n`);
        return ExitCode.Ok;
      }
      await write(io.stderr, `ocikit: bundle verify: ${bundle} does not match: expected ${v.expected}, got ${v.actual}${describe(v)}\n`);
      return ExitCode.Failure;
    }
  },
};
