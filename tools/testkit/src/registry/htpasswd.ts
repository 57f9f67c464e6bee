/**
 * The registry's basic-auth user file, written by the real `htpasswd`
 * (apache2-utils) with bcrypt, the only hash docker-registry accepts. The
 * password goes in on stdin (`-i`), never on a command line.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { peerPath } from '../peers.js';

function hashLine(username: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(peerPath('htpasswd'), ['-nBi', username], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      // Names the user, never the password.
      if (code === 0 && out.trim() !== '') resolve(out.trim());
      else reject(new Error(`htpasswd failed for user ${JSON.stringify(username)} (exit ${code}): ${err.trim()}`));
    });
    child.stdin.end(`${password}\n`);
  });
}

/** Writes `users` to `file` in htpasswd format, one bcrypt line each. */
export async function writeHtpasswd(file: string, users: readonly { username: string; password: string }[]): Promise<void> {
  const lines: string[] = [];
  for (const { username, password } of users) {
    if (username === '' || /[:\r\n]/.test(username)) throw new Error(`htpasswd user names must be non-empty with no ':' or line break: ${JSON.stringify(username)}`);
    if (/[\r\n]/.test(password)) throw new Error(`htpasswd passwords may hold no line break (user ${JSON.stringify(username)})`);
    lines.push(await hashLine(username, password));
  }
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}
