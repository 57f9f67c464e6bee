/**
 * What a suite that runs the built CLI against one real registry needs: its
 * scratch folder, a HOME of its own (no auth file or certs.d of the machine
 * is read), a registry started before the tests and stopped after, an
 * image packed into a layout to push, and `cli()` with that environment.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from '@jest/globals';
import type { Descriptor } from '@ocikit/image-spec';
import { startRegistry, suiteScratch, type RunningRegistry, type StartRegistryOptions } from '@ocikit/testkit';
import { packImage, type TestImage } from './layouts.js';
import { runCli, type CliResult } from './run-cli.js';

/** HOME and XDG folders under `dir`, and no REGISTRY_AUTH_FILE or DOCKER_CONFIG of the machine's. */
export function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  mkdirSync(path.join(dir, 'run'), { recursive: true, mode: 0o700 });
  return {
    HOME: dir,
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    REGISTRY_AUTH_FILE: '',
    DOCKER_CONFIG: path.join(dir, 'docker'),
  };
}

/** A failure said in one line on stderr, nothing on stdout. */
export function expectOneLine(r: CliResult, code: number): void {
  expect([r.code, r.stdout]).toEqual([code, '']);
  expect(r.stderr.split('\n')).toHaveLength(2);
  expect(r.stderr.endsWith('\n')).toBe(true);
}

export interface RegistrySuite {
  /** The suite's scratch folder. */
  readonly tmp: string;
  readonly registry: RunningRegistry;
  readonly env: NodeJS.ProcessEnv;
  /** The layout holding the suite's image, tagged `v1`. */
  readonly src: string;
  readonly image: Descriptor;
  /** The built `ocikit` with the suite's environment. */
  cli(args: string[]): Promise<CliResult>;
}

/** Register the suite's set-up and tear-down (call it inside `describe`); its fields are there once `beforeAll` ran. */
export function registrySuite(name: string, options: { registry?: StartRegistryOptions; image?: TestImage } = {}): RegistrySuite {
  const scratch = suiteScratch(name);
  let state: Omit<RegistrySuite, 'cli' | 'tmp'> | undefined;
  const ready = (): Omit<RegistrySuite, 'cli' | 'tmp'> => {
    if (state === undefined) throw new Error(`registry suite ${name} is used before its beforeAll ran`);
    return state;
  };
  beforeAll(async () => {
    const env = isolatedEnv(path.join(scratch.dir, 'home'));
    const registry = await startRegistry(options.registry);
    const src = path.join(scratch.dir, 'src');
    state = {
      env,
      registry,
      src,
      image: await packImage(`${src}:v1`, scratch.dir, options.image),
    };
  });
  afterAll(() => state?.registry.stop());
  return {
    get tmp() {
      return scratch.dir;
    },
    get registry() {
      return ready().registry;
    },
    get env() {
      return ready().env;
    },
    get src() {
      return ready().src;
    },
    get image() {
      return ready().image;
    },
    cli: (args) => runCli(args, { env: ready().env }),
  };
}
