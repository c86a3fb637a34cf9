// The result of an apply or prune as plain data: one entry per object with what was done
// and which fields changed, so services, events and the CLI can render it as they like.

/** Identifies one object: apiVersion, kind, namespace (absent for cluster scope), name. */
export interface ObjectRef {
  readonly apiVersion: string
  readonly kind: string
  readonly namespace?: string | undefined
  readonly name: string
}

/** What happened to an object. */
export type Action = "created" | "configured" | "unchanged" | "deleted" | "skipped"

/** One changed field: a dotted path with list items as `[key=value]` or `[index]`. */
export interface FieldChange {
  readonly path: string
  /** Value before (live); absent when the field is new. Secret values are masked. */
  readonly before?: unknown
  /** Value after (desired); absent when the field goes away. Secret values are masked. */
  readonly after?: unknown
}

/** One entry of a change set. */
export interface ChangeSetEntry {
  readonly ref: ObjectRef
  readonly action: Action
  /** The changed field paths (configured), empty otherwise. */
  readonly diff: ReadonlyArray<FieldChange>
  /** Why an object was skipped, or how it was recreated. */
  readonly reason?: string
}

/** The entries of one apply, diff or prune, in the order the objects were handled. */
export interface ChangeSet {
  readonly entries: ReadonlyArray<ChangeSetEntry>
  /** Write requests made (apply patches, deletes, creates); 0 for a no-op reconcile. */
  readonly writes: number
}

/** "Deployment/apps/web" (cluster-scoped: "Namespace/apps"). */
export const refString = (r: ObjectRef): string => `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}`

/** The group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""). */
export const groupOf = (apiVersion: string): string => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "")

/** An object's group and kind as "group/Kind" (core group empty: "/ConfigMap"). */
export const groupKindOf = (r: { readonly apiVersion: string; readonly kind: string }): string => `${groupOf(r.apiVersion)}/${r.kind}`

/** The version of an apiVersion ("apps/v1" -> "v1"). */
export const versionOf = (apiVersion: string): string => apiVersion.slice(apiVersion.lastIndexOf("/") + 1)

/** Counts of a change set by action, for summaries ("2 created, 1 configured..."). */
export const summarize = (cs: ChangeSet): Record<Action, number> => {
  const n: Record<Action, number> = { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 }
  for (const e of cs.entries) n[e.action]++
  return n
}

/** Flux's event text for a change set: one "Kind/namespace/name action" line per changed object. */
export const formatChangeSet = (cs: ChangeSet, include: ReadonlyArray<Action> = ["created", "configured", "deleted"]): string =>
  cs.entries.filter((e) => include.includes(e.action)).map((e) => `${refString(e.ref)} ${e.action}`).join("\n")
