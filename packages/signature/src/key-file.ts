/**
 * Reading a key file, for every key format: bounded before a byte is read
 * (a key is small; a device or a huge file is not one), and an unreadable
 * file said as the caller's mistake, never with the file's content.
 */
import { open, readFile } from 'node:fs/promises';
import { SignatureError, SignatureErrorCode } from './errors.js';

/**
 * The bytes of `file`, at most `limit` of them.
 * @throws SignatureError KeyInvalid when larger (`what` names the kind of key), InvalidArgument when unreadable
 */
export async function readKeyFile(file: string, limit: number, what: string): Promise<Buffer> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > limit) throw new SignatureError(SignatureErrorCode.KeyInvalid, `${file} is ${size} bytes, too large to be ${what} (limit ${limit})`);
      return await readFile(handle);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof SignatureError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `cannot read key file ${file}${code ? `: ${code}` : ''}`, { cause: err });
  }
}
