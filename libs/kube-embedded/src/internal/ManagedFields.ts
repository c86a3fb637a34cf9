// Field ownership (metadata.managedFields): server-side apply with conflicts and pruning
// of fields an applier dropped, and ownership of fields changed by ordinary updates.
import { StatusError } from "./Errors.ts"
import { FieldSet, pathString } from "./FieldSet.ts"
import type { Definitions, JSONSchema } from "./Schema.ts"
import type { Obj } from "./Store.ts"
import { compare, deepEqual, merge, removePaths, toFieldSet } from "./Structured.ts"

/** One manager's entry as kept in metadata.managedFields. */
interface Entry {
  manager: string
  operation: "Apply" | "Update"
  apiVersion: string
  time: string | undefined
  subresource: string | undefined
  set: FieldSet
  /** The entry as it was stored, reused unchanged when its set did not change. */
  raw: Obj | undefined
}

/** The schema context of an object. */
export interface Typing {
  readonly schema: JSONSchema | undefined
  readonly defs: Definitions
  /** Fields never owned: identity metadata, and status or spec depending on the endpoint. */
  readonly ignored: FieldSet
}

const IGNORED_META = ["name", "namespace", "creationTimestamp", "selfLink", "uid", "generation", "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"]

/** The ignored set for the main endpoint (status reset when a status subresource exists) or for /status. */
export const ignoredFields = (hasStatus: boolean, subresource: string | undefined): FieldSet => {
  const s = new FieldSet()
  s.insert(["f:apiVersion"])
  s.insert(["f:kind"])
  for (const m of IGNORED_META) s.insert(["f:metadata", `f:${m}`])
  if (subresource === "status") {
    s.insert(["f:metadata"])
    s.insert(["f:spec"])
  } else if (hasStatus) s.insert(["f:status"])
  return s
}

const parseEntries = (o: Obj | undefined): Entry[] => {
  const mf = o?.metadata?.managedFields
  if (!Array.isArray(mf)) return []
  return mf.map((e: Obj) => ({
    manager: String(e.manager ?? ""),
    operation: e.operation === "Apply" ? "Apply" : "Update",
    apiVersion: String(e.apiVersion ?? ""),
    time: e.time,
    subresource: e.subresource,
    set: FieldSet.fromFieldsV1(e.fieldsV1),
    raw: e,
  }))
}

const sameEntry = (e: Entry, manager: string, op: string, sub: string | undefined, apiVersion: string): boolean =>
  e.manager === manager && e.operation === op && (e.subresource ?? "") === (sub ?? "") && (op === "Apply" || e.apiVersion === apiVersion)

const render = (entries: Entry[]): Obj[] | undefined => {
  const out: Obj[] = []
  for (const e of entries) {
    if (e.set.empty()) continue
    if (e.raw !== undefined) {
      out.push(e.raw)
      continue
    }
    const r: Obj = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion }
    if (e.time !== undefined) r.time = e.time
    r.fieldsType = "FieldsV1"
    r.fieldsV1 = e.set.toFieldsV1()
    if (e.subresource !== undefined) r.subresource = e.subresource
    out.push(r)
  }
  return out.length === 0 ? undefined : out
}

const withoutManaged = (o: Obj): Obj => {
  if (o.metadata?.managedFields === undefined) return o
  const { managedFields: _, ...meta } = o.metadata
  return { ...o, metadata: meta }
}

const printManager = (e: Entry): string => {
  let s = JSON.stringify(e.manager)
  if (e.subresource !== undefined && e.subresource !== "") s += ` with subresource ${JSON.stringify(e.subresource)}`
  if (e.operation === "Update") s += ` using ${e.apiVersion}`
  return s
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z")

/** The 409 a real server answers when an apply would change fields other managers own. */
const conflictError = (conflicts: Array<{ entry: Entry; path: string[] }>): StatusError => {
  const causes = conflicts.map((c) => ({ type: "FieldManagerConflict", message: `conflict with ${printManager(c.entry)}`, field: pathString(c.path) }))
  let message: string
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.entry)}: ${pathString(conflicts[0]!.path)}`
  } else {
    const by = new Map<string, string[]>()
    for (const c of conflicts) {
      const m = printManager(c.entry)
      by.set(m, [...(by.get(m) ?? []), pathString(c.path)])
    }
    const lines: string[] = []
    for (const m of [...by.keys()].sort()) {
      lines.push(`conflicts with ${m}:`)
      for (const p of by.get(m)!) lines.push(`- ${p}`)
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`
  }
  return new StatusError(409, "Conflict", message, { causes })
}

/** Inputs of a server-side apply. */
export interface ApplyInput {
  readonly live: Obj | undefined
  readonly config: Obj
  readonly manager: string
  readonly force: boolean
  readonly apiVersion: string
  readonly subresource: string | undefined
  readonly typing: Typing
}

/** Owned at the path or below it, by any of the sets. */
const ownedAtOrBelow = (sets: FieldSet[], path: string[]): boolean => {
  for (const s of sets) {
    let n: FieldSet | undefined = s
    for (const pe of path) {
      n = n.get(pe)
      if (n === undefined) break
    }
    if (n !== undefined && !n.empty()) return true
  }
  return false
}

/**
 * Server-side apply: merge `config` into `live`, drop fields this manager applied before
 * but no longer does (unless someone else owns them), and detect conflicts (409 unless force).
 * Returns the new object with its managedFields.
 */
