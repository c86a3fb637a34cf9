// Bounded concurrency: run `f` over items with at most `limit` in flight, results in order.
export const mapLimit = async <T, R>(items: ReadonlyArray<T>, limit: number, f: (t: T, i: number) => Promise<R>): Promise<R[]> => {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return out
}
