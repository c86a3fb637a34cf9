// The messaging an actor host needs, behind one interface: NATS in
// production and integration tests, an in-memory bus for fast unit tests.
import { Context } from "effect"

/** A message delivered to a subscriber; `respond` exists when the sender awaits a reply. */
export interface Message {
  readonly subject: string
  readonly data: Uint8Array
  readonly respond?: (data: Uint8Array) => void
}

export interface TransportShape {
  /** Fire and forget. Events go here; JetStream captures moor.evt.> into MOOR_EVENTS. */
  publish(subject: string, data: Uint8Array): void
  /** Request/reply; rejects on timeout or when nobody listens. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>
  /** Subscribes to a subject (NATS wildcards allowed); returns the unsubscribe function. */
  subscribe(subject: string, handler: (m: Message) => void, options?: { queue?: string }): () => void
  /** Resolves when everything published so far reached the server. */
  flush(): Promise<void>
}

/** The transport an actor host uses. */
export class Transport extends Context.Service<Transport, TransportShape>()("moor/actors/Transport") {}

/** Key-value records with compare-and-set by revision: what leases need. */
export interface KvStoreShape {
  get(key: string): Promise<{ value: Uint8Array; revision: number } | undefined>
  /** Creates the key; undefined when it exists already. */
  create(key: string, value: Uint8Array): Promise<number | undefined>
  /** Writes when the key is still at `revision`; undefined when it moved on (someone else wrote). */
  update(key: string, value: Uint8Array, revision: number): Promise<number | undefined>
  /** Unconditional write. */
  put(key: string, value: Uint8Array): Promise<number>
  /** Deletes, only if still at `revision` when given; false when that check failed. */
  delete(key: string, revision?: number): Promise<boolean>
  /** Keys starting with a prefix. */
  keys(prefix: string): Promise<string[]>
  /** The live entries whose keys start with a prefix (what a placement round reads). */
  entries(prefix: string): Promise<{ key: string; value: Uint8Array; revision: number }[]>
}

/** The lease store of a host (JetStream KV bucket moor-leases, or memory). */
export class LeaseStore extends Context.Service<LeaseStore, KvStoreShape>()("moor/actors/LeaseStore") {}

/** NATS subject matching with `*` (one token) and `>` (the rest). */
export const subjectMatches = (pattern: string, subject: string): boolean => {
  if (pattern === subject) return true
  const p = pattern.split(".")
  const s = subject.split(".")
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i
    if (i >= s.length) return false
    if (p[i] !== "*" && p[i] !== s[i]) return false
  }
  return p.length === s.length
}
