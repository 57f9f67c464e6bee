/**
 * Run `task` for every item with at most `limit` running at once. The first
 * failure stops new tasks from starting; the ones running are awaited (so no
 * write is left in flight), then that failure is thrown.
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (err) {
        if (!failed) [failed, failure] = [true, err];
      }
    }
  };
  const width = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (failed) throw failure;
}
