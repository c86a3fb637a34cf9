// Transport and KV store over a real NATS connection (core NATS for
// messages, a JetStream KV bucket for leases), plus the JetStream resources
// every installation shares.
import { connect, type NatsConnection } from "@nats-io/transport-node"
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream"
import { Kvm, type KV } from "@nats-io/kv"
import { EVENTS_STREAM, LEASES_BUCKET } from "@moor/protocol"
import type { KvStoreShape, Message, TransportShape } from "./Transport.ts"

/** Connects to NATS; the name shows up in the server's connection list. */
export const connectNats = (url: string, name: string): Promise<NatsConnection> =>
  connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 })

export class NatsTransport implements TransportShape {
  readonly nc: NatsConnection
  constructor(nc: NatsConnection) {
    this.nc = nc
  }

  publish(subject: string, data: Uint8Array): void {
    this.nc.publish(subject, data)
  }

  async request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const m = await this.nc.request(subject, data, { timeout: timeoutMs })
    return m.data
  }

  subscribe(subject: string, handler: (m: Message) => void, options?: { queue?: string }): () => void {
    const sub = this.nc.subscribe(subject, {
      ...(options?.queue === undefined ? {} : { queue: options.queue }),
      callback: (err, m) => {
        if (err) return
        handler(m.reply ? { subject: m.subject, data: m.data, respond: (d) => void m.respond(d) } : { subject: m.subject, data: m.data })
      },
    })
    return () => sub.unsubscribe()
  }

  flush(): Promise<void> {
    return this.nc.flush()
  }
}

/** Is this the server refusing a compare-and-set (the key moved on, or exists)? */
const isCasFailure = (e: unknown): boolean => {
  const err = e as { message?: string; code?: number; api_error?: { err_code?: number } }
  return (
    err?.api_error?.err_code === 10071 ||
    /wrong last sequence|key exists/i.test(err?.message ?? "")
  )
}

export class NatsKv implements KvStoreShape {
  readonly kv: KV
  private readonly listing: { readonly jsm: JetStreamManager; readonly bucket: string } | undefined
  /**
   * With `listing` (the bucket's manager and name), `entries` reads the key list from the
   * stream's subjects in one request; a KV key listing creates and deletes a consumer each
   * time, which cost nats-server more than the 64 lease writes of a round together.
   */
  constructor(kv: KV, listing?: { jsm: JetStreamManager; bucket: string }) {
    this.kv = kv
    this.listing = listing
  }

  async get(key: string) {
    const e = await this.kv.get(key)
    if (e === null || e.operation !== "PUT") return undefined
    return { value: e.value, revision: e.revision }
  }
  async create(key: string, value: Uint8Array) {
    try {
      return await this.kv.create(key, value)
    } catch (e) {
      if (isCasFailure(e)) return undefined
      throw e
    }
  }
  async update(key: string, value: Uint8Array, revision: number) {
    try {
      return await this.kv.update(key, value, revision)
    } catch (e) {
      if (isCasFailure(e)) return undefined
      throw e
    }
  }
  put(key: string, value: Uint8Array) {
    return this.kv.put(key, value)
  }
  async delete(key: string, revision?: number) {
    try {
      await this.kv.delete(key, revision === undefined ? undefined : { previousSeq: revision })
      return true
    } catch (e) {
      if (isCasFailure(e)) return false
      throw e
    }
  }
  /** Each key once: the KV listing may yield a key twice when it is written meanwhile. */
  async keys(prefix: string) {
    const out = new Set<string>()
    for await (const k of await this.kv.keys(`${prefix}>`)) out.add(k)
    return [...out]
  }
  async entries(prefix: string) {
    let keys: string[]
    if (this.listing) {
      const { jsm, bucket } = this.listing
      const subject = `$KV.${bucket}.`
      const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${subject}${prefix}>` })
      keys = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(subject.length))
    } else keys = await this.keys(prefix)
    // a deleted key keeps its subject (the delete marker): get() leaves it out
    const got = await Promise.all(keys.map(async (key) => ({ key, e: await this.get(key) })))
    return got.flatMap(({ key, e }) => (e ? [{ key, ...e }] : []))
  }
}

export interface JetStreamSetupOptions {
  /** How long events are kept (ms). Default 7 days. */
  readonly eventsMaxAgeMs?: number
  /** Bytes kept at most. Default 256 MiB. */
  readonly eventsMaxBytes?: number
}

/**
 * Creates (or keeps) the shared JetStream resources: stream MOOR_EVENTS over
 * moor.evt.> bounded by age and size, and the lease bucket. Idempotent.
 */
export const ensureJetStream = async (nc: NatsConnection, o: JetStreamSetupOptions = {}): Promise<{ leases: NatsKv }> => {
  const jsm = await jetstreamManager(nc)
  const config = {
    name: EVENTS_STREAM,
    subjects: ["moor.evt.>"],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: (o.eventsMaxAgeMs ?? 7 * 24 * 3600_000) * 1_000_000,
    max_bytes: o.eventsMaxBytes ?? 256 * 1024 * 1024,
  }
  try {
    await jsm.streams.info(EVENTS_STREAM)
    await jsm.streams.update(EVENTS_STREAM, config)
  } catch {
    await jsm.streams.add(config)
  }
  // history 1: only the current holder matters; the revision is the fencing token.
  const kv = await new Kvm(nc).create(LEASES_BUCKET, { history: 1 })
  return { leases: new NatsKv(kv, { jsm, bucket: LEASES_BUCKET }) }
}
