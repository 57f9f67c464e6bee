import { link, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigBuilder, downgradeConfig, RuntimeSpecError, SPEC_VERSIONS, TargetOS, type MountOptions } from '@ocikit/runtime-spec';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, enumOption, flags } from '../options.js';

const OSES = Object.values(TargetOS);

const usage = `Usage: ocikit generate [--os OS] [--rootless] [--oci-version V] [--args ARG]... [--env K=V]...
                       [--cwd DIR] [--hostname H] [--mount SPEC]... [--output FILE [--force]]
                       [-- COMMAND [ARG...]]

Write a default runtime configuration (config.json), as \`runc spec\` does for
Linux, with the usual edits applied. The result always validates.

  --os OS          one of: ${OSES.join(', ')} (default linux)
  --rootless       Linux: a configuration an unprivileged user can run
  --oci-version V  declare runtime-spec release V and leave out newer fields, for
                   older runtimes (${SPEC_VERSIONS.join(', ')}; default ${SPEC_VERSIONS[SPEC_VERSIONS.length - 1]})
  --args ARG       the process's argv, one --args per word (or give them after --)
  --env K=V        set an environment variable (repeatable)
  --cwd DIR        working directory (absolute)
  --hostname H     container hostname
  --mount SPEC     add a mount: src=PATH,dst=PATH[,type=T][,opt=O]... (repeatable;
                   without type, a bind mount with options rbind,rw)
  --output FILE    write FILE (atomically) instead of standard output
  --force          replace FILE if it exists

Exit status: 0 written, 2 usage error or FILE exists.
`;

/** `src=/a,dst=/b,type=tmpfs,opt=nosuid,opt=nodev` */
function parseMount(spec: string): { destination: string; source: string; options: MountOptions } {
  let source: string | undefined;
  let destination: string | undefined;
  let type: string | undefined;
  const opts: string[] = [];
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`generate: --mount expects key=value pairs, found "${part}" in "${spec}"`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'src' || key === 'source') source = value;
    else if (key === 'dst' || key === 'destination' || key === 'target') destination = value;
    else if (key === 'type') type = value;
    else if (key === 'opt' || key === 'option') opts.push(value);
    else throw new UsageError(`generate: --mount key must be src, dst, type or opt, not "${key}"`);
  }
  if (source === undefined || destination === undefined) throw new UsageError(`generate: --mount needs src= and dst=, found "${spec}"`);
  const options: MountOptions = {};
  if (type !== undefined) options.type = type;
  if (opts.length > 0 || type !== undefined) options.options = type === undefined ? ['rbind', ...opts] : opts;
  return { destination, source, options };
}

async function writeAtomically(file: string, text: string, force: boolean): Promise<boolean> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    if (force) await rename(tmp, file);
    else {
      // link(2) never replaces an existing file: no window between a check and the write.
      try {
        await link(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
    }
    return true;
  } finally {
    await rm(tmp, { force: true });
  }
}

const options = {
  ...flags('string', 'os', 'oci-version', 'cwd', 'hostname'),
  ...flags('boolean', 'rootless'),
  args: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  mount: { type: 'string', multiple: true },
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean', short: 'f' },
} as const;

export const command = defineCommand('generate', { summary: 'write a default runtime config.json (like runc spec), with the usual edits', usage, options }, async ({ values, positionals }, io) => {
  const os = enumOption('generate', 'os', values.os, OSES, TargetOS.Linux);
  const argv = [...(values.args ?? []), ...positionals];
  let text: string;
  try {
    const b = new ConfigBuilder({ os, rootless: values.rootless === true });
    if (argv.length > 0) b.args(...argv);
    for (const kv of values.env ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`generate: --env expects K=V, found "${kv}"`);
      b.env(kv.slice(0, eq), kv.slice(eq + 1));
    }
    if (values.cwd !== undefined) b.cwd(values.cwd);
    if (values.hostname !== undefined) b.hostname(values.hostname);
    for (const m of values.mount ?? []) {
      const { destination, source, options } = parseMount(m);
      b.mount(destination, source, options);
    }
    let spec = b.build();
    const version = values['oci-version'];
    if (version !== undefined) {
      const { config, dropped } = downgradeConfig(spec, version);
      spec = config;
      for (const d of dropped) await write(io.stderr, `ocikit: generate: warning: left out ${d.path}${d.value !== undefined ? ` (${JSON.stringify(d.value)})` : ''}, new in runtime-spec ${d.since}\n`);
    }
    text = `${JSON.stringify(spec, null, 2)}\n`;
  } catch (err) {
    if (err instanceof RuntimeSpecError) throw new UsageError(`generate: ${err.message}`);
    throw err;
  }
  if (values.output === undefined) {
    if (values.force) throw new UsageError('generate: --force needs --output');
    await write(io.stdout, text);
    return ExitCode.Ok;
  }
  const file = path.resolve(io.cwd, values.output);
  if (!(await writeAtomically(file, text, values.force === true))) throw new UsageError(`generate: ${file} exists (use --force to replace it)`);
  return ExitCode.Ok;
});
