// In-process implementations of Transport and the KV store, for unit tests
// of actor logic: same interfaces, same semantics, no server.
import { subjectMatches, type KvStoreShape, type Message, type TransportShape } from "./Transport.ts"

interface Sub {
  readonly pattern: string
  readonly handler: (m: Message) => void
  readonly queue?: string
}

/** A message bus in memory; delivery is asynchronous (next microtask), like a network. */
export class MemoryTransport implements TransportShape {
  private subs: Sub[] = []
  private rr = 0

  publish(subject: string, data: Uint8Array): void {
    this.deliver({ subject, data })
  }

  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      let done = false
      const timer = setTimeout(() => {
        done = true
        reject(new Error(`request to ${subject} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      const respond = (reply: Uint8Array) => {
        if (done) return
        done = true
        clearTimeout(timer)
        resolve(reply)
      }
      if (this.deliver({ subject, data, respond }) === 0) {
        clearTimeout(timer)
        reject(new Error(`no responders for ${subject}`))
      }
    })
  }

  subscribe(subject: string, handler: (m: Message) => void, options?: { queue?: string }): () => void {
    const sub: Sub = options?.queue === undefined ? { pattern: subject, handler } : { pattern: subject, handler, queue: options.queue }
    this.subs.push(sub)
    return () => {
      this.subs = this.subs.filter((s) => s !== sub)
    }
  }

  flush(): Promise<void> {
    return new Promise((r) => setImmediate(r))
  }

  private deliver(m: Message): number {
    const matched = this.subs.filter((s) => subjectMatches(s.pattern, m.subject))
    const plain = matched.filter((s) => s.queue === undefined)
    const groups = new Map<string, Sub[]>()
    for (const s of matched) if (s.queue !== undefined) groups.set(s.queue, [...(groups.get(s.queue) ?? []), s])
    const targets = [...plain, ...[...groups.values()].map((g) => g[this.rr++ % g.length]!)]
    for (const t of targets) queueMicrotask(() => t.handler(m))
    return targets.length
  }
}

/** A KV store in memory with revisions, as JetStream KV keeps them. */
export class MemoryKv implements KvStoreShape {
  private rev = 0
  private readonly data = new Map<string, { value: Uint8Array; revision: number }>()

  async get(key: string) {
    return this.data.get(key)
  }
  async create(key: string, value: Uint8Array) {
    if (this.data.has(key)) return undefined
    return this.write(key, value)
  }
  async update(key: string, value: Uint8Array, revision: number) {
    if (this.data.get(key)?.revision !== revision) return undefined
    return this.write(key, value)
  }
  async put(key: string, value: Uint8Array) {
    return this.write(key, value)
  }
  async delete(key: string, revision?: number) {
    if (revision !== undefined && this.data.get(key)?.revision !== revision) return false
    this.data.delete(key)
    return true
  }
  async keys(prefix: string) {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix))
  }
  async entries(prefix: string) {
    return [...this.data].filter(([k]) => k.startsWith(prefix)).map(([key, e]) => ({ key, ...e }))
  }
  private write(key: string, value: Uint8Array) {
    const revision = ++this.rev
    this.data.set(key, { value, revision })
    return revision
  }
}
