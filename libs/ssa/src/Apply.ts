// Staged server-side apply: validate, dry-run everything that can be dry-run before the
// first write, then per stage write what changed (bounded concurrency) and wait for it.
import { hash } from "node:crypto"
import { KubeError, type KubeClient, type KubeObject, type ResourceRef } from "@moor/kube"
import { waitFor as waitHealthy } from "@moor/health"
import { drift } from "./Drift.ts"
import { groupKindOf, groupOf, refString, type ChangeSetEntry, type ChangeSet, type FieldChange, type ObjectRef } from "./ChangeSet.ts"
import { ApplyError, type ObjectFailure } from "./Errors.ts"
import { changes, maskSecret, normalize } from "./internal/Compare.ts"
import { isTakenOver, LAST_APPLIED, takeOver } from "./internal/Ownership.ts"
import { mapLanes, mapLimit } from "./internal/Pool.ts"
import { defaultStages, staged, writeSteps, type Stage } from "./Order.ts"
import { forceEnabled, ssaPolicy, type SsaPolicy } from "./Policy.ts"

/** Options of one apply. */
export interface ApplyOptions {
  /** Recreate objects whose change hits an immutable field (as the force annotation does for one). */
  readonly force?: boolean
  /** How long a waited-for stage (CRDs, Namespaces) may take, in ms. */
  readonly waitTimeout?: number
}

export const defaultApplyOptions: Required<ApplyOptions> = { force: false, waitTimeout: 60_000 }

/** What the engine needs from its owner. */
export interface Engine {
  readonly kube: KubeClient
  readonly fieldManager: string
  readonly concurrency: number
  readonly stages: ReadonlyArray<Stage>
  /** What this engine last applied (or found unchanged), by object: a digest of the object as sent. */
  readonly applied?: Map<string, string>
}

/** Groups of at least this many objects of one kind and namespace are read with one LIST, not a GET each. */
const LIST_AT = 16

/** One object on its way through an apply. */
interface Item {
  obj: KubeObject
  ref: ObjectRef
  readonly policy: SsaPolicy
  readonly force: boolean
  /** Its kind is defined by a CRD of the same set: dry-run after the CRD stage. */
  deferred: boolean
  /** The live object read by a LIST of its kind and namespace (null: absent). */
  prefetched?: KubeObject | null
  plan?: { action: ChangeSetEntry["action"]; diff: FieldChange[]; reason?: string; recreate?: boolean; cleanup?: { resourceVersion: string; managedFields: unknown[]; lastApplied: boolean } }
}

const refOfObj = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
})

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** An immutable-field refusal: recreating the object is the only way through (force). */
const isImmutable = (e: unknown): boolean => e instanceof KubeError && (e.code === 422 || e.code === 400) && /immutable|may not change|cannot change/i.test(e.message)

/** Checks the shape of each object and reads its annotations; errors name the object or its index. */
const validate = (objects: ReadonlyArray<unknown>, o: ApplyOptions): Item[] => {
  const failures: ObjectFailure[] = []
  const items: Item[] = []
  const seen = new Set<string>()
  objects.forEach((raw, i) => {
    const obj = raw as KubeObject
    const ref: ObjectRef = { apiVersion: String(obj?.apiVersion ?? "?"), kind: String(obj?.kind ?? "?"), name: String(obj?.metadata?.name ?? `#${i}`), ...(obj?.metadata?.namespace ? { namespace: String(obj.metadata.namespace) } : {}) }
    const missing = ["apiVersion", "kind"].filter((k) => typeof (obj as any)?.[k] !== "string" || (obj as any)[k] === "")
    if (typeof obj?.metadata?.name !== "string" || obj.metadata.name === "") missing.push("metadata.name")
    if (missing.length > 0) return void failures.push({ ref, message: `object #${i}: missing ${missing.join(", ")}` })
    const policy = ssaPolicy(obj)
    if (typeof policy !== "string") return void failures.push({ ref, message: policy.error })
    const id = `${refString(ref)}@${groupOf(ref.apiVersion)}`
    if (seen.has(id)) return void failures.push({ ref, message: "appears twice in the set" })
    seen.add(id)
    items.push({ obj, ref: refOfObj(obj), policy, force: o.force === true || forceEnabled(obj), deferred: false })
  })
  if (failures.length > 0) throw new ApplyError("validate", failures)
  return items
}

/** The group/kind pairs the set's CRDs define ("group/Kind"). */
const kindsDefinedIn = (items: ReadonlyArray<Item>): Set<string> =>
  new Set(items.filter((it) => it.ref.kind === "CustomResourceDefinition").map((it) => `${it.obj.spec?.group}/${it.obj.spec?.names?.kind}`))

