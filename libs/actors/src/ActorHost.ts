// Hosts the actors of one service: one per resource key, spawned for the
// partitions this replica holds. Each actor's mailbox collapses to its latest
// spec; one run is in flight per actor; a newer spec interrupts a stale run;
// failures are caught, published and retried; nothing a handler does can take
// the process or another actor down.
import { Cause, Effect, Exit, type Fiber } from "effect"
import {
  Codecs,
  cmdWildcard,
  evtSubject,
  keyString,
  parseActorSubject,
  type ActorKey,
  type ActorStatus,
  type Command,
  type CommandReply,
} from "@moor/protocol"
import type { Behavior, EventInput, RunResult, Trigger } from "./Behavior.ts"
import type { Catalog, CatalogEntry, RemoveOptions } from "./Catalog.ts"
import { classify, RunTimeout } from "./Errors.ts"
import { silentLog, type Log } from "./Log.ts"
import { defaultPlacementOptions, partitionOf, Placement, SoloPlacement, type PartitionHandler, type PlacementOptions } from "./Placement.ts"
import { backoffDelay, defaultBackoffOptions, defaultDebounceOptions, intervalDelay, type DebounceOptions } from "./Schedule.ts"
import type { KvStoreShape, TransportShape } from "./Transport.ts"

export interface HostOptions {
  /** The service name: leases and membership are per service. */
  readonly service: string
  /** This replica's id; unique per process start. */
  readonly replica?: string
  readonly transport: TransportShape
  /** Shared lease store; without one this replica holds every partition. */
  readonly leases?: KvStoreShape
  /** Desired state; without one, actors come from `upsert` calls and spec commands. */
  readonly catalog?: Catalog
  readonly behaviors: readonly Behavior<any>[]
  readonly placement?: Partial<Omit<PlacementOptions, "service" | "replica">>
  /** Runs in flight at once across this host's actors. */
  readonly maxConcurrentRuns?: number
  readonly debounce?: DebounceOptions
  readonly log?: Log
  /** reportingController of events. Default `moor-<service>`. */
  readonly reportingController?: string
}

/** Defaults: as many concurrent runs as controller-runtime's busiest Flux controllers allow, times a few. */
export const defaultHostOptions = { maxConcurrentRuns: 64 }

type TimerKind = "debounce" | "interval" | "retry"

/** One actor: plain fields, no closures, so 10,000 idle ones stay small. */
class Actor {
  spec: unknown = undefined
  decoded: unknown = undefined
  decodeError: string | undefined = undefined
  generation = 0
  observedGeneration = 0
  suspendedByCommand = false
  fiber: Fiber.Fiber<RunResult | void, unknown> | undefined = undefined
  runGeneration = 0
  interrupted = false
  pending: Trigger | undefined = undefined
  timer: NodeJS.Timeout | undefined = undefined
  timerKind: TimerKind | undefined = undefined
  nextRunAt = 0
  burstStart = 0
  lastSpecAt = 0
  failures = 0
  runs = 0
  lastRunAt = 0
  lastError: string | undefined = undefined
  status: unknown = undefined
  stalled = false
  requestToken: string | undefined = undefined
  queued: Trigger | undefined = undefined
  stopped = false
  onStopped: (() => void) | undefined = undefined
  readonly key: ActorKey
  readonly id: string
  readonly partition: number
  readonly behavior: Behavior<any>
  constructor(key: ActorKey, id: string, partition: number, behavior: Behavior<any>) {
    this.key = key
    this.id = id
    this.partition = partition
    this.behavior = behavior
  }
}

export class ActorHost {
  readonly service: string
  readonly replica: string
  private readonly log: Log
  private readonly behaviors = new Map<string, Behavior<any>>()
  /** Every desired entry known (the informer cache), owned or not. */
  private readonly entries = new Map<string, CatalogEntry>()
  private readonly actors = new Map<string, Actor>()
  private readonly byPartition = new Map<number, Set<Actor>>()
  private readonly placement: Placement | SoloPlacement
  private readonly partitions: number
  private readonly maxConcurrent: number
  private readonly debounce: DebounceOptions
  private readonly reporter: string
  private readonly queue: Actor[] = []
  private inFlight = 0
  private readonly unsubscribe: (() => void)[] = []

  private readonly o: HostOptions

