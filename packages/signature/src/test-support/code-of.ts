import { isSignatureError } from '../errors.js';

/** The SignatureError code a promise rejects with; undefined when it resolves. Any other error fails the test. */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (isSignatureError(err)) return err.code;
    throw err;
  }
  return undefined;
}