export const apply = (inp: ApplyInput): Obj => {
  const { schema, defs, ignored } = inp.typing
  const entries = parseEntries(inp.live)
  const configSet = toFieldSet(withoutManaged(inp.config), schema, defs).recursiveDifference(ignored)
  const liveBase = inp.live === undefined ? {} : withoutManaged(inp.live)
  let merged = merge(liveBase, withoutManaged(inp.config), schema, defs) as Obj
  const mine = entries.find((e) => sameEntry(e, inp.manager, "Apply", inp.subresource, inp.apiVersion))
  if (mine !== undefined) {
    const dropped = mine.set.difference(configSet)
    if (!dropped.empty()) {
      const others = [configSet, ...entries.filter((e) => e !== mine).map((e) => e.set)]
      const remove = new FieldSet()
      for (const p of dropped.paths()) if (!ownedAtOrBelow(others, p)) remove.insert(p)
      if (!remove.empty()) merged = removePaths(merged, remove, schema, defs) as Obj
    }
  }
  const cmp = compare(liveBase, merged, schema, defs)
  const changed = cmp.modified.union(cmp.added).recursiveDifference(ignored)
  const removed = cmp.removed.recursiveDifference(ignored)
  const conflicts: Array<{ entry: Entry; path: string[] }> = []
  for (const e of entries) {
    if (e === mine) continue
    const c = e.set.intersection(changed)
    if (c.empty()) continue
    for (const p of c.paths()) conflicts.push({ entry: e, path: p })
    if (inp.force) {
      e.set = e.set.difference(c)
      e.raw = undefined
    }
  }
  if (conflicts.length > 0 && !inp.force) {
    conflicts.sort((a, b) => (printManager(a.entry) < printManager(b.entry) ? -1 : printManager(a.entry) > printManager(b.entry) ? 1 : 0))
    throw conflictError(conflicts)
  }
  if (!removed.empty()) {
    for (const e of entries) {
      if (e === mine) continue
      const d = e.set.difference(removed)
      if (!deepSetEqual(d, e.set)) {
        e.set = d
        e.raw = undefined
      }
    }
  }
  const objectChanged = !(cmp.added.empty() && cmp.modified.empty() && cmp.removed.empty())
  if (mine === undefined) {
    entries.push({ manager: inp.manager, operation: "Apply", apiVersion: inp.apiVersion, time: now(), subresource: inp.subresource, set: configSet, raw: undefined })
  } else if (objectChanged || !deepSetEqual(mine.set, configSet) || mine.apiVersion !== inp.apiVersion) {
    mine.set = configSet
    mine.apiVersion = inp.apiVersion
    mine.time = now()
    mine.raw = undefined
  }
  return attach(merged, entries)
}

const deepSetEqual = (a: FieldSet, b: FieldSet): boolean => deepEqual(a.toFieldsV1(), b.toFieldsV1()) && a.member === b.member

const attach = (o: Obj, entries: Entry[]): Obj => {
  const mf = render(entries)
  const meta = { ...(o.metadata ?? {}) }
  if (mf === undefined) delete meta.managedFields
  else meta.managedFields = mf
  return { ...o, metadata: meta }
}

/** Inputs of an ordinary write (create, update, non-apply patch). */
export interface UpdateInput {
  readonly live: Obj | undefined
  readonly next: Obj
  readonly manager: string
  readonly apiVersion: string
  readonly subresource: string | undefined
  readonly typing: Typing
}

/**
 * Ownership after a create, update or patch: the manager takes every field it changed,
 * others lose those fields. Clients may send managedFields themselves; a real server
 * keeps what they send when it differs from the live value, and so does this.
 */
export const update = (inp: UpdateInput): Obj => {
  const { schema, defs, ignored } = inp.typing
  const sent = inp.next.metadata?.managedFields
  const liveMf = inp.live?.metadata?.managedFields
  const clientSet = Array.isArray(sent) && !deepEqual(sent, liveMf)
  const entries = clientSet ? parseEntries(inp.next) : parseEntries(inp.live)
  if (Array.isArray(sent) && sent.length === 0) return attach(withoutManaged(inp.next), [])
  const liveBase = inp.live === undefined ? {} : withoutManaged(inp.live)
  const next = withoutManaged(inp.next)
  const cmp = compare(liveBase, next, schema, defs)
  const changed = cmp.modified.union(cmp.added).recursiveDifference(ignored)
  const removed = cmp.removed.recursiveDifference(ignored)
  if (changed.empty() && removed.empty() && !clientSet) return attach(next, entries)
  let mine = entries.find((e) => sameEntry(e, inp.manager, "Update", inp.subresource, inp.apiVersion))
  for (const e of entries) {
    if (e === mine) continue
    const d = e.set.difference(changed).difference(removed)
    if (!deepSetEqual(d, e.set)) {
      e.set = d
      e.raw = undefined
    }
  }
  if (mine === undefined) {
    mine = { manager: inp.manager, operation: "Update", apiVersion: inp.apiVersion, time: undefined, subresource: inp.subresource, set: new FieldSet(), raw: undefined }
    entries.push(mine)
  }
  mine.set = mine.set.difference(removed).union(changed).recursiveDifference(ignored)
  mine.time = now()
  mine.raw = undefined
  return attach(next, entries)
}