/** Finds the REST resource, retrying briefly (a fresh CRD can answer 404 for a moment). */
const resourceOf = async (kube: KubeClient, ref: ObjectRef, patienceMs: number): Promise<ResourceRef> => {
  const end = Date.now() + patienceMs
  for (;;) {
    try {
      return await kube.resource(ref.apiVersion, ref.kind)
    } catch (e) {
      if (!(e instanceof KubeError && e.code === 404) || Date.now() > end) throw e
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/**
 * A server-side dry-run apply; a fresh CRD's kind may 404 for a moment, so retry within `patienceMs`.
 * With `result` false only its success is wanted, and the answer is not parsed.
 */
async function dryRun(eng: Engine, obj: KubeObject, patienceMs: number, result: true): Promise<KubeObject>
async function dryRun(eng: Engine, obj: KubeObject, patienceMs: number, result: false): Promise<void>
async function dryRun(eng: Engine, obj: KubeObject, patienceMs: number, result: boolean): Promise<KubeObject | void> {
  const end = Date.now() + patienceMs
  const o = { fieldManager: eng.fieldManager, force: true, dryRun: true }
  for (;;) {
    try {
      return result ? await eng.kube.apply(obj, o) : await eng.kube.applied(obj, o)
    } catch (e) {
      if (!(e instanceof KubeError && e.code === 404) || Date.now() > end) throw e
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/** Dry-runs one object and plans its action by comparing the dry-run result with the live object. */
const plan = async (eng: Engine, it: Item, patienceMs: number): Promise<ObjectFailure | undefined> => {
  if (it.policy === "Ignore") {
    it.plan = { action: "skipped", diff: [], reason: "ssa: Ignore" }
    return undefined
  }
  try {
    const rt = await resourceOf(eng.kube, it.ref, patienceMs)
    if (rt.namespaced && !it.ref.namespace) return { ref: it.ref, message: "namespace not specified for a namespaced kind" }
    if (!rt.namespaced && it.ref.namespace) {
      // kustomize's `namespace:` can land on cluster-scoped custom kinds; kubectl drops it too.
      const { namespace: _ns, ...metadata } = it.obj.metadata
      it.obj = { ...it.obj, metadata }
      it.ref = refOfObj(it.obj)
    }
    // The live object is read up front only where it can decide without a dry-run (IfNotPresent,
    // the fast path below). Otherwise the dry-run tells: a dry-run create answers without a
    // resourceVersion, so a new object costs no GET (1,000 Kustomizations of 10 new objects: 10,000
    // requests fewer); one that exists is read after it.
    const known = it.prefetched !== undefined || it.policy === "IfNotPresent" || eng.applied?.has(objectId(it.ref)) === true
    let live = it.prefetched !== undefined ? (it.prefetched ?? undefined) : known ? await eng.kube.find(rt, it.ref.namespace, it.ref.name) : undefined
    if (live !== undefined && it.policy === "IfNotPresent") {
      it.plan = { action: "skipped", diff: [], reason: "ssa: IfNotPresent and the object exists" }
      return undefined
    }
    // Unchanged since this engine applied it, and no applied field drifted: nothing to dry-run or
    // write (a no-op reconcile of 2,000 objects was 4,000 requests, now a LIST per kind).
    // Under Override, fields kubectl added are taken back: that case goes the full way.
    if (live !== undefined && (it.policy === "Merge" || (it.policy === "Override" && !hasTakeOver(live, eng.fieldManager))) && eng.applied?.get(objectId(it.ref)) === digest(it.obj) && drift(it.obj, live).length === 0) {
      it.plan = { action: "unchanged", diff: [] }
      return undefined
    }
    // Known to be absent (a LIST, or this engine's memory and a GET, said so): the dry-run's
    // answer decides nothing, only its success counts.
    if (known && live === undefined) {
      await dryRun(eng, it.obj, patienceMs, false)
      it.plan = { action: "created", diff: [] }
      return undefined
    }
    let dry: KubeObject
    try {
      dry = await dryRun(eng, it.obj, patienceMs, true)
    } catch (e) {
      if (!known && it.force && isImmutable(e)) live = await eng.kube.find(rt, it.ref.namespace, it.ref.name)
      if (live !== undefined && it.force && isImmutable(e)) {
        it.plan = { action: "configured", diff: [], reason: `recreated: ${message(e)}`, recreate: true }
        return undefined
      }
      throw e
    }
    if (!known && dry.metadata.resourceVersion) live = await eng.kube.find(rt, it.ref.namespace, it.ref.name)
    if (live === undefined) it.plan = { action: "created", diff: [] }
    else {
      const diff = maskSecret(it.ref.kind, changes(normalize(live), normalize(dry)))
      const cleanup = it.policy === "Override" ? takeOver(live, eng.fieldManager, dry) : undefined
      if (cleanup) diff.push(...cleanup.released.map((path) => ({ path, before: `(set by ${cleanup.managers.join(", ")})` })))
      it.plan = {
        action: diff.length > 0 || cleanup ? "configured" : "unchanged",
        diff,
        ...(cleanup ? { cleanup: { resourceVersion: String(live.metadata.resourceVersion), managedFields: cleanup.managedFields, lastApplied: cleanup.lastApplied } } : {}),
      }
    }
    return undefined
  } catch (e) {
    return { ref: it.ref, message: `dry-run failed: ${message(e)}` }
  }
}

/** Whether Override would take fields over from kubectl (see takeOver). */
const hasTakeOver = (live: KubeObject, ours: string): boolean =>
  live.metadata.annotations?.[LAST_APPLIED] !== undefined ||
  ((live.metadata.managedFields ?? []) as { manager?: string; subresource?: string }[]).some((e) => e.subresource === undefined && isTakenOver(e.manager, ours))

const objectId = (ref: ObjectRef) => `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`
// one-shot hash(): half the cost of a Hash object per call
const digest = (o: KubeObject) => hash("sha1", JSON.stringify(o), "base64")

/** Reads the live objects of large groups (one kind, one namespace) with one paginated LIST each. */
const prefetch = async (eng: Engine, items: ReadonlyArray<Item>): Promise<void> => {
  const groups = new Map<string, Item[]>()
  for (const it of items) {
    if (it.policy === "Ignore") continue
    const k = `${it.ref.apiVersion}|${it.ref.kind}|${it.ref.namespace ?? ""}`
    let g = groups.get(k)
    if (!g) groups.set(k, (g = []))
    g.push(it)
  }
  await mapLimit([...groups.values()].filter((g) => g.length >= LIST_AT), eng.concurrency, async (g) => {
    const ref = g[0]!.ref
    try {
      const rt = await eng.kube.resource(ref.apiVersion, ref.kind)
      if (rt.namespaced !== (ref.namespace !== undefined)) return
      const live = new Map<string, KubeObject>()
      let cont: string | undefined
      do {
        const page = await eng.kube.list(rt, ref.namespace, { limit: 500, continue: cont })
        for (const o of page.items) live.set(o.metadata.name, { ...o, apiVersion: ref.apiVersion, kind: ref.kind })
        cont = page.metadata.continue || undefined
      } while (cont)
      for (const it of g) it.prefetched = live.get(it.ref.name) ?? null
    } catch {
      // Not listable (RBAC, a kind not served yet): each object is read on its own.
    }
  })
}

/** Remembers what was applied (or found unchanged), for the next apply's fast path. */
const remember = (eng: Engine, it: Item) => eng.applied?.set(objectId(it.ref), digest(it.obj))

/** Plans (dry-runs) items, failing with every invalid object named; nothing is written. */
const planAll = async (eng: Engine, items: ReadonlyArray<Item>, patienceMs: number, done: ChangeSetEntry[], writes: number): Promise<void> => {
  await prefetch(eng, items)
  const failures = (await mapLimit(items, eng.concurrency, (it) => plan(eng, it, patienceMs))).filter((f): f is ObjectFailure => f !== undefined)
  if (failures.length > 0) throw new ApplyError("dry-run", failures, { entries: done, writes })
}

/** Waits until an object is gone (after a delete for a recreate). */
const gone = async (eng: Engine, ref: ObjectRef, timeoutMs: number): Promise<void> => {
  const rt = await eng.kube.resource(ref.apiVersion, ref.kind)
  const end = Date.now() + timeoutMs
  while ((await eng.kube.find(rt, ref.namespace, ref.name)) !== undefined) {
    if (Date.now() > end) throw new Error(`still present ${timeoutMs} ms after its deletion`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const entryOf = (it: Item): ChangeSetEntry => ({
  ref: it.ref,
  action: it.plan!.action,
  diff: it.plan!.diff,
  ...(it.plan!.reason ? { reason: it.plan!.reason } : {}),
})

/** Dry-runs the set and reports what an apply would do; writes nothing. */
export const diffSet = async (eng: Engine, objects: ReadonlyArray<KubeObject>): Promise<ChangeSet> => {
  const items = validate(objects, {})
  await markDeferred(eng, items)
  await planAll(eng, items.filter((it) => !it.deferred), 0, [], 0)
  for (const it of items) if (it.deferred) it.plan = { action: "created", diff: [], reason: "its CRD or namespace is created by the same set: not dry-run" }
  return { entries: staged(items, (it) => it.ref, eng.stages).flatMap((s) => s.items.map(entryOf)), writes: 0 }
}

/**
 * Marks what cannot be dry-run yet because the same set creates what it needs: a kind whose
 * CRD is in the set and not served yet, or a namespace in the set that does not exist yet.
 */
const markDeferred = async (eng: Engine, items: Item[]): Promise<void> => {
  const namespacesInSet = new Set(items.filter((it) => it.ref.kind === "Namespace" && it.ref.apiVersion === "v1").map((it) => it.ref.name))
  const nsExists = new Map<string, Promise<boolean>>()
  const exists = (ns: string): Promise<boolean> => {
    let p = nsExists.get(ns)
    if (!p) {
      p = eng.kube.resource("v1", "Namespace").then((rt) => eng.kube.find(rt, undefined, ns)).then((o) => o !== undefined)
      nsExists.set(ns, p)
    }
    return p
  }
  const defined = kindsDefinedIn(items)
  await mapLimit(items, eng.concurrency, async (it) => {
    if (defined.has(groupKindOf(it.ref))) {
      try {
        await eng.kube.resource(it.ref.apiVersion, it.ref.kind)
      } catch (e) {
        if (e instanceof KubeError && e.code === 404) return void (it.deferred = true)
      }
    }
    if (it.ref.namespace && namespacesInSet.has(it.ref.namespace) && !(await exists(it.ref.namespace))) it.deferred = true
  })
}

/** The staged apply; see ResourceManager.apply. */
export const applySet = async (eng: Engine, objects: ReadonlyArray<KubeObject>, options: ApplyOptions = {}): Promise<ChangeSet> => {
  const o = { ...defaultApplyOptions, ...options }
  const items = validate(objects, o)
  await markDeferred(eng, items)
  const entries: ChangeSetEntry[] = []
  let writes = 0
  // Everything that can be dry-run now is, before the first write.
  await planAll(eng, items.filter((it) => !it.deferred), 0, entries, writes)
  for (const { stage, items: stageItems } of staged(items, (it) => it.ref, eng.stages.length > 0 ? eng.stages : defaultStages)) {
    await planAll(eng, stageItems.filter((it) => it.deferred), 10_000, entries, writes)
    const failures: ObjectFailure[] = []
    const write = async (it: Item) => {
      const p = it.plan!
      if (p.action === "unchanged") remember(eng, it)
      if (p.action !== "created" && p.action !== "configured") return
      try {
        if (p.recreate) {
          const rt = await eng.kube.resource(it.ref.apiVersion, it.ref.kind)
          await eng.kube.delete(rt, it.ref.namespace, it.ref.name, { propagationPolicy: "Background" })
          writes++
          await gone(eng, it.ref, o.waitTimeout)
        }
        if (p.cleanup) {
          // Hand kubectl's fields to our manager so this apply removes what the manifests do not set.
          const rt = await eng.kube.resource(it.ref.apiVersion, it.ref.kind)
          await eng.kube.patch(rt, it.ref.namespace, it.ref.name, "json", [
            { op: "test", path: "/metadata/resourceVersion", value: p.cleanup.resourceVersion },
            { op: "replace", path: "/metadata/managedFields", value: p.cleanup.managedFields },
            ...(p.cleanup.lastApplied ? [{ op: "remove", path: `/metadata/annotations/${LAST_APPLIED.replace("/", "~1")}` }] : []),
          ])
          writes++
        }
        await eng.kube.applied(it.obj, { fieldManager: eng.fieldManager, force: true })
        writes++
        remember(eng, it)
      } catch (e) {
        failures.push({ ref: it.ref, message: `apply failed: ${message(e)}` })
      }
    }
    // What workloads read before the workloads; inside a step one lane per kind, so the
    // Services' one-at-a-time cluster IP allocation does not hold every worker (kube-real,
    // 666 ConfigMaps and 666 Services: 1.3 s + 4.7 s in turn, about 4.2 s side by side).
    for (const step of writeSteps(stageItems, (it) => it.ref)) {
      await mapLanes(step, eng.concurrency, (it) => `${it.ref.apiVersion}/${it.ref.kind}`, write)
      entries.push(...step.filter((it) => !failures.some((f) => f.ref === it.ref)).map(entryOf))
      // workloads are not started without what they read
      if (failures.length > 0) throw new ApplyError("apply", failures, { entries, writes })
    }
    if (stage.wait) {
      const refs = stageItems.filter((it) => it.plan!.action !== "skipped").map((it) => it.ref)
      const r = await waitHealthy(eng.kube, refs, { timeout: o.waitTimeout, interval: 100 })
      if (!r.ok) throw new ApplyError("wait", r.unhealthy.map((u) => ({ ref: u.ref, message: `not ready (${u.status}): ${u.message}` })), { entries, writes })
    }
  }
  return { entries, writes }
}