  constructor(o: HostOptions) {
    this.o = o
    this.service = o.service
    this.replica = o.replica ?? `${o.service}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    this.log = o.log ?? silentLog
    for (const b of o.behaviors) this.behaviors.set(b.kind, b)
    this.maxConcurrent = o.maxConcurrentRuns ?? defaultHostOptions.maxConcurrentRuns
    this.debounce = o.debounce ?? defaultDebounceOptions
    this.reporter = o.reportingController ?? `moor-${o.service}`
    const p = { ...defaultPlacementOptions, ...o.placement }
    this.partitions = p.partitions
    const handler: PartitionHandler = {
      acquired: (n) => this.onAcquired(n),
      release: (n) => this.stopPartition(n),
      lost: (n) => void this.stopPartition(n),
    }
    this.placement = o.leases
      ? new Placement(o.leases, { ...p, service: o.service, replica: this.replica }, handler, this.log)
      : new SoloPlacement({ partitions: p.partitions }, handler)
  }

  /** Subscribes to commands, watches the catalog, joins placement. */
  async start(): Promise<void> {
    for (const b of this.behaviors.values()) {
      this.unsubscribe.push(this.o.transport.subscribe(cmdWildcard(b.kind), (m) => this.onCommand(m.subject, m.data, m.respond)))
      if (b.attach) {
        const entries = this.entries
        this.unsubscribe.push(
          b.attach({
            trigger: (key) => this.trigger(key),
            entries: function* () {
              for (const e of entries.values()) if (e.key.kind === b.kind) yield e
            },
            subscribe: (subject, on) => this.o.transport.subscribe(subject, (m) => on(m.data, m.subject)),
            hosts: (key) => this.actors.has(keyString(key)),
            event: (key, e) => this.publishEvent(key, e),
          }),
        )
      }
      if (this.o.catalog) {
        this.unsubscribe.push(
          await this.o.catalog.watch(b.kind, { upsert: (e) => this.upsert(e.key, e.spec, e.generation, e.requestToken), remove: (k, last, o) => this.remove(k, last, o) }),
        )
      }
    }
    await this.placement.start()
    this.log.info("actor host started", { service: this.service, replica: this.replica })
  }

  /** Stops every actor (interrupting runs in flight) within `deadlineMs`, releases leases. */
  async stop(deadlineMs = 10_000): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u()
    const done = this.placement.stop()
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((r) => (timer = setTimeout(r, deadlineMs)))
    await Promise.race([done, late])
    clearTimeout(timer)
    for (const a of this.actors.values()) this.stopActor(a)
    this.log.info("actor host stopped", { service: this.service, replica: this.replica })
  }

  /** Partitions this replica holds now. */
  heldPartitions(): number[] {
    return this.placement.heldPartitions()
  }

  /** Number of actors hosted here. */
  get size(): number {
    return this.actors.size
  }

  /** Runs in flight now. */
  get running(): number {
    return this.inFlight
  }

  /** The status of a hosted actor, or undefined. */
  status(key: ActorKey): ActorStatus | undefined {
    const a = this.actors.get(keyString(key))
    return a && this.describe(a)
  }

  /**
   * Desired state for one key (from the catalog, or directly): spawns or
   * updates the actor when its partition is held. A newer generation is a new
   * spec; the same generation refreshes the object (labels, annotations)
   * without a run, unless it carries a new `requestToken`, which runs it now.
   */
  upsert(key: ActorKey, spec: unknown, generation: number, requestToken?: string): void {
    const id = keyString(key)
    if (!this.behaviors.has(key.kind)) return
    const prev = this.entries.get(id)
    if (prev && prev.generation > generation) return
    this.entries.set(id, requestToken === undefined ? { key, spec, generation } : { key, spec, generation, requestToken })
    const a = this.actors.get(id)
    if (!a) {
      if (this.placement.holds(partitionOf(id, this.partitions))) this.spawn(id)
      return
    }
    if (generation > a.generation) this.setSpec(a, spec, generation)
    else if (generation === a.generation && spec !== a.spec) {
      a.spec = spec
      if (a.decodeError === undefined) this.accept(a, spec, generation)
    }
    if (requestToken !== undefined && requestToken !== a.requestToken) {
      a.requestToken = requestToken
      a.stalled = false
      this.kick(a, "command")
    }
  }

  /** Runs a hosted actor now (as a reconcile command does); false when it is not hosted here. */
  trigger(key: ActorKey): boolean {
    const a = this.actors.get(keyString(key))
    if (!a) return false
    a.stalled = false
    this.kick(a, "command")
    return true
  }

  /**
   * The resource is gone (or being deleted): stop its actor and release what it owned. True when
   * this replica's partition holds it and the cleanup succeeded (a deletion finalizer may go then);
   * an object deleted while no actor ran here yet (at start) is cleaned up from `last`.
   */
  async remove(key: ActorKey, last?: unknown, o?: RemoveOptions): Promise<boolean> {
    const id = keyString(key)
    this.entries.delete(id)
    const a = this.actors.get(id)
    if (a) await this.stopActor(a)
    const behavior = a?.behavior ?? this.behaviors.get(key.kind)
    if (!behavior || !this.placement.holds(partitionOf(id, this.partitions))) return false
    if (!a && last === undefined) return true
    try {
      await behavior.deleted?.(key, last, o?.orphan ? { orphan: true } : undefined)
      return true
    } catch (e) {
      this.log.warn("cleanup after deletion failed", { key: id, error: String(e) })
      return false
    }
  }

  /** Publishes an event about a resource, in Flux's shape. */
  publishEvent(key: ActorKey, e: EventInput): void {
    const b = this.behaviors.get(key.kind)
    const event = Codecs.event.encode({
      involvedObject: {
        kind: b?.kindName ?? key.kind,
        ...(key.namespace === "" ? {} : { namespace: key.namespace }),
        name: key.name,
        ...(b?.apiVersion === undefined ? {} : { apiVersion: b.apiVersion }),
      },
      severity: e.severity ?? "info",
      timestamp: new Date().toISOString(),
      message: e.message,
      reason: e.reason,
      ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
      reportingController: this.reporter,
      reportingInstance: this.replica,
    })
    this.o.transport.publish(evtSubject(key), event)
  }

  // ---- placement ----

  private onAcquired(p: number) {
    for (const [id] of this.entries) if (partitionOf(id, this.partitions) === p && !this.actors.has(id)) this.spawn(id)
  }

  private async stopPartition(p: number): Promise<void> {
    const set = this.byPartition.get(p)
    if (!set) return
    await Promise.all([...set].map((a) => this.stopActor(a)))
  }

  private spawn(id: string): Actor | undefined {
    const e = this.entries.get(id)
    const b = e && this.behaviors.get(e.key.kind)
    if (!e || !b) return undefined
    const a = new Actor(e.key, id, partitionOf(id, this.partitions), b)
    this.actors.set(id, a)
    let set = this.byPartition.get(a.partition)
    if (!set) this.byPartition.set(a.partition, (set = new Set()))
    set.add(a)
    this.accept(a, e.spec, e.generation)
    a.requestToken = e.requestToken
    a.lastSpecAt = Date.now()
    this.kick(a, "start")
    return a
  }

  private stopActor(a: Actor): Promise<void> {
    if (this.actors.get(a.id) === a) this.actors.delete(a.id)
    this.byPartition.get(a.partition)?.delete(a)
    a.stopped = true
    this.clearTimer(a)
    if (!a.fiber) return Promise.resolve()
    const p = new Promise<void>((r) => (a.onStopped = r))
    a.interrupted = true
    a.fiber.interruptUnsafe()
    return p
  }

  // ---- the mailbox ----

  private accept(a: Actor, spec: unknown, generation: number) {
    a.spec = spec
    a.generation = generation
    a.stalled = false
    a.decodeError = undefined
    try {
      a.decoded = a.behavior.decode ? a.behavior.decode(spec) : spec
    } catch (e) {
      a.decoded = undefined
      a.decodeError = (e as Error).message
    }
  }

  private setSpec(a: Actor, spec: unknown, generation: number) {
    if (generation <= a.generation) return
    this.accept(a, spec, generation)
    const now = Date.now()
    if (!a.fiber && a.timerKind !== "debounce" && now - a.lastSpecAt >= this.debounce.debounceMs) {
      a.lastSpecAt = now
      this.kick(a, "spec")
      return
    }
    if (a.timerKind !== "debounce") a.burstStart = now
    a.lastSpecAt = now
    // Arm first: an interrupted run may exit synchronously and must find the timer.
    this.arm(a, Math.max(0, Math.min(this.debounce.debounceMs, a.burstStart + this.debounce.maxWaitMs - now)), "debounce")
    if (a.fiber && a.runGeneration < generation) {
      a.interrupted = true
      a.fiber.interruptUnsafe()
    }
  }

  private suspended(a: Actor): boolean {
    return a.suspendedByCommand || (a.decoded !== undefined && a.behavior.suspended?.(a.decoded) === true)
  }

  /** Run now, or as soon as the run in flight ends, or when a slot frees. */
  private kick(a: Actor, trigger: Trigger) {
    if (a.stopped) return
    if (a.fiber) {
      a.pending ??= trigger
      return
    }
    // An explicit request (command, resume, request token) runs now, even while a spec burst settles.
    this.clearTimer(a)
    if (this.suspended(a)) return
    if (this.inFlight >= this.maxConcurrent) {
      if (a.queued === undefined) this.queue.push(a)
      a.queued = trigger
      return
    }
    this.run(a, trigger)
  }

  private drain() {
    while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
      const a = this.queue.shift()!
      const t = a.queued
      a.queued = undefined
      if (t !== undefined && !a.stopped && !a.fiber) this.run(a, t)
    }
  }

  private arm(a: Actor, delay: number, kind: TimerKind) {
    this.clearTimer(a)
    a.timerKind = kind
    a.nextRunAt = Date.now() + delay
    a.timer = setTimeout(fire, delay, this, a)
  }

  private clearTimer(a: Actor) {
    if (a.timer) clearTimeout(a.timer)
    a.timer = undefined
    a.timerKind = undefined
    a.nextRunAt = 0
  }

  /** @internal timer callback */
  fired(a: Actor) {
    const kind = a.timerKind
    a.timer = undefined
    a.timerKind = undefined
    a.nextRunAt = 0
    if (kind === "debounce") a.burstStart = 0
    this.kick(a, kind === "debounce" ? "spec" : kind === "retry" ? "retry" : "interval")
  }

  // ---- runs ----

  private run(a: Actor, trigger: Trigger) {
    // Fencing: never start a run for a partition whose lease we cannot vouch for.
    if (!this.placement.holds(a.partition)) return
    if (a.decodeError !== undefined) {
      if (!a.stalled) {
        a.stalled = true
        a.lastError = a.decodeError
        this.log.warn("invalid spec", { key: a.id, error: a.decodeError })
        this.publishEvent(a.key, { severity: "error", reason: "InvalidSpec", message: a.decodeError })
      }
      return
    }
    a.runs++
    a.lastRunAt = Date.now()
    a.runGeneration = a.generation
    a.interrupted = false
    this.inFlight++
    const b = a.behavior
    const spec = a.decoded
    const ctx = {
      key: a.key,
      spec,
      generation: a.generation,
      trigger,
      attempt: a.failures + 1,
      status: a.status,
      event: (e: EventInput) => this.publishEvent(a.key, e),
    }
    let eff: Effect.Effect<RunResult | void, unknown> = Effect.suspend(() => b.run(ctx))
    const timeout = b.timeoutMs?.(spec)
    if (timeout !== undefined) {
      eff = eff.pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () => Effect.fail(new RunTimeout({ reason: "ReconciliationFailed", message: `run exceeded its timeout of ${timeout} ms` })),
        }),
      )
    }
    const fiber = Effect.runFork(eff)
    a.fiber = fiber
    fiber.addObserver((exit) => this.onExit(a, fiber, exit))
  }

  private onExit(a: Actor, fiber: Fiber.Fiber<RunResult | void, unknown>, exit: Exit.Exit<RunResult | void, unknown>) {
    if (a.fiber !== fiber) return
    a.fiber = undefined
    this.inFlight--
    this.drain()
    if (a.stopped) {
      a.onStopped?.()
      a.onStopped = undefined
      return
    }
    let delay: number | undefined
    let kind: TimerKind = "interval"
    if (Exit.isSuccess(exit)) {
      a.failures = 0
      a.lastError = undefined
      a.observedGeneration = a.runGeneration
      const r = exit.value
      if (r && r.status !== undefined) a.status = r.status
      delay = r?.requeueAfterMs ?? a.behavior.intervalMs?.(a.decoded)
      if (delay !== undefined && r?.requeueAfterMs === undefined) delay = intervalDelay(delay)
    } else if (a.interrupted && Cause.hasInterruptsOnly(exit.cause)) {
      // Superseded by a newer spec: the debounce timer or `pending` starts the next run.
      a.pending ??= a.timerKind === "debounce" ? undefined : "spec"
    } else {
      const err = Cause.findErrorOption(exit.cause)
      const c = classify(err._tag === "Some" ? err.value : Cause.squash(exit.cause))
      a.lastError = c.message
      // Waiting (a dependency or a source not ready yet) is not a failure: Flux records
      // DependencyNotReady as an info event, so an Alert on errors does not fire for it.
      if (c.kind === "waiting") this.log.info("run waiting", { key: a.id, reason: c.reason, message: c.message })
      else this.log.warn("run failed", { key: a.id, reason: c.reason, class: c.kind, error: c.message })
      this.publishEvent(a.key, { severity: c.kind === "waiting" ? "info" : "error", reason: c.reason, message: c.message, ...(c.metadata ? { metadata: c.metadata } : {}) })
      kind = "retry"
      if (c.kind === "stalled") {
        a.stalled = true
        delay = undefined
      } else if (c.kind === "waiting") delay = c.retryAfterMs
      else {
        a.failures++
        delay = a.behavior.retryIntervalMs?.(a.decoded) ?? backoffDelay(a.behavior.backoff ?? defaultBackoffOptions, a.failures)
      }
    }
    if (a.pending !== undefined) {
      const t = a.pending
      a.pending = undefined
      this.kick(a, t)
    } else if (a.timerKind === "debounce") {
      // a newer spec is settling; its timer starts the next run
    } else if (delay !== undefined && !this.suspended(a)) this.arm(a, delay, kind)
  }

  // ---- commands ----

  private onCommand(subject: string, data: Uint8Array, respond?: (d: Uint8Array) => void) {
    const parsed = parseActorSubject(subject)
    if (!parsed || parsed.type !== "cmd") return
    const id = keyString(parsed.key)
    // Not ours: the replica holding the partition answers.
    if (!this.placement.holds(partitionOf(id, this.partitions))) return
    const reply = (r: CommandReply) => respond?.(Codecs.commandReply.encode(r))
    let cmd: Command
    try {
      cmd = Codecs.command.decode(data)
    } catch (e) {
      reply({ ok: false, error: { reason: "BadCommand", message: (e as Error).message } })
      return
    }
    let a = this.actors.get(id)
    if (!a && cmd.type === "spec") {
      this.upsert(parsed.key, cmd.spec, cmd.generation)
      a = this.actors.get(id)
    }
    if (!a) {
      reply({ ok: false, error: { reason: "NotFound", message: `${parsed.key.kind} ${parsed.key.namespace}/${parsed.key.name} is not hosted by ${this.replica}` } })
      return
    }
    switch (cmd.type) {
      case "spec":
        this.upsert(a.key, cmd.spec, cmd.generation)
        break
      case "reconcile":
        a.stalled = false
        this.kick(a, "command")
        break
      case "suspend":
        a.suspendedByCommand = true
        if (a.timerKind !== "debounce") this.clearTimer(a)
        break
      case "resume":
        a.suspendedByCommand = false
        this.kick(a, "resume")
        break
      case "deleted":
        void this.remove(a.key)
        break
      case "status":
        break
    }
    reply({ ok: true, status: this.describe(a) })
  }

  private describe(a: Actor): ActorStatus {
    const phase: ActorStatus["phase"] = a.stopped
      ? "stopped"
      : a.fiber
        ? "running"
        : a.queued !== undefined
          ? "queued"
          : this.suspended(a)
            ? "suspended"
            : a.timerKind === "retry"
              ? "backoff"
              : "idle"
    return {
      kind: a.key.kind,
      namespace: a.key.namespace,
      name: a.key.name,
      phase,
      generation: a.generation,
      observedGeneration: a.observedGeneration,
      runs: a.runs,
      failures: a.failures,
      ...(a.lastRunAt ? { lastRunAt: new Date(a.lastRunAt).toISOString() } : {}),
      ...(a.lastError === undefined ? {} : { lastError: a.lastError }),
      ...(a.nextRunAt ? { nextRunAt: new Date(a.nextRunAt).toISOString() } : {}),
      owner: this.replica,
      ...(a.status === undefined ? {} : { status: a.status }),
    }
  }
}

function fire(host: ActorHost, a: Actor) {
  host.fired(a)
}
