// Structural comparison of Kubernetes objects: stripping what the server owns
// (managedFields, resourceVersion, generation, status...), listing changed field paths,
// and masking Secret values so a diff never carries one.
import type { FieldChange } from "../ChangeSet.ts"

type J = any

/** Metadata fields the server sets or bumps on every write; never a difference we act on. */
const SERVER_METADATA = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"]

/** A copy without status and server-maintained metadata. */
export const normalize = (obj: J): J => {
  const { status: _status, ...rest } = obj ?? {}
  const metadata = { ...(rest.metadata ?? {}) }
  for (const k of SERVER_METADATA) delete metadata[k]
  return { ...rest, metadata }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Keys that identify items of associative lists (containers, ports, env, volumes...). */
const LIST_KEYS = ["name", "containerPort", "port", "mountPath", "devicePath", "ip", "topologyKey"]

const listKey = (items: unknown[]): string | undefined =>
  items.length > 0 && items.every(isObj) ? LIST_KEYS.find((k) => items.every((it) => (it as Record<string, unknown>)[k] !== undefined)) : undefined

const seg = (path: string, k: string): string => (path ? `${path}.${k}` : k)

export const equal = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]))
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]))
  }
  return false
}

/** Every path where `before` and `after` differ (both whole objects, lists compared item by item). */
export const changes = (before: unknown, after: unknown, path = "", out: FieldChange[] = []): FieldChange[] => {
  if (equal(before, after)) return out
  if (isObj(before) && isObj(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!(k in after)) out.push({ path: seg(path, k), before: before[k] })
      else if (!(k in before)) out.push({ path: seg(path, k), after: after[k] })
      else changes(before[k], after[k], seg(path, k), out)
    }
    return out
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = listKey(before) !== undefined && listKey(before) === listKey(after) ? listKey(before) : undefined
    if (key !== undefined) {
      const b = new Map(before.map((it) => [String(it[key]), it]))
      const a = new Map(after.map((it) => [String(it[key]), it]))
      for (const k of new Set([...b.keys(), ...a.keys()])) changes(b.get(k), a.get(k), `${path}[${key}=${k}]`, out)
      return out
    }
    if (before.length === after.length && before.every(isObj)) {
      before.forEach((x, i) => changes(x, after[i], `${path}[${i}]`, out))
      return out
    }
  }
  out.push({ path, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) })
  return out
}

/**
 * The fields of `desired` whose value differs in `live`: only fields `desired` sets count
 * (what others add is not drift). Associative list items are matched by key.
 */
export const drifted = (desired: unknown, live: unknown, path = "", out: FieldChange[] = []): FieldChange[] => {
  if (isObj(desired)) {
    if (!isObj(live)) {
      out.push({ path, after: desired, ...(live === undefined ? {} : { before: live }) })
      return out
    }
    for (const [k, v] of Object.entries(desired)) drifted(v, live[k], seg(path, k), out)
    return out
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    const key = listKey(desired)
    if (key !== undefined) {
      const byKey = new Map(live.filter(isObj).map((it) => [String(it[key]), it]))
      for (const it of desired) drifted(it, byKey.get(String(it[key])), `${path}[${key}=${String(it[key])}]`, out)
      return out
    }
    if (desired.length === live.length && desired.every(isObj)) {
      desired.forEach((x, i) => drifted(x, live[i], `${path}[${i}]`, out))
      return out
    }
  }
  if (desired === null && live === undefined) return out
  if (!equal(desired, live)) out.push({ path, after: desired, ...(live === undefined ? {} : { before: live }) })
  return out
}

/** Replaces values under a Secret's data/stringData with a mask (changed values stay distinguishable as paths only). */
export const maskSecret = (kind: string, cs: FieldChange[]): FieldChange[] =>
  kind !== "Secret"
    ? cs
    : cs.map((c) =>
        /^(data|stringData)(\.|$)/.test(c.path)
          ? { path: c.path, ...("before" in c ? { before: "***" } : {}), ...("after" in c ? { after: "***" } : {}) }
          : c,
      )
