// Which replica runs which actors. Actor keys hash into partitions; each
// partition is leased in a KV store with an expiry and changes hands only by
// compare-and-set on the KV revision (the fencing token). A holder stops its
// actors before its lease can be taken over: its local deadline is the lease's
// expiry, others wait a grace period past it.
import { Codecs, type Lease } from "@moor/protocol"
import type { KvStoreShape } from "./Transport.ts"
import type { Log } from "./Log.ts"

/** FNV-1a then murmur3's finalizer: cheap, and well mixed for similar strings. */
export const hash32 = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The partition of an actor key string ("kind/namespace/name"). */
export const partitionOf = (key: string, partitions: number): number => hash32(key) % partitions

/**
 * Assigns every partition to a member: highest rendezvous weight first, but
 * no member above ceil(P/n), so the split is even and moves little when
 * members come and go. Every member computes the same answer from the same list.
 */
export const assignPartitions = (members: readonly string[], partitions: number): string[] => {
  const sorted = [...members].sort()
  if (sorted.length === 0) return []
  const cap = Math.ceil(partitions / sorted.length)
  const load = new Map(sorted.map((m) => [m, 0]))
  const out: string[] = []
  for (let p = 0; p < partitions; p++) {
    const ranked = sorted.map((m) => ({ m, w: hash32(`${m}#${p}`) })).sort((a, b) => b.w - a.w || (a.m < b.m ? -1 : 1))
    const pick = ranked.find((r) => load.get(r.m)! < cap)!.m
    load.set(pick, load.get(pick)! + 1)
    out.push(pick)
  }
  return out
}

export interface PlacementOptions {
  readonly service: string
  readonly replica: string
  readonly partitions: number
  /** How long a lease and a membership last without renewal. */
  readonly leaseTtlMs: number
  /**
   * How often the assignment is recomputed. A lease (and the membership) is renewed on the
   * first tick after half its TTL has gone, not on every tick: 64 partitions renewed every
   * second cost each service about 3% of a core between the host and nats-server, at idle.
   */
  readonly tickMs: number
  /** How long past a lease's expiry others wait before taking it (clock skew allowance). */
  readonly takeoverGraceMs: number
}

export const defaultPlacementOptions = { partitions: 64, leaseTtlMs: 5_000, tickMs: 1_000, takeoverGraceMs: 1_000 }

/** What the host does when partitions come and go. */
export interface PartitionHandler {
  /** The lease is ours: start the partition's actors. */
  acquired(p: number): void
  /** Handing over: stop the partition's actors; the lease is deleted only after this resolves. */
  release(p: number): Promise<void>
  /** The lease was lost (taken, or not renewed in time): stop at once. */
  lost(p: number): void
}

interface Held {
  revision: number
  deadline: number
}

/** Placement over a shared KV store: membership, leases, rebalancing. */
export class Placement {
  private readonly held = new Map<number, Held>()
  private timer: NodeJS.Timeout | undefined
  private watchdog: NodeJS.Timeout | undefined
  private running = false
  private stopping = false
  private ticking: Promise<void> = Promise.resolve()
  private readonly startedAt = Date.now()
  private readonly memberKey: string
  /** When this replica's membership record expires (0: not written yet). */
  private memberDeadline = 0

  private readonly kv: KvStoreShape
  readonly options: PlacementOptions
  private readonly handler: PartitionHandler
  private readonly log: Log

  constructor(kv: KvStoreShape, options: PlacementOptions, handler: PartitionHandler, log: Log) {
    this.kv = kv
    this.options = options
    this.handler = handler
    this.log = log
    this.memberKey = `m.${options.service}.${options.replica}`
  }

  /** True while this replica may run the partition's actors. */
  holds(p: number): boolean {
    const h = this.held.get(p)
    return h !== undefined && Date.now() < h.deadline
  }

