// Where desired state comes from: the resources an actor host should run.
// In production an informer over the cluster (added by the kube library);
// here an in-memory catalog and one in a JetStream KV bucket, so several
// replica processes can share one desired state in tests.
import { Kvm, type KV } from "@nats-io/kv"
import type { NatsConnection } from "@nats-io/transport-node"
import { decodeToken, encodeToken, CLUSTER_SCOPE, type ActorKey } from "@moor/protocol"

/** One desired resource: its key, generation (bumped on spec change) and spec. */
export interface CatalogEntry {
  readonly key: ActorKey
  readonly generation: number
  readonly spec: unknown
  /**
   * A manual reconcile request that does not change the generation (Flux's
   * reconcile.fluxcd.io/requestedAt annotation): a new value runs the actor now.
   */
  readonly requestToken?: string
}

/** How a resource went: `orphan` when its finalizer was removed first (no cleanup in the cluster). */
export interface RemoveOptions {
  readonly orphan?: boolean
}

export interface CatalogListener {
  upsert(entry: CatalogEntry): void
  /**
   * The resource is gone, or being deleted (`last`: the object as last seen). Resolves to whether
   * this replica hosts it and has released what it owned (a finalizer may then be removed).
   */
  remove(key: ActorKey, last?: unknown, o?: RemoveOptions): Promise<boolean>
}

/** Sends every current entry of a kind, then every change, until stopped. */
export interface Catalog {
  watch(kind: string, listener: CatalogListener): Promise<() => void>
}

/** A catalog held in this process (tests, single-process dev). */
export class MemoryCatalog implements Catalog {
  private readonly entries = new Map<string, CatalogEntry>()
  private readonly listeners = new Map<string, Set<CatalogListener>>()

  put(entry: CatalogEntry): void {
    this.entries.set(id(entry.key), entry)
    for (const l of this.listeners.get(entry.key.kind) ?? []) l.upsert(entry)
  }
  remove(key: ActorKey): void {
    if (!this.entries.delete(id(key))) return
    for (const l of this.listeners.get(key.kind) ?? []) void l.remove(key)
  }
  async watch(kind: string, listener: CatalogListener) {
    for (const e of this.entries.values()) if (e.key.kind === kind) listener.upsert(e)
    const set = this.listeners.get(kind) ?? new Set()
    set.add(listener)
    this.listeners.set(kind, set)
    return () => void set.delete(listener)
  }
}

const id = (k: ActorKey) => `${k.kind}/${k.namespace}/${k.name}`
const kvKey = (k: ActorKey) => `${encodeToken(k.kind)}.${k.namespace === "" ? CLUSTER_SCOPE : encodeToken(k.namespace)}.${encodeToken(k.name)}`
const enc = new TextEncoder()
const dec = new TextDecoder()

/** A catalog in a JetStream KV bucket: `<kind>.<ns>.<name>` → {generation, spec}. */
export class KvCatalog implements Catalog {
  readonly kv: KV
  private constructor(kv: KV) {
    this.kv = kv
  }

  static async open(nc: NatsConnection, bucket = "moor-catalog"): Promise<KvCatalog> {
    return new KvCatalog(await new Kvm(nc).create(bucket, { history: 1 }))
  }

  async put(entry: CatalogEntry): Promise<void> {
    await this.kv.put(kvKey(entry.key), enc.encode(JSON.stringify({ generation: entry.generation, spec: entry.spec })))
  }
  async remove(key: ActorKey): Promise<void> {
    await this.kv.delete(kvKey(key))
  }

  async watch(kind: string, listener: CatalogListener) {
    const iter = await this.kv.watch({ key: `${encodeToken(kind)}.>` })
    void (async () => {
      for await (const e of iter) {
        const [k, ns, name] = e.key.split(".") as [string, string, string]
        const key = { kind: k, namespace: ns === CLUSTER_SCOPE ? "" : decodeToken(ns), name: decodeToken(name) }
        if (e.operation !== "PUT") void listener.remove(key)
        else {
          const v = JSON.parse(dec.decode(e.value)) as { generation: number; spec: unknown }
          listener.upsert({ key, generation: v.generation, spec: v.spec })
        }
      }
    })()
    return () => iter.stop()
  }
}
