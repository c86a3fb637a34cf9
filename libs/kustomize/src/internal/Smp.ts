// Strategic merge patch as kustomize applies it: built-in kinds merge lists by the merge keys
// of the Kubernetes API (containers by name, volumeMounts by mountPath...), other lists are
// replaced, as are all lists of kinds kustomize has no schema for (CRDs). `$patch: delete|replace` and
// `$deleteFromPrimitiveList` are honoured; a top-level `$patch: delete` deletes the object.
import { groupOf, isObj, type Obj } from "./Resource.ts"

const BUILTIN_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "rbac.authorization.k8s.io",
  "networking.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "node.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "apiextensions.k8s.io",
  "admissionregistration.k8s.io",
  "certificates.k8s.io",
  "apiregistration.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
])

const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
  conditions: "type",
  ownerReferences: "uid",
  resourceClaims: "name",
  schedulingGates: "name",
}
const PRIMITIVE_MERGE = new Set(["finalizers"])

const clone = <T>(v: T): T => structuredClone(v)

interface Ctx {
  readonly typed: boolean
  readonly kind: string
}

/** Applies an SMP to an object; returns undefined when the patch deletes the whole object. */
export const strategicMerge = (doc: Obj, patch: Obj): Obj | undefined => {
  const ctx: Ctx = { typed: BUILTIN_GROUPS.has(groupOf(doc.apiVersion)), kind: String(doc.kind ?? "") }
  return mergeMap(doc, patch, ctx, "") as Obj | undefined
}

const mergeMap = (doc: unknown, patch: Obj, ctx: Ctx, parentKey: string): Obj | undefined => {
  if (patch.$patch === "delete") return undefined
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch
    return clone(rest)
  }
  const out: Obj = isObj(doc) ? { ...doc } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith("$setElementOrder/") || k.startsWith("$deleteFromPrimitiveList/")) continue
    if (v === null) delete out[k]
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v, ctx, k, parentKey)
    else if (isObj(v)) {
      const r = mergeMap(out[k], v, ctx, k)
      if (r === undefined) delete out[k]
      else out[k] = r
    } else out[k] = v
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith("$deleteFromPrimitiveList/") || !Array.isArray(v)) continue
    const f = k.slice("$deleteFromPrimitiveList/".length)
    if (Array.isArray(out[f])) out[f] = (out[f] as unknown[]).filter((x) => !v.includes(x))
  }
  if (Array.isArray(patch.$retainKeys)) for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k]
  return out
}

const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"])

const mergeKeyOf = (ctx: Ctx, key: string, parentKey: string): string | undefined => {
  if (ctx.typed) {
    // `ports` is keyed in containers and in a Service's spec; elsewhere (NetworkPolicy) atomic.
    if (key === "ports") return CONTAINER_LISTS.has(parentKey) ? "containerPort" : ctx.kind === "Service" && parentKey === "spec" ? "port" : undefined
    return MERGE_KEYS[key]
  }
  // kustomize has no schema for these kinds: their lists are replaced.
  return undefined
}

const isDirective = (x: unknown, d: string): boolean => isObj(x) && x.$patch === d

const mergeList = (doc: unknown, patch: unknown[], ctx: Ctx, key: string, parentKey: string): unknown[] => {
  const strip = (xs: unknown[]) => clone(xs.filter((x) => !isDirective(x, "replace")))
  if (patch.some((x) => isDirective(x, "replace"))) return strip(patch)
  const live = Array.isArray(doc) ? doc : []
  // A merged list of scalars (finalizers): the patch's items first, then the others.
  if (ctx.typed && PRIMITIVE_MERGE.has(key)) return [...new Set([...patch, ...live])]
  const mk = mergeKeyOf(ctx, key, parentKey)
  if (mk === undefined || !Array.isArray(doc)) return clone(patch.filter((x) => !isDirective(x, "delete")))
  if (key === "ports" && ctx.typed) return mergePorts(live, patch, ctx, key, mk)
  // Patch items come first in patch order (merged with their originals), then the original
  // items the patch does not mention, as Kubernetes' strategic merge orders them.
  const index = new Map<unknown, number>()
  live.forEach((y, i) => {
    if (isObj(y) && !index.has(y[mk])) index.set(y[mk], i)
  })
  const used = new Set<number>()
  const head: unknown[] = []
  for (const item of patch) {
    if (!isObj(item)) continue
    const idx = index.get(item[mk])
    if (idx !== undefined) used.add(idx)
    if (item.$patch === "delete") continue
    head.push(mergeMap(idx === undefined ? undefined : live[idx], item, ctx, key))
  }
  return [...head, ...live.filter((_, i) => !used.has(i))]
}

/**
 * Ports are keyed by port and protocol. As kustomize does: a patch item matching an existing
 * port on both merges in place; one that leaves out the protocol of an existing port is
 * ignored; new ones go first, in patch order.
 */
const mergePorts = (live: unknown[], patch: unknown[], ctx: Ctx, key: string, mk: string): unknown[] => {
  const out = [...live]
  const added: unknown[] = []
  for (const item of patch) {
    if (!isObj(item)) continue
    const idx = out.findIndex((y) => isObj(y) && y[mk] === item[mk] && (y.protocol ?? "") === (item.protocol ?? ""))
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1)
      continue
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx], item, ctx, key)
    else if (item.protocol === undefined && out.some((y) => isObj(y) && y[mk] === item[mk])) continue
    else added.push(mergeMap(undefined, item, ctx, key))
  }
  return [...added, ...out]
}
