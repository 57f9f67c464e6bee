import type { Command } from '../io.js';

/**
 * Every command, loaded lazily so that start-up imports only the one that runs.
 * Add a command: one file in this folder exporting `command`, one line here.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<{ command: Command }>>> = {
  validate: () => import('./validate.js'),
  digest: () => import('./digest.js'),
  unpack: () => import('./unpack.js'),
  generate: () => import('./generate.js'),
  'runtime-test': () => import('./runtime-test.js'),
  bundle: () => import('./bundle.js'),
  pack: () => import('./pack.js'),
  init: () => import('./init.js'),
  ls: () => import('./ls.js'),
  tag: () => import('./tag.js'),
  rm: () => import('./rm.js'),
  gc: () => import('./gc.js'),
  inspect: () => import('./inspect.js'),
  copy: () => import('./copy.js'),
  'list-tags': () => import('./list-tags.js'),
  delete: () => import('./delete.js'),
  referrers: () => import('./referrers.js'),
  login: () => import('./login.js'),
  logout: () => import('./logout.js'),
  key: () => import('./key.js'),
  sign: () => import('./sign.js'),
  verify: () => import('./verify.js'),
  run: () => import('./run.js'),
  ps: () => import('./ps.js'),
  state: () => import('./state.js'),
  kill: () => import('./kill.js'),
  exec: () => import('./exec.js'),
  images: () => import('./images.js'),
  rmi: () => import('./rmi.js'),
  prune: () => import('./prune.js'),
};
