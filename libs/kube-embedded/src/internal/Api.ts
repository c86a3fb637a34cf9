// The verbs over stored objects, as the API server's registry implements them: reads with
// selectors and paging, and the write pipeline (decode checks, defaults, validation,
// system metadata, field ownership, optimistic concurrency, dry-run, finalizers).
import {
  badRequest,
  conflict,
  type FieldError,
  forbidden,
  invalid,
  notFound,
  StatusError,
  staleObject,
} from "./Errors.ts"
import * as MF from "./ManagedFields.ts"
import { immutableMetaErrors, metadataErrors, nameSuffix, newUid, normalize, timestamp } from "./Metadata.ts"
import { apiVersionOf, type Registry, type ResourceType, storedSchema } from "./Registry.ts"
import { newContext, validate } from "./Schema.ts"
import type { Matcher } from "./Selectors.ts"
import { type Obj, objectKey, type Store } from "./Store.ts"
import { deepEqual } from "./Structured.ts"

/** Per-request options of a write. */
export interface WriteOptions {
  readonly dryRun: boolean
  readonly fieldManager: string | undefined
  readonly fieldValidation: "Strict" | "Warn" | "Ignore"
  readonly subresource: string | undefined
  /** Warnings sent back in Warning headers. */
  readonly warnings: string[]
}

/** Options of a DELETE (metav1.DeleteOptions). */
export interface DeleteOptions {
  readonly dryRun: boolean
  readonly propagationPolicy: "Orphan" | "Background" | "Foreground" | undefined
  readonly preconditions: { uid?: string; resourceVersion?: string } | undefined
}

/** A list query. */
export interface ListQuery {
  readonly match: Matcher | undefined
  readonly limit: number
  readonly continueToken: string | undefined
}

/** A page of a list. */
export interface ListResult {
  readonly items: Obj[]
  readonly rv: number
  readonly continueToken: string | undefined
  readonly remaining: number | undefined
}

const specPart = (o: Obj | undefined): Obj => {
  if (o === undefined) return {}
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o
  return rest
}

/** Objects and verbs; shared by the HTTP layer and the built-in controllers. */
export class Api {
  readonly registry: Registry
  readonly store: Store

  constructor(registry: Registry, store: Store) {
    this.registry = registry
    this.store = store
  }

  key(rt: ResourceType, ns: string | undefined, name: string): string {
    return objectKey(rt.namespaced ? ns : undefined, name)
  }

  /** The stored object (storage form), or undefined. */
  lookup(rt: ResourceType, ns: string | undefined, name: string): Obj | undefined {
    return this.store.get(rt.storage, this.key(rt, ns, name))
  }

  /** An object as seen through `version` of its resource. */
  out(rt: ResourceType, version: string, o: Obj): Obj {
    if (rt.toVersion !== undefined) return rt.toVersion(o, version)
    const av = apiVersionOf(rt.group, version)
    return o.apiVersion === av ? o : { ...o, apiVersion: av }
  }

  get(rt: ResourceType, ns: string | undefined, name: string): Obj {
    const o = this.lookup(rt, ns, name)
    if (o === undefined || (rt.storage === "events" && o === undefined)) throw notFound(rt.group, rt.plural, name)
    return o
  }

  list(rt: ResourceType, ns: string | undefined, q: ListQuery): ListResult {
    const c = this.store.collection(rt.storage)
    const keys = c.sortedKeys()
    let start = 0
    const prefix = rt.namespaced && ns !== undefined ? `${ns}/` : ""
    let rv = this.store.rv
    if (q.continueToken !== undefined) {
      const tok = decodeContinue(q.continueToken)
      start = lowerBound(keys, tok.start)
    } else if (prefix !== "") start = lowerBound(keys, prefix)
    const items: Obj[] = []
    let next: string | undefined
    let i = start
    for (; i < keys.length; i++) {
      const k = keys[i]!
      if (prefix !== "" && !k.startsWith(prefix)) break
      const o = c.objects.get(k)!
      if (q.match !== undefined && !q.match(o)) continue
      if (q.limit > 0 && items.length === q.limit) {
        next = k
        break
      }
      items.push(o)
    }
    let remaining: number | undefined
    if (next !== undefined && q.match === undefined) {
      let end = keys.length
      if (prefix !== "") end = lowerBound(keys, `${prefix.slice(0, -1)}0`)
      remaining = end - keys.indexOf(next, i)
    }
    if (q.continueToken !== undefined) rv = decodeContinue(q.continueToken).rv
    return { items, rv, continueToken: next === undefined ? undefined : encodeContinue(rv, next), remaining }
  }

  /** Namespace lifecycle: the namespace must exist and not be terminating. */
  private checkNamespace(rt: ResourceType, ns: string | undefined): void {
    if (!rt.namespaced || ns === undefined) return
    const n = this.store.get("core/namespaces", ns)
    if (n === undefined) throw notFound("", "namespaces", ns)
    if (n.metadata.deletionTimestamp !== undefined) {
      throw forbidden(`unable to create new content in namespace ${ns} because it is being terminated`, {
        name: ns,
        kind: "namespaces",
        causes: [{ reason: "NamespaceTerminating", message: `namespace ${ns} is being terminated`, field: "metadata.namespace" }],
      })
    }
  }

