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

/**
 * Runs `f` over items with at most `limit` in flight, spread over lanes: a free
 * worker takes the next item of the lane with the fewest in flight (ties: the
 * lane whose next item comes first). A lane the server serializes (Services,
 * whose cluster IPs are allocated one at a time) then holds its share of the
 * workers, not all of them, while the other lanes go on.
 */
export const mapLanes = async <T>(items: ReadonlyArray<T>, limit: number, laneOf: (t: T) => string, f: (t: T) => Promise<void>): Promise<void> => {
  const lanes = new Map<string, { queue: { item: T; at: number }[]; next: number; inFlight: number }>()
  items.forEach((item, at) => {
    const k = laneOf(item)
    let l = lanes.get(k)
    if (!l) lanes.set(k, (l = { queue: [], next: 0, inFlight: 0 }))
    l.queue.push({ item, at })
  })
  const pick = () => {
    let best: { queue: { item: T; at: number }[]; next: number; inFlight: number } | undefined
    for (const l of lanes.values()) {
      if (l.next >= l.queue.length) continue
      if (!best || l.inFlight < best.inFlight || (l.inFlight === best.inFlight && l.queue[l.next]!.at < best.queue[best.next]!.at)) best = l
    }
    return best
  }
  const worker = async () => {
    for (let l = pick(); l; l = pick()) {
      const { item } = l.queue[l.next++]!
      l.inFlight++
      try {
        await f(item)
      } finally {
        l.inFlight--
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}
