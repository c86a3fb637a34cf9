// Artifacts in the JetStream object store `moor-artifacts`, named by their
// sha256 digest (so a put is idempotent and two owners with the same tree
// share one object), with a small per-owner history in the KV bucket
// `moor-artifact-index` that garbage collection keeps to the last N.
import { Kvm, type KV } from "@nats-io/kv"
import { Objm, type ObjectStore } from "@nats-io/obj"
import type { NatsConnection } from "@nats-io/transport-node"
import { digestOf } from "./Archive.ts"

/** Who produced an artifact: a source object. */
export interface ArtifactOwner {
  /** Lower-case kind: gitrepository, helmrepository... */
  readonly kind: string
  readonly namespace: string
  readonly name: string
}

/** One stored artifact of an owner. */
export interface ArtifactRef {
  /** `sha256:<hex>`, also the object's name. */
  readonly digest: string
  readonly size: number
  readonly revision: string
  /** When this owner stored it (RFC 3339). */
  readonly at: string
}

export interface ArtifactStoreOptions {
  readonly bucket?: string
  readonly indexBucket?: string
}

export const defaultBucket = "moor-artifacts"
export const defaultIndexBucket = "moor-artifact-index"

/** The KV key of an owner; "." in names becomes "_" (not valid in Kubernetes names, so no collisions). */
export const ownerKey = (o: ArtifactOwner): string => [o.kind, o.namespace, o.name].map((s) => s.replaceAll(".", "_")).join(".")

/** Normalises "sha256:<hex>" or "<hex>" to "sha256:<hex>"; throws on anything else. */
export const normalizeDigest = (d: string): string => {
  const m = /^(?:sha256:)?([0-9a-f]{64})$/.exec(d.trim().toLowerCase())
  if (!m) throw new Error(`not a sha256 digest: ${JSON.stringify(d)}`)
  return `sha256:${m[1]}`
}

/** Artifacts by digest in JetStream, with per-owner history and GC. */
export class ArtifactStore {
  readonly #objects: ObjectStore
  readonly #index: KV
  /** The object store's bucket name (for artifact URLs). */
  readonly bucket: string

  private constructor(objects: ObjectStore, index: KV, bucket: string) {
    this.#objects = objects
    this.#index = index
    this.bucket = bucket
  }

  /** Opens (creating if missing) the object store and the index bucket. */
  static async open(nc: NatsConnection, options: ArtifactStoreOptions = {}): Promise<ArtifactStore> {
    const objects = await new Objm(nc).create(options.bucket ?? defaultBucket)
    const index = await new Kvm(nc).create(options.indexBucket ?? defaultIndexBucket, { history: 1 })
    return new ArtifactStore(objects, index, options.bucket ?? defaultBucket)
  }

  /**
   * Stores `bytes` under their digest (skipped when already there) and
   * records it as the owner's newest artifact. Returns the ref and whether an
   * object was written.
   */
  async put(owner: ArtifactOwner, bytes: Uint8Array, revision: string): Promise<ArtifactRef & { readonly created: boolean }> {
    const digest = digestOf(bytes)
    const info = await this.#objects.info(digest)
    let created = false
    if (!info || info.deleted || info.size !== bytes.length) {
      await this.#objects.putBlob({ name: digest, description: revision }, bytes)
      created = true
    }
    const ref: ArtifactRef = { digest, size: bytes.length, revision, at: new Date().toISOString() }
    await this.#updateIndex(owner, (list) => [...list.filter((r) => r.digest !== digest), ref])
    return { ...ref, created }
  }

  /** The artifact's bytes (checked against the digest), or undefined when absent. */
  async get(digest: string): Promise<Uint8Array | undefined> {
    const name = normalizeDigest(digest)
    const bytes = await this.#objects.getBlob(name)
    if (!bytes) return undefined
    if (digestOf(bytes) !== name) throw new Error(`artifact ${name} is corrupt in the object store (digest mismatch)`)
    return bytes
  }

