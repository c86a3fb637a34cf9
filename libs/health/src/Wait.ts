// Waiting for objects to become healthy: polls them through the KubeClient and applies
// `status` until every one is Current, one is Failed (fail fast), or the timeout passes.
import { KubeError, type KubeClient, type KubeObject } from "@moor/kube"
import type { HealthRules } from "./Exprs.ts"
import type { Health } from "./internal/Types.ts"
import { status } from "./Status.ts"

/** Which object to wait for. */
export interface ObjectRef {
  readonly apiVersion: string
  readonly kind: string
  readonly namespace?: string | undefined
  readonly name: string
}

/** An object that is not healthy, and why. */
export interface Unhealthy extends Health {
  readonly ref: ObjectRef
}

export interface WaitOptions {
  /** Give up after this long (ms). */
  readonly timeout: number
  /** Poll interval (ms). */
  readonly interval?: number
  /** Stop as soon as one object is Failed (Flux's behaviour); default true. */
  readonly failFast?: boolean
  readonly signal?: AbortSignal
  /** Rules by group/kind that replace the built-in ones (compiled healthCheckExprs). */
  readonly rules?: HealthRules
}

/** The outcome: ok when all objects are Current; otherwise the ones that are not, with messages. */
export interface WaitResult {
  readonly ok: boolean
  readonly unhealthy: ReadonlyArray<Unhealthy>
  readonly timedOut: boolean
}

/** "Deployment/apps/web" style name for messages. */
export const refString = (r: ObjectRef): string => `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}`

const check = async (kube: KubeClient, ref: ObjectRef, custom: HealthRules | undefined): Promise<Health> => {
  try {
    const rt = await kube.resource(ref.apiVersion, ref.kind)
    const live = await kube.find<KubeObject>(rt, ref.namespace, ref.name)
    if (live === undefined) return { status: "InProgress", message: "not found" }
    return status(live, custom)
  } catch (e) {
    if (e instanceof KubeError && e.code === 404) return { status: "InProgress", message: e.message }
    return { status: "Unknown", message: e instanceof Error ? e.message : String(e) }
  }
}

/** Waits until all `refs` are Current (or one Failed with failFast, or the timeout). */
export const waitFor = async (kube: KubeClient, refs: ReadonlyArray<ObjectRef>, o: WaitOptions): Promise<WaitResult> => {
  const end = Date.now() + o.timeout
  const every = o.interval ?? 500
  let pending = [...refs]
  let last: Unhealthy[] = []
  for (;;) {
    const results = await Promise.all(pending.map(async (ref) => ({ ref, ...(await check(kube, ref, o.rules)) })))
    last = results.filter((r) => r.status !== "Current")
    pending = last.map((r) => r.ref)
    const anyFailed = last.some((r) => r.status === "Failed")
    if (last.length === 0 || (anyFailed && o.failFast !== false)) return { ok: last.length === 0, unhealthy: last, timedOut: false }
    if (Date.now() + every > end || o.signal?.aborted) return { ok: false, unhealthy: last, timedOut: true }
    // The pause ends early on abort, so a stopping service is not held for a whole interval.
    await new Promise<void>((r) => {
      const done = () => {
        clearTimeout(timer)
        o.signal?.removeEventListener("abort", done)
        r()
      }
      const timer = setTimeout(done, every)
      o.signal?.addEventListener("abort", done, { once: true })
    })
  }
}

/** One line naming each unhealthy object and why ("Deployment/apps/web: Failed: progress deadline exceeded..."). */
export const describe = (unhealthy: ReadonlyArray<Unhealthy>): string => unhealthy.map((u) => `${refString(u.ref)}: ${u.status}: ${u.message}`).join("; ")
