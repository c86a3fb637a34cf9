// Patch target selectors: group/version/kind/name/namespace as anchored regular expressions
// (matched against the current or the original name and namespace, as kustomize does),
// label and annotation selectors in Kubernetes' selector syntax.
import { KustomizeError } from "./Errors.ts"
import { groupOf, isNamespaced, isObj, kindOf, type Res, versionOf } from "./Resource.ts"

type Req = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!exists"; values: string[] }

/** A parsed patch target. */
export interface Target {
  readonly group?: RegExp
  readonly version?: RegExp
  readonly kind?: RegExp
  readonly name?: RegExp
  readonly namespace?: RegExp
  readonly labels?: Req[]
  readonly annotations?: Req[]
}

const anchored = (s: unknown, file: string, at: string): RegExp | undefined => {
  if (s === undefined || s === null || s === "") return undefined
  try {
    return new RegExp(`^(?:${String(s)})$`)
  } catch {
    throw new KustomizeError(file, `${at}: "${s}" is not a valid regular expression`)
  }
}

/** Parses a Kubernetes label selector ("a=b,c!=d,e in (x,y),!f"). */
export const parseSelector = (s: string, file: string, at: string): Req[] => {
  const reqs: Req[] = []
  const parts = s.match(/[^,(]+(\([^)]*\))?/g) ?? []
  for (const raw of parts.map((p) => p.trim()).filter((p) => p !== "")) {
    let m: RegExpMatchArray | null
    if ((m = raw.match(/^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/))) reqs.push({ key: m[1]!, op: m[2] as "in", values: m[3]!.split(",").map((v) => v.trim()) })
    else if ((m = raw.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) reqs.push({ key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] })
    else if ((m = raw.match(/^!\s*(\S+)$/))) reqs.push({ key: m[1]!, op: "!exists", values: [] })
    else if ((m = raw.match(/^(\S+)$/))) reqs.push({ key: m[1]!, op: "exists", values: [] })
    else throw new KustomizeError(file, `${at}: cannot parse selector "${s}"`)
  }
  return reqs
}

const matchReqs = (reqs: Req[], m: Record<string, unknown>): boolean =>
  reqs.every((r) => {
    const v = m[r.key]
    const has = v !== undefined
    switch (r.op) {
      case "=":
        return has && String(v) === r.values[0]
      case "!=":
        return !has || String(v) !== r.values[0]
      case "in":
        return has && r.values.includes(String(v))
      case "notin":
        return !has || !r.values.includes(String(v))
      case "exists":
        return has
      case "!exists":
        return !has
    }
  })

/** Parses a `target` of a patch entry. */
export const parseTarget = (t: unknown, file: string, at: string): Target => {
  if (!isObj(t)) throw new KustomizeError(file, `${at} must be a map`)
  return {
    group: anchored(t.group, file, `${at}.group`),
    version: anchored(t.version, file, `${at}.version`),
    kind: anchored(t.kind, file, `${at}.kind`),
    name: anchored(t.name, file, `${at}.name`),
    namespace: anchored(t.namespace, file, `${at}.namespace`),
    labels: typeof t.labelSelector === "string" ? parseSelector(t.labelSelector, file, `${at}.labelSelector`) : undefined,
    annotations: typeof t.annotationSelector === "string" ? parseSelector(t.annotationSelector, file, `${at}.annotationSelector`) : undefined,
  }
}

const effectiveNs = (ns: string, kind: string): string => (!isNamespaced(kind) ? "" : ns === "" ? "default" : ns)

/** Whether a resource is selected by the target. */
export const matchesTarget = (r: Res, t: Target): boolean => {
  const kind = kindOf(r)
  if (t.kind !== undefined && !t.kind.test(kind)) return false
  if (t.group !== undefined && !t.group.test(groupOf(r.obj.apiVersion))) return false
  if (t.version !== undefined && !t.version.test(versionOf(r.obj.apiVersion))) return false
  if (t.name !== undefined) {
    const n = t.name
    if (!n.test(r.names[0]!) && !n.test(r.names[r.names.length - 1]!)) return false
  }
  if (t.namespace !== undefined) {
    const n = t.namespace
    if (!n.test(effectiveNs(r.namespaces[0]!, kind)) && !n.test(effectiveNs(r.namespaces[r.namespaces.length - 1]!, kind))) return false
  }
  if (t.labels !== undefined && !matchReqs(t.labels, r.obj.metadata?.labels ?? {})) return false
  if (t.annotations !== undefined && !matchReqs(t.annotations, r.obj.metadata?.annotations ?? {})) return false
  return true
}