  /** Partitions held now. */
  heldPartitions(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b)
  }

  async start(): Promise<void> {
    this.running = true
    await this.tick()
    this.schedule()
    // The watchdog enforces the local deadline even when the KV store hangs.
    this.watchdog = setInterval(() => this.expireLocally(), Math.max(50, Math.floor(this.options.tickMs / 4)))
    this.watchdog.unref()
  }

  /** Releases every partition (actors stopped first) and leaves the member list. */
  async stop(): Promise<void> {
    this.stopping = true
    this.running = false
    clearTimeout(this.timer)
    clearInterval(this.watchdog)
    await this.ticking
    await Promise.all([...this.held.keys()].map((p) => this.releaseOne(p)))
    await this.kv.delete(this.memberKey).catch(() => undefined)
  }

  private schedule() {
    if (!this.running) return
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule())
    }, this.options.tickMs)
  }

  private expireLocally() {
    const now = Date.now()
    for (const [p, h] of this.held) {
      if (now >= h.deadline) {
        this.held.delete(p)
        this.log.warn("lease expired before renewal; stopping partition", { partition: p })
        this.handler.lost(p)
      }
    }
  }

  private leaseKey(p: number) {
    return `p.${this.options.service}.${p}`
  }

  /** One round: heartbeat, renew, release what belongs elsewhere, acquire what is ours. */
  private async tick(): Promise<void> {
    if (this.stopping) return
    const o = this.options
    try {
      const now = Date.now()
      if (this.due(this.memberDeadline, now)) {
        await this.kv.put(this.memberKey, Codecs.member.encode({ replica: o.replica, expiresAt: now + o.leaseTtlMs, startedAt: this.startedAt }))
        this.memberDeadline = now + o.leaseTtlMs
      }
      const members = await this.liveMembers(now)
      const assignment = assignPartitions(members, o.partitions)
      await Promise.all([...this.held].filter(([, h]) => this.due(h.deadline, now)).map(([p]) => this.renew(p)))
      const live = new Set(members)
      const toRelease = [...this.held.keys()].filter((p) => assignment[p] !== o.replica && live.has(assignment[p]!))
      await Promise.all(toRelease.map((p) => this.releaseOne(p)))
      const toAcquire: number[] = []
      for (let p = 0; p < o.partitions; p++) if (assignment[p] === o.replica && !this.held.has(p)) toAcquire.push(p)
      await Promise.all(toAcquire.map((p) => this.acquire(p)))
    } catch (e) {
      this.log.warn("placement round failed; leases stay until their deadline", { error: String(e) })
    }
  }

  /** Whether a record expiring at `deadline` is due for renewal: half its TTL gone. */
  private due(deadline: number, now: number): boolean {
    return deadline - now <= this.options.leaseTtlMs / 2
  }

  private async liveMembers(now: number): Promise<string[]> {
    const out = new Set([this.options.replica])
    for (const e of await this.kv.entries(`m.${this.options.service}.`)) {
      const m = Codecs.member.decode(e.value)
      if (m.expiresAt > now) out.add(m.replica)
    }
    return [...out]
  }

  private record(now: number): Uint8Array {
    const lease: Lease = { owner: this.options.replica, expiresAt: now + this.options.leaseTtlMs, acquiredAt: now }
    return Codecs.lease.encode(lease)
  }

  private async renew(p: number) {
    const h = this.held.get(p)
    if (!h) return
    const now = Date.now()
    const rev = await this.kv.update(this.leaseKey(p), this.record(now), h.revision)
    if (!this.held.has(p)) return
    if (rev === undefined) {
      this.held.delete(p)
      this.log.warn("lease taken by another replica; stopping partition", { partition: p })
      this.handler.lost(p)
    } else {
      h.revision = rev
      h.deadline = now + this.options.leaseTtlMs
    }
  }

  private async acquire(p: number) {
    const now = Date.now()
    const key = this.leaseKey(p)
    const cur = await this.kv.get(key)
    let rev: number | undefined
    if (cur === undefined) rev = await this.kv.create(key, this.record(now))
    else {
      const lease = Codecs.lease.decode(cur.value)
      const free = lease.owner === this.options.replica || now > lease.expiresAt + this.options.takeoverGraceMs
      if (free) rev = await this.kv.update(key, this.record(now), cur.revision)
    }
    if (rev === undefined || this.stopping) return
    this.held.set(p, { revision: rev, deadline: now + this.options.leaseTtlMs })
    this.handler.acquired(p)
  }

  private async releaseOne(p: number) {
    const h = this.held.get(p)
    if (!h) return
    await this.handler.release(p)
    this.held.delete(p)
    await this.kv.delete(this.leaseKey(p), h.revision).catch(() => false)
  }
}

/** Placement for a single replica with no store: it holds every partition. */
export class SoloPlacement {
  readonly options: { partitions: number }
  private readonly handler: PartitionHandler
  constructor(options: { partitions: number }, handler: PartitionHandler) {
    this.options = options
    this.handler = handler
  }
  holds(_p: number) {
    return true
  }
  heldPartitions() {
    return Array.from({ length: this.options.partitions }, (_, i) => i)
  }
  async start() {
    for (const p of this.heldPartitions()) this.handler.acquired(p)
  }
  async stop() {
    await Promise.all(this.heldPartitions().map((p) => this.handler.release(p)))
  }
}
