// Strategic merge patch as kustomize applies it: built-in kinds merge lists by the merge keys
// of the Kubernetes API (containers by name, volumeMounts by mountPath...), other lists are
// replaced; kinds kustomize has no schema for (CRDs) merge lists of maps by the first of a
// fixed set of associative keys that every element carries. `$patch: delete|replace` and
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
const ASSOCIATIVE = ["mountPath", "devicePath", "ip", "type", "topologyKey", "name", "containerPort"]

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

const mergeKeyOf = (items: unknown[], ctx: Ctx, key: string, parentKey: string): string | undefined => {
  if (ctx.typed) {
    if (key === "ports") return ctx.kind === "Service" && parentKey === "spec" ? "port" : "containerPort"
    return MERGE_KEYS[key]
  }
  if (items.length === 0 || !items.every(isObj)) return undefined
  return ASSOCIATIVE.find((k) => items.every((x) => (x as Obj)[k] !== undefined))
}

const isDirective = (x: unknown, d: string): boolean => isObj(x) && x.$patch === d

const mergeList = (doc: unknown, patch: unknown[], ctx: Ctx, key: string, parentKey: string): unknown[] => {
  const strip = (xs: unknown[]) => clone(xs.filter((x) => !isDirective(x, "replace")))
  if (patch.some((x) => isDirective(x, "replace"))) return strip(patch)
  const live = Array.isArray(doc) ? doc : []
  if (ctx.typed && PRIMITIVE_MERGE.has(key)) return [...live, ...patch.filter((x) => !live.includes(x))]
  const plain = patch.filter((x) => !isObj(x) || x.$patch === undefined)
  const mk = mergeKeyOf(live.length > 0 && !ctx.typed ? [...live, ...plain] : plain.length > 0 ? plain : patch, ctx, key, parentKey)
  if (mk === undefined || !Array.isArray(doc)) return clone(patch.filter((x) => !isDirective(x, "delete")))
  const out = [...live]
  for (const item of patch) {
    if (!isObj(item)) continue
    const idx = out.findIndex((y) => isObj(y) && y[mk] === item[mk])
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1)
      continue
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx], item, ctx, key)
    else out.push(mergeMap(undefined, item, ctx, key))
  }
  return out
}
