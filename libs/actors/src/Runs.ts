// Runs backed by a promise. The host interrupts a run (a newer spec, a partition
// lease lapsing under load) by interrupting its fiber, but a promise cannot be
// stopped: it goes on until it notices the abort signal. Without care the next
// run of the same actor starts beside it (seen on kube-real under load: two
// applies of one Kustomization answered "already exists" for 337 Services).
import { Effect } from "effect"
import type { RunContext } from "./Behavior.ts"

/**
 * A `run` for behaviours whose reconcile is a promise: each run of an actor starts only once
 * the previous one's promise has settled, and gets an AbortSignal that fires when the host
 * interrupts it (check it before writes). One instance per behaviour.
 */
export const serialRuns = <S>(reconcile: (ctx: RunContext<S>, signal: AbortSignal) => Promise<void>) => {
  const inFlight = new Map<string, Promise<void>>()
  return (ctx: RunContext<S>): Effect.Effect<void, unknown> =>
    Effect.tryPromise({
      try: (signal) => {
        const id = `${ctx.key.kind}/${ctx.key.namespace}/${ctx.key.name}`
        const run = (inFlight.get(id) ?? Promise.resolve()).then(() => reconcile(ctx, signal))
        const settled = run.then(
          () => undefined,
          () => undefined,
        )
        inFlight.set(id, settled)
        void settled.then(() => inFlight.get(id) === settled && inFlight.delete(id))
        return run
      },
      catch: (e) => e,
    })
}