  /** Check the body's apiVersion/kind/namespace against the URL and bring it to storage form. */
  incoming(rt: ResourceType, version: string, ns: string | undefined, body: unknown): Obj {
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request must be a JSON object")
    const o = body as Obj
    const want = apiVersionOf(rt.group, version)
    if (o.apiVersion !== undefined && o.apiVersion !== want) {
      throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${want})`)
    }
    if (o.kind !== undefined && o.kind !== rt.kind) throw badRequest(`the kind in the data (${o.kind}) does not match the expected kind (${rt.kind})`)
    if (o.metadata !== undefined && (o.metadata === null || typeof o.metadata !== "object" || Array.isArray(o.metadata))) {
      throw badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: metadata must be an object`)
    }
    o.metadata = { ...(o.metadata ?? {}) }
    if (rt.namespaced) {
      if (o.metadata.namespace !== undefined && o.metadata.namespace !== "" && ns !== undefined && o.metadata.namespace !== ns) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request")
      }
      if (ns !== undefined) o.metadata.namespace = ns
    } else delete o.metadata.namespace
    o.apiVersion = want
    o.kind = rt.kind
    const stored = rt.fromVersion !== undefined ? rt.fromVersion(o, version) : o
    return { ...stored, apiVersion: apiVersionOf(rt.group, rt.storageVersion) }
  }

  create(rt: ResourceType, version: string, ns: string | undefined, body: unknown, wo: WriteOptions, manager: string): Obj {
    const o = this.incoming(rt, version, ns, body)
    if ((o.metadata.name === undefined || o.metadata.name === "") && typeof o.metadata.generateName === "string" && o.metadata.generateName !== "") {
      o.metadata.name = o.metadata.generateName + nameSuffix()
    }
    const name = o.metadata.name
    if (typeof name === "string" && name !== "") {
      this.checkNamespace(rt, ns)
      if (this.lookup(rt, ns, name) !== undefined) throw new StatusError(409, "AlreadyExists", `${rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`} "${name}" already exists`, { name, ...(rt.group !== "" ? { group: rt.group } : {}), kind: rt.plural })
    }
    if (o.metadata.resourceVersion !== undefined && o.metadata.resourceVersion !== "") {
      throw badRequest("resourceVersion should not be set on objects to be created")
    }
    return this.write(rt, version, undefined, o, wo, { kind: "update", manager })
  }

  update(rt: ResourceType, version: string, ns: string | undefined, name: string, body: unknown, wo: WriteOptions, manager: string): Obj {
    const o = this.incoming(rt, version, ns, body)
    if (o.metadata.name !== undefined && o.metadata.name !== name) {
      throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`)
    }
    o.metadata.name = name
    const old = this.lookup(rt, ns, name)
    if (old === undefined) throw notFound(rt.group, rt.plural, name)
    const rv = o.metadata.resourceVersion
    if (rv === undefined || rv === "") {
      // Unconditional update: allowed for most kinds, as on a real server.
    } else if (rv !== old.metadata.resourceVersion) throw staleObject(rt.group, rt.plural, name)
    return this.write(rt, version, old, o, wo, { kind: "update", manager })
  }

  /**
   * The shared write path. `next` is in storage form; `old` is the stored object (undefined on create).
   * Returns the object as stored (or as it would be, for dry-run).
   */
  write(
    rt: ResourceType,
    version: string,
    old: Obj | undefined,
    next: Obj,
    wo: WriteOptions,
    how: { kind: "update"; manager: string } | { kind: "applied" },
  ): Obj {
    let o = next
    const name: string = o.metadata?.name ?? ""
    if (wo.subresource === "status" && old !== undefined) {
      o = { ...old, status: o.status, metadata: { ...old.metadata, managedFields: o.metadata?.managedFields ?? old.metadata.managedFields } }
      if (o.status === undefined) delete o.status
    } else if (rt.status) {
      if (old !== undefined) {
        if (old.status === undefined) delete o.status
        else o.status = old.status
      } else if (rt.kind !== "Namespace" || o.status?.phase === undefined) delete o.status
    }
    // Decode-time checks: types, and fields the schema does not know.
    const ctx = newContext(rt.defs, rt.custom)
    validate(o, storedSchema(rt), "", ctx)
    if (ctx.unknown.length > 0 && wo.fieldValidation !== "Ignore") {
      const msgs = ctx.unknown.map((p) => `unknown field "${p}"`)
      if (wo.fieldValidation === "Strict") {
        throw badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: strict decoding error: ${msgs.join(", ")}`)
      }
      wo.warnings.push(...msgs)
    }
    const errs: FieldError[] = [...ctx.errors]
    const m = o.metadata
    if (old === undefined) {
      m.uid = newUid()
      m.creationTimestamp = timestamp()
      delete m.deletionTimestamp
      delete m.deletionGracePeriodSeconds
      if (rt.generation) m.generation = 1
      else delete m.generation
    } else {
      errs.push(...immutableMetaErrors(o, old))
      m.uid = old.metadata.uid
      m.creationTimestamp = old.metadata.creationTimestamp
      m.deletionTimestamp = old.metadata.deletionTimestamp
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds
      m.generation = old.metadata.generation
    }
    delete m.selfLink
    rt.defaulter?.(o, old)
    errs.push(...metadataErrors(o, rt.nameRule, rt.namespaced))
    if (rt.validator !== undefined) errs.push(...rt.validator(o, old))
    if (errs.length > 0) throw invalid(rt.group, rt.kind, name, dedupe(errs))
    if (old !== undefined && rt.generation && !deepEqual(specPart(old), specPart(o))) m.generation = (old.metadata.generation ?? 0) + 1
    if (how.kind === "update") {
      const typing: MF.Typing = { schema: storedSchema(rt), defs: rt.defs, ignored: MF.ignoredFields(rt.status, wo.subresource) }
      o = MF.update({ live: old, next: o, manager: how.manager, apiVersion: apiVersionOf(rt.group, version), subresource: wo.subresource, typing })
    }
    o = normalize(o)
    if (old !== undefined) {
      o.metadata.resourceVersion = old.metadata.resourceVersion
      if (deepEqual(o, old)) return old
    }
    const finalizing = o.metadata.deletionTimestamp !== undefined && (o.metadata.finalizers ?? []).length === 0
    if (wo.dryRun) {
      if (old === undefined) delete o.metadata.resourceVersion
      return o
    }
    if (old === undefined) this.checkNamespace(rt, o.metadata.namespace)
    const rv = this.store.nextRv()
    o.metadata.resourceVersion = String(rv)
    const key = this.key(rt, o.metadata.namespace, name)
    if (finalizing) this.store.commit(rt.storage, key, "DELETED", o, old, rv)
    else this.store.commit(rt.storage, key, old === undefined ? "ADDED" : "MODIFIED", o, old, rv)
    return o
  }

  /** DELETE of one object: immediate, or marked with deletionTimestamp while finalizers remain. */
  delete(rt: ResourceType, ns: string | undefined, name: string, opts: DeleteOptions): { obj: Obj; deleted: boolean } {
    const old = this.lookup(rt, ns, name)
    if (old === undefined) throw notFound(rt.group, rt.plural, name)
    const pre = opts.preconditions
    if (pre?.uid !== undefined && pre.uid !== old.metadata.uid) {
      throw conflict(rt.group, rt.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`)
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(rt.group, rt.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${old.metadata.resourceVersion}`)
    }
    const finalizers: string[] = [...(old.metadata.finalizers ?? [])]
    const policy = opts.propagationPolicy
    const hasDependents = this.dependents?.(old.metadata.uid) ?? false
    if (policy === "Foreground" && hasDependents && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion")
    if (policy === "Orphan" && hasDependents && !finalizers.includes("orphan")) finalizers.push("orphan")
    const graceful = rt.kind === "Namespace" || finalizers.length > 0
    if (old.metadata.deletionTimestamp !== undefined && deepEqual(finalizers, old.metadata.finalizers ?? [])) return { obj: old, deleted: false }
    if (graceful) {
      const o: Obj = { ...old, metadata: { ...old.metadata, finalizers: finalizers.length > 0 ? finalizers : undefined } }
      if (o.metadata.deletionTimestamp === undefined) {
        o.metadata.deletionTimestamp = timestamp()
        o.metadata.deletionGracePeriodSeconds = 0
        if (rt.generation) o.metadata.generation = (old.metadata.generation ?? 0) + 1
      }
      if (rt.kind === "Namespace") o.status = { ...(old.status ?? {}), phase: "Terminating" }
      const n = normalize(o)
      if (opts.dryRun) return { obj: n, deleted: false }
      const rv = this.store.nextRv()
      n.metadata.resourceVersion = String(rv)
      this.store.commit(rt.storage, this.key(rt, ns, name), "MODIFIED", n, old, rv)
      return { obj: n, deleted: false }
    }
    if (opts.dryRun) return { obj: old, deleted: true }
    const rv = this.store.nextRv()
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } }
    this.store.commit(rt.storage, this.key(rt, ns, name), "DELETED", gone, old, rv)
    return { obj: gone, deleted: true }
  }

  /** Set by the garbage collector: whether objects own something (for Foreground/Orphan). */
  dependents: ((uid: string) => boolean) | undefined
}

const dedupe = (errs: FieldError[]): FieldError[] => {
  const seen = new Set<string>()
  return errs.filter((e) => {
    const k = `${e.type}|${e.field}|${e.detail}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

const lowerBound = (keys: string[], k: string): number => {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid]! < k) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Continue tokens carry the list's resourceVersion and the next key, as a real server's do. */
export const encodeContinue = (rv: number, start: string): string =>
  Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64url")

export const decodeContinue = (tok: string): { rv: number; start: string } => {
  try {
    const o = JSON.parse(Buffer.from(tok, "base64url").toString("utf8"))
    if (o.v !== "meta.k8s.io/v1" || typeof o.rv !== "number" || typeof o.start !== "string") throw new Error("bad")
    return { rv: o.rv, start: o.start }
  } catch {
    throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
  }
}
