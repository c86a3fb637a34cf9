// Label selectors (equality- and set-based) and field selectors, parsed once per request.
import { badRequest } from "./Errors.ts"
import type { Obj } from "./Store.ts"

/** A parsed selector: a predicate over an object. */
export type Matcher = (o: Obj) => boolean

type LabelReq = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!"; values: string[] }

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/

/** Parse a labelSelector query value; "" matches everything. */
export const parseLabelSelector = (s: string): Matcher | undefined => {
  const reqs: LabelReq[] = []
  let i = 0
  const n = s.length
  const ws = () => {
    while (i < n && s[i] === " ") i++
  }
  const word = (): string => {
    ws()
    const st = i
    while (i < n && !" ,=!()".includes(s[i]!)) i++
    return s.slice(st, i)
  }
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why}`)
  }
  while (true) {
    ws()
    if (i >= n) break
    let op: LabelReq["op"] | undefined
    if (s[i] === "!") {
      i++
      const key = word()
      reqs.push({ key, op: "!", values: [] })
    } else {
      const key = word()
      if (key === "") fail(`found '${s[i] ?? ""}', expected: identifier`)
      if (!KEY.test(key)) fail(`invalid label key "${key}"`)
      ws()
      if (s.startsWith("==", i)) (op = "="), (i += 2)
      else if (s.startsWith("!=", i)) (op = "!="), (i += 2)
      else if (s[i] === "=") (op = "="), i++
      else if (s.startsWith("in ", i) || s.startsWith("in(", i)) (op = "in"), (i += 2)
      else if (s.startsWith("notin ", i) || s.startsWith("notin(", i)) (op = "notin"), (i += 5)
      else op = "exists"
      if (op === "=" || op === "!=") {
        reqs.push({ key, op, values: [word()] })
      } else if (op === "in" || op === "notin") {
        ws()
        if (s[i] !== "(") fail(`found '${s[i] ?? ""}', expected: '('`)
        i++
        const values: string[] = []
        while (true) {
          values.push(word())
          ws()
          if (s[i] === ",") {
            i++
            continue
          }
          if (s[i] === ")") {
            i++
            break
          }
          fail(`found '${s[i] ?? "EOF"}', expected: ',', or ')'`)
        }
        reqs.push({ key, op, values })
      } else reqs.push({ key, op, values: [] })
    }
    ws()
    if (i < n) {
      if (s[i] !== ",") fail(`found '${s[i]}', expected: ',' or 'end of string'`)
      i++
    }
  }
  if (reqs.length === 0) return undefined
  return (o) => {
    const labels: Record<string, string> | undefined = o.metadata?.labels
    for (const r of reqs) {
      const v = labels?.[r.key]
      switch (r.op) {
        case "=":
          if (v !== r.values[0]) return false
          break
        case "!=":
          if (v === r.values[0]) return false
          break
        case "in":
          if (v === undefined || !r.values.includes(v)) return false
          break
        case "notin":
          if (v !== undefined && r.values.includes(v)) return false
          break
        case "exists":
          if (v === undefined) return false
          break
        case "!":
          if (v !== undefined) return false
      }
    }
    return true
  }
}

/** Field paths a field selector may use, per kind (beyond metadata.name and metadata.namespace). */
const extraFields: Record<string, ReadonlyArray<string>> = {
  Pod: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
  Event: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
  Secret: ["type"],
  Namespace: ["status.phase"],
  Job: ["status.successful"],
  ReplicaSet: ["status.replicas"],
}

const getPath = (o: Obj, path: string): string => {
  let cur: unknown = o
  for (const p of path.split(".")) cur = cur === null || typeof cur !== "object" ? undefined : (cur as Obj)[p]
  if (path === "source" && typeof cur === "object" && cur !== null) cur = (cur as Obj).component
  return cur === undefined || cur === null ? "" : String(cur)
}

/** Parse a fieldSelector for objects of `kind`; unsupported fields are a 400 as on a real server. */
export const parseFieldSelector = (s: string, kind: string): Matcher | undefined => {
  const reqs: Array<{ path: string; eq: boolean; value: string }> = []
  for (const part of s.split(",")) {
    const t = part.trim()
    if (t === "") continue
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/.exec(t)
    if (m === null) throw badRequest(`invalid selector: '${s}'; can't understand '${t}'`)
    const path = m[1]!
    const allowed = path === "metadata.name" || path === "metadata.namespace" || (extraFields[kind]?.includes(path) ?? false)
    if (!allowed) throw badRequest(`field label not supported: ${path}`)
    reqs.push({ path, eq: m[2] !== "!=", value: m[3]! })
  }
  if (reqs.length === 0) return undefined
  return (o) => {
    for (const r of reqs) {
      const v = r.path === "metadata.namespace" ? (o.metadata?.namespace ?? "") : getPath(o, r.path)
      if ((v === r.value) !== r.eq) return false
    }
    return true
  }
}

/** Both selectors combined (either may be absent). */
export const both = (a: Matcher | undefined, b: Matcher | undefined): Matcher | undefined => {
  if (a === undefined) return b
  if (b === undefined) return a
  return (o) => a(o) && b(o)
}
