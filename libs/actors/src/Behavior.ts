// What an actor does: the behaviour of one kind, as plain data and an Effect.
import type { RemoveOptions } from "./Catalog.ts"
import type { Effect } from "effect"
import type { ActorKey, Severity } from "@moor/protocol"
import type { BackoffOptions } from "./Schedule.ts"

/** Why a run started. */
export type Trigger = "start" | "spec" | "interval" | "retry" | "command" | "resume"

/** An event the handler reports; the host adds the object reference, time and reporter. */
export interface EventInput {
  readonly severity?: Severity
  readonly reason: string
  readonly message: string
  readonly metadata?: Record<string, string>
}

/** What a handler sees of its actor during one run. */
export interface RunContext<Spec> {
  readonly key: ActorKey
  readonly spec: Spec
  readonly generation: number
  readonly trigger: Trigger
  /** 1 on the first try, n after n-1 consecutive failures. */
  readonly attempt: number
  /** The status the last successful run returned. */
  readonly status: unknown
  /** Publishes an event about this resource on moor.evt.<kind>.<namespace>.<name>. */
  event(e: EventInput): void
}

/** What a run returns: the new status and, optionally, when to run next. */
export interface RunResult {
  readonly status?: unknown
  readonly requeueAfterMs?: number
}

/** The behaviour of every actor of one kind. */
export interface Behavior<Spec = unknown> {
  /** Lower-case kind: the subject token (gitrepository, kustomization...). */
  readonly kind: string
  /** The Kubernetes kind and apiVersion, for events' involvedObject. */
  readonly kindName?: string
  readonly apiVersion?: string
  /** Decodes a raw spec; a throw stalls the actor with that message until the spec changes. */
  readonly decode?: (spec: unknown) => Spec
  /** One reconcile. Typed errors (Stalled, Waiting, Transient) choose the retry; anything else backs off. */
  readonly run: (ctx: RunContext<Spec>) => Effect.Effect<RunResult | void, unknown>
  /** Periodic reconcile after a success (spec.interval). */
  readonly intervalMs?: (spec: Spec) => number | undefined
  /** Per-run timeout (spec.timeout). */
  readonly timeoutMs?: (spec: Spec) => number | undefined
  /** A fixed retry delay after failures instead of backoff (spec.retryInterval). */
  readonly retryIntervalMs?: (spec: Spec) => number | undefined
  /** spec.suspend: no runs while true. */
  readonly suspended?: (spec: Spec) => boolean
  readonly backoff?: BackoffOptions
  /**
   * The resource was deleted (called on the replica whose partition holds it, after its actor
   * stopped; `last`: the object as last seen, when known): release what it owns. `orphan`: its
   * finalizer was taken off before the delete (Flux's way to delete without cleanup, and what
   * `moor uninstall` does): forget it, but leave what it made in the cluster.
   */
  readonly deleted?: (key: ActorKey, last?: unknown, o?: RemoveOptions) => Promise<void>
  /**
   * Called once when the host starts: subscribe to what should wake actors
   * (another kind's events, say). Returns the unsubscribe function.
   */
  readonly attach?: (host: HostHandle) => () => void
}

/** What a behaviour may do with its host. */
export interface HostHandle {
  /** Runs the actor now if this replica hosts it (as a reconcile command does); false otherwise. */
  trigger(key: ActorKey): boolean
  /** The desired entries of this behaviour's kind known to the host (hosted or not). */
  entries(): Iterable<{ readonly key: ActorKey; readonly spec: unknown }>
  /** Subscribes on the host's transport; returns the unsubscribe function. */
  subscribe(subject: string, on: (data: Uint8Array, subject: string) => void): () => void
  /** True when this replica hosts the actor now. */
  hosts(key: ActorKey): boolean
  /** Publishes an event about a resource, as a run's ctx.event does. */
  event(key: ActorKey, e: EventInput): void
}
