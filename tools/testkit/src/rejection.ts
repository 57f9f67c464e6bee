/**
 * The error a promise (or a function's promise or throw) ends with; fails
 * the test when it resolves instead.
 */
export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
