// Runs a list of independent asynchronous tasks, a fixed number at a time, in order of the list.

/** Calls `task` on each item, at most `limit` at a time (at least one); resolves when every call has. */
export async function eachAtOnce<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await task(items[i]!, i)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane))
}
