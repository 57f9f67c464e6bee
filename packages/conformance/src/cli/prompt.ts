/**
 * Secrets typed on a terminal: a password for a registry, a key's
 * passphrase. One place, so that every prompt hides what is typed the same
 * way and none ever reads a secret from a pipe by accident.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError } from './exit-codes.js';
import type { CommandIO } from './io.js';

/** Whether standard input is a terminal someone can type a secret on. */
export function canPrompt(io: CommandIO): boolean {
  return (io.stdin as NodeJS.ReadStream).isTTY === true;
}

/**
 * Ask for a secret on the terminal without echoing it. `notTerminal` is the
 * whole usage message (command included) when standard input is no terminal.
 */
export function askSecret(io: CommandIO, prompt: string, notTerminal: string): Promise<string> {
  if (!canPrompt(io)) return Promise.reject(new UsageError(notTerminal));
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) io.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: io.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
    // The prompt is out; from here on, what is typed is not echoed.
    muted = true;
  });
}