  /** True when the object store holds `digest`. */
  async has(digest: string): Promise<boolean> {
    const info = await this.#objects.info(normalizeDigest(digest))
    return info !== null && !info.deleted
  }

  /** The owner's artifacts, oldest first. */
  async history(owner: ArtifactOwner): Promise<ArtifactRef[]> {
    return (await this.#read(ownerKey(owner))).list
  }

  /** Every digest in the object store. */
  async list(): Promise<string[]> {
    return (await this.#objects.list()).filter((i) => !i.deleted).map((i) => i.name)
  }

  /**
   * Keeps the owner's newest `keep` artifacts and deletes the objects of the
   * older ones unless another owner still lists them. Returns deleted digests.
   */
  async gc(owner: ArtifactOwner, keep = 3): Promise<string[]> {
    let dropped: ArtifactRef[] = []
    await this.#updateIndex(owner, (list) => {
      dropped = list.slice(0, Math.max(0, list.length - Math.max(1, keep)))
      return list.slice(dropped.length)
    })
    if (dropped.length === 0) return []
    const inUse = new Set<string>()
    for await (const key of await this.#index.keys()) for (const r of (await this.#read(key)).list) inUse.add(r.digest)
    const deleted: string[] = []
    for (const r of dropped) {
      if (inUse.has(r.digest)) continue
      await this.#objects.delete(r.digest).catch(() => undefined)
      deleted.push(r.digest)
    }
    return deleted
  }

  /**
   * Drops the owner's artifacts other than `keep` and deletes their objects, without the
   * scan of every owner `gc` makes: for content only this owner can produce (a bundle that
   * names its owner), where no other owner can list the same digest.
   */
  async dropOwned(owner: ArtifactOwner, keep: ReadonlyArray<string>): Promise<string[]> {
    const keepSet = new Set(keep.map(normalizeDigest))
    let dropped: ArtifactRef[] = []
    await this.#updateIndex(owner, (list) => {
      dropped = list.filter((r) => !keepSet.has(r.digest))
      return list.filter((r) => keepSet.has(r.digest))
    })
    for (const r of dropped) await this.#objects.delete(r.digest).catch(() => undefined)
    return dropped.map((r) => r.digest)
  }

  /** Forgets an owner (deleted resource) and collects its artifacts no one else lists. */
  async forget(owner: ArtifactOwner): Promise<string[]> {
    const deleted = await this.gc(owner, 1)
    const rest = await this.history(owner)
    await this.#index.delete(ownerKey(owner))
    const inUse = new Set<string>()
    for await (const key of await this.#index.keys()) for (const r of (await this.#read(key)).list) inUse.add(r.digest)
    for (const r of rest)
      if (!inUse.has(r.digest)) {
        await this.#objects.delete(r.digest).catch(() => undefined)
        deleted.push(r.digest)
      }
    return deleted
  }

  async #read(key: string): Promise<{ list: ArtifactRef[]; revision: number }> {
    const e = await this.#index.get(key)
    if (!e || e.operation !== "PUT" || e.length === 0) return { list: [], revision: e?.revision ?? 0 }
    return { list: (e.json() as { artifacts?: ArtifactRef[] }).artifacts ?? [], revision: e.revision }
  }

  /** Read-modify-write of an owner's history, retried on a concurrent update. */
  async #updateIndex(owner: ArtifactOwner, f: (list: ArtifactRef[]) => ArtifactRef[]): Promise<void> {
    const key = ownerKey(owner)
    for (let attempt = 0; ; attempt++) {
      const { list, revision } = await this.#read(key)
      const value = JSON.stringify({ artifacts: f(list) })
      try {
        if (revision === 0) await this.#index.create(key, value)
        else await this.#index.update(key, value, revision)
        return
      } catch (e) {
        if (attempt >= 5) throw e
      }
    }
  }
}
