/**
 * Runs `task(0..count-1)` in index order with at most `width` in flight; a task returning false stops new
 * ones from starting (those in flight finish).
 */
export async function forEachInWindow(
  count: number,
  width: number,
  task: (index: number) => Promise<boolean>,
): Promise<void> {
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && next < count) {
      const index = next++;
      if (!(await task(index))) stopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}
