// Resource requests: get, list (JSON or Table), watch, create, update, the four patch
// types, delete and deletecollection, and the status, scale and finalize subresources.
import { type Api, type DeleteOptions, type WriteOptions } from "./Api.ts"
import { badRequest, fieldForbidden, fieldRequired, invalid, methodNotAllowed, notFound, StatusError, unsupportedMediaType } from "./Errors.ts"
import { decodeBody, type Req, send } from "./Http.ts"
import * as MF from "./ManagedFields.ts"
import { jsonPatch, mergePatch, strategicMergePatch } from "./Patch.ts"
import { toTable } from "./Printers.ts"
import { apiVersionOf, type ResourceType, storedSchema } from "./Registry.ts"
import { newContext, validate } from "./Schema.ts"
import { both, parseFieldSelector, parseLabelSelector } from "./Selectors.ts"
import type { Obj } from "./Store.ts"
import { MissingKeyError } from "./Structured.ts"
import { Watcher } from "./Watch.ts"

/** Server-wide settings the handlers need. */
export interface HandlerOptions {
  readonly bookmarkIntervalMs: number
  readonly defaultWatchTimeoutMs: number
}

const tableAccept = (accept: string | undefined): boolean => accept !== undefined && accept.includes("as=Table")

const includeObject = (q: URLSearchParams): "None" | "Metadata" | "Object" => {
  const v = q.get("includeObject")
  return v === "None" || v === "Object" ? v : "Metadata"
}

/** A default field manager from the User-Agent, as a real server derives one. */
const managerFrom = (q: URLSearchParams, ua: string): string => {
  const m = q.get("fieldManager")
  if (m !== null && m !== "") return m
  const prefix = ua.split("/")[0] ?? ""
  return prefix === "" ? "unknown" : prefix.slice(0, 128)
}

const writeOptions = (req: Req, subresource: string | undefined): WriteOptions => {
  const dry = req.query.getAll("dryRun")
  for (const d of dry) if (d !== "All") throw badRequest(`Invalid dry run value: ${JSON.stringify(d)}: supported values: "All"`)
  const fv = req.query.get("fieldValidation") ?? "Warn"
  if (fv !== "Strict" && fv !== "Warn" && fv !== "Ignore") throw badRequest(`invalid fieldValidation directive: ${fv}`)
  const fm = req.query.get("fieldManager")
  if (fm !== null && fm.length > 128) throw new StatusError(422, "Invalid", `fieldManager: Too long: may not be more than 128 bytes`)
  return { dryRun: dry.length > 0, fieldManager: fm ?? undefined, fieldValidation: fv, subresource, warnings: [] }
}

/** Serialize a list; built-in items carry no apiVersion/kind, as a Go server writes them. */
const listJson = (api: Api, rt: ResourceType, version: string, items: Obj[], meta: Obj): string => {
  const head = `{"kind":${JSON.stringify(rt.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(rt.group, version))},"metadata":${JSON.stringify(meta)},"items":[`
  const parts: string[] = []
  for (const it of items) {
    const o = api.out(rt, version, it)
    if (rt.custom) {
      parts.push(JSON.stringify(o))
      continue
    }
    let s = "{"
    let first = true
    for (const k in o) {
      if (k === "apiVersion" || k === "kind" || o[k] === undefined) continue
      s += `${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(o[k])}`
      first = false
    }
    parts.push(`${s}}`)
  }
  return `${head}${parts.join(",")}]}`
}

/** Handle one resource request; resolves with the status code sent. */
export const handleResource = async (api: Api, rt: ResourceType, req: Req, opts: HandlerOptions): Promise<number> => {
  const t = req.target
  const ns = rt.namespaced ? t.namespace : undefined
  if (!rt.namespaced && t.namespace !== undefined) throw notFound(rt.group, rt.plural, t.name ?? "")
  const q = req.query
  const version = t.version
  const sub = t.subresource
  if (sub !== undefined && !((sub === "status" && rt.status) || (sub === "scale" && rt.scale !== undefined) || (sub === "finalize" && rt.kind === "Namespace"))) {
    throw new StatusError(404, "NotFound", "the server could not find the requested resource")
  }
  const res = req.res
  if (t.name === undefined) {
    if (req.method === "GET") {
      const match = both(parseLabelSelector(q.get("labelSelector") ?? ""), parseFieldSelector(q.get("fieldSelector") ?? "", rt.kind))
      if (t.watchPath || q.get("watch") === "true" || q.get("watch") === "1") {
        const coll = api.store.collection(rt.storage)
        const rv = q.get("resourceVersion") ?? undefined
        if (rv !== undefined && rv !== "" && Number(rv) > api.store.rv) {
          throw new StatusError(504, "Timeout", `Too large resource version: ${rv}, current: ${api.store.rv}`, {
            causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
            retryAfterSeconds: 1,
          })
        }
        const timeout = Number(q.get("timeoutSeconds") ?? "0")
        const w = new Watcher(
          {
            rt,
            version,
            namespace: ns,
            match,
            resourceVersion: rv,
            bookmarks: q.get("allowWatchBookmarks") === "true",
            sendInitialEvents: q.get("sendInitialEvents") === "true",
            timeoutMs: timeout > 0 ? timeout * 1000 : opts.defaultWatchTimeoutMs,
            bookmarkIntervalMs: opts.bookmarkIntervalMs,
            table: tableAccept(req.headers.accept) ? { include: includeObject(q) } : undefined,
            out: (o) => api.out(rt, version, o),
            currentRv: () => api.store.rv,
          },
          coll,
          res,
        )
        w.start()
        return 200
      }
      const limit = Number(q.get("limit") ?? "0")
      const r = api.list(rt, ns, { match, limit: Number.isFinite(limit) && limit > 0 ? limit : 0, continueToken: q.get("continue") || undefined })
      const meta: Obj = { resourceVersion: String(r.rv) }
      if (r.continueToken !== undefined) meta.continue = r.continueToken
      if (r.remaining !== undefined) meta.remainingItemCount = r.remaining
      if (tableAccept(req.headers.accept)) {
        // Cells come from the stored form (printers read it); rows carry the served metadata.
        send(res, 200, toTable(r.items, rt.columns(version), includeObject(q), meta))
      } else send(res, 200, listJson(api, rt, version, r.items, meta))
      return 200
    }
    if (req.method === "POST") {
      const wo = writeOptions(req, undefined)
      const body = await req.body()
      const o = api.create(rt, version, ns, body, wo, managerFrom(q, req.userAgent))
      send(res, 201, api.out(rt, version, o), wo.warnings)
      return 201
    }
    if (req.method === "DELETE") {
      const match = both(parseLabelSelector(q.get("labelSelector") ?? ""), parseFieldSelector(q.get("fieldSelector") ?? "", rt.kind))
      const dopts = await deleteOptions(req)
      const r = api.list(rt, ns, { match, limit: 0, continueToken: undefined })
      const out: Obj[] = []
      for (const o of r.items) {
        try {
          out.push(api.delete(rt, o.metadata.namespace, o.metadata.name, dopts).obj)
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e
        }
      }
      send(res, 200, listJson(api, rt, version, out, { resourceVersion: String(api.store.rv) }))
      return 200
    }
    throw methodNotAllowed(`the server does not allow this method on the requested resource`)
  }
  const name = t.name
  if (sub === "scale") return scale(api, rt, req, ns, name)
  switch (req.method) {
    case "GET": {
      if (q.get("watch") === "true" || t.watchPath) throw badRequest("watch of a single object: use a fieldSelector on metadata.name")
      const stored = api.get(rt, ns, name)
      if (tableAccept(req.headers.accept)) send(res, 200, toTable([stored], rt.columns(version), includeObject(q), { resourceVersion: stored.metadata.resourceVersion }))
      else send(res, 200, api.out(rt, version, stored))
      return 200
    }
    case "PUT": {
      const wo = writeOptions(req, sub === "status" ? "status" : undefined)
      const body = await req.body()
      if (sub === "finalize") return finalize(api, rt, name, body as Obj, wo, req)
      const o = api.update(rt, version, ns, name, body, wo, managerFrom(q, req.userAgent))
      send(res, 200, api.out(rt, version, o), wo.warnings)
      return 200
    }
    case "PATCH":
      return patch(api, rt, req, ns, name, sub === "status" ? "status" : undefined)
    case "DELETE": {
      if (sub !== undefined) throw methodNotAllowed("the server does not allow this method on the requested resource")
      const dopts = await deleteOptions(req)
      const r = api.delete(rt, ns, name, dopts)
      if (r.deleted && !rt.custom && rt.kind !== "Pod") {
        send(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, ...(rt.group !== "" ? { group: rt.group } : {}), kind: rt.plural, uid: r.obj.metadata.uid } })
      } else send(res, 200, api.out(rt, version, r.obj))
      return 200
    }
  }
  throw methodNotAllowed("the server does not allow this method on the requested resource")
}

const deleteOptions = async (req: Req): Promise<DeleteOptions> => {
  const text = await req.raw()
  let body: Obj = {}
  if (text.trim() !== "") {
    const b = decodeBody(text, "application/json")
    if (b !== null && typeof b === "object") body = b as Obj
  }
  const q = req.query
  const policy = q.get("propagationPolicy") ?? body.propagationPolicy ?? (body.orphanDependents === true || q.get("orphanDependents") === "true" ? "Orphan" : undefined)
  if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw new StatusError(422, "Invalid", `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`)
  }
  const dry = [...q.getAll("dryRun"), ...(Array.isArray(body.dryRun) ? body.dryRun : [])]
  return { dryRun: dry.includes("All"), propagationPolicy: policy, preconditions: body.preconditions }
}

const patch = async (api: Api, rt: ResourceType, req: Req, ns: string | undefined, name: string, sub: string | undefined): Promise<number> => {
  const ct = req.contentType
  const q = req.query
  const version = req.target.version
  const wo = writeOptions(req, sub)
  const res = req.res
  const isApply = ct === "application/apply-patch+yaml" || ct === "application/apply-patch+json"
  if (!isApply && q.get("force") !== null) {
    throw invalid("meta.k8s.io", "PatchOptions", "", [fieldForbidden("force", "may not be specified for non-apply patch")])
  }
  const body = decodeBody(await req.raw(), ct)
  if (isApply) {
    if (wo.fieldManager === undefined || wo.fieldManager === "") {
      throw invalid("meta.k8s.io", "PatchOptions", "", [fieldRequired("fieldManager", "is required for apply patch")])
    }
    const live = api.lookup(rt, ns, name)
    const config = api.incoming(rt, version, ns, body)
    if (config.metadata.name === undefined) config.metadata.name = name
    if (config.metadata.name !== name) throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`)
    if (live === undefined && sub === "status") throw notFound(rt.group, rt.plural, name)
    const rv = config.metadata.resourceVersion
    if (live !== undefined && rv !== undefined && rv !== "" && rv !== live.metadata.resourceVersion) {
      throw new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, ...(rt.group !== "" ? { group: rt.group } : {}), kind: rt.plural })
    }
    // The configuration must be well-typed before it is merged (a real server builds a
    // typed object from it first); unknown fields are dropped or refused here too.
    const check = newContext(rt.defs, false)
    validate(config, storedSchema(rt), "", check)
    const typeErrors = check.errors.filter((e) => e.type === "FieldValueTypeInvalid")
    if (typeErrors.length > 0) throw invalid(rt.group, rt.kind, name, typeErrors)
    if (check.unknown.length > 0 && wo.fieldValidation !== "Ignore") {
      const msgs = check.unknown.map((p) => `unknown field "${p}"`)
      if (wo.fieldValidation === "Strict") throw badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: strict decoding error: ${msgs.join(", ")}`)
      wo.warnings.push(...msgs)
    }
    const typing: MF.Typing = { schema: storedSchema(rt), defs: rt.defs, ignored: MF.ignoredFields(rt.status, sub) }
    let merged: Obj
    try {
      merged = MF.apply({ live, config, manager: wo.fieldManager, force: q.get("force") === "true", apiVersion: apiVersionOf(rt.group, version), subresource: sub, typing })
    } catch (e) {
      if (e instanceof MissingKeyError) throw new StatusError(422, "Invalid", `failed to create typed patch object: ${e.message}`)
      throw e
    }
    if (live === undefined) {
      delete merged.metadata.resourceVersion
      const o = api.write(rt, version, undefined, merged, wo, { kind: "applied" })
      send(res, 201, api.out(rt, version, o), wo.warnings)
      return 201
    }
    const o = api.write(rt, version, live, merged, wo, { kind: "applied" })
    send(res, 200, api.out(rt, version, o), wo.warnings)
    return 200
  }
  const live = api.get(rt, ns, name)
  const cur = api.out(rt, version, live)
  let patched: Obj
  if (ct === "application/json-patch+json") patched = jsonPatch(cur, body)
  else if (ct === "application/merge-patch+json") patched = mergePatch(cur, body) as Obj
  else if (ct === "application/strategic-merge-patch+json") {
    if (rt.custom) throw unsupportedMediaType(ct)
    patched = strategicMergePatch(cur, body, rt.schema(version), rt.defs)
  } else throw unsupportedMediaType(ct)
  const rv = patched.metadata?.resourceVersion
  if (rv !== undefined && rv !== live.metadata.resourceVersion) {
    throw new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, ...(rt.group !== "" ? { group: rt.group } : {}), kind: rt.plural })
  }
  const next = api.incoming(rt, version, ns, patched)
  next.metadata.name = name
  const o = api.write(rt, version, live, next, wo, { kind: "update", manager: managerFrom(q, req.userAgent) })
  send(res, 200, api.out(rt, version, o), wo.warnings)
  return 200
}

const finalize = (api: Api, rt: ResourceType, name: string, body: Obj, wo: WriteOptions, req: Req): number => {
  const old = api.get(rt, undefined, name)
  const next: Obj = structuredClone(old)
  next.spec = { ...(old.spec ?? {}), finalizers: body?.spec?.finalizers ?? [] }
  if (next.spec.finalizers.length === 0) delete next.spec.finalizers
  const o = api.write(rt, "v1", old, next, { ...wo, subresource: "finalize" }, { kind: "update", manager: managerFrom(req.query, req.userAgent) })
  send(req.res, 200, o, wo.warnings)
  return 200
}

const getPath = (o: Obj, path: string): unknown => {
  let cur: unknown = o
  for (const p of path.split(".").filter((x) => x !== "")) cur = cur === null || typeof cur !== "object" ? undefined : (cur as Obj)[p]
  return cur
}

const selectorString = (sel: unknown): string => {
  if (typeof sel === "string") return sel
  if (sel === null || typeof sel !== "object") return ""
  const s = sel as Obj
  const parts: string[] = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`)
  for (const e of s.matchExpressions ?? []) {
    const op = String(e.operator)
    if (op === "Exists") parts.push(e.key)
    else if (op === "DoesNotExist") parts.push(`!${e.key}`)
    else parts.push(`${e.key} ${op.toLowerCase()} (${(e.values ?? []).join(",")})`)
  }
  return parts.join(",")
}

/** The autoscaling/v1 Scale view of an object. */
const scaleOf = (rt: ResourceType, o: Obj): Obj => {
  const s = rt.scale!
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: getPath(o, s.spec) ?? 0 },
    status: { replicas: getPath(o, s.status) ?? 0, ...(s.selector !== undefined ? { selector: selectorString(getPath(o, s.selector)) } : {}) },
  }
}

const scale = async (api: Api, rt: ResourceType, req: Req, ns: string | undefined, name: string): Promise<number> => {
  const live = api.get(rt, ns, name)
  const cur = scaleOf(rt, live)
  if (req.method === "GET") {
    send(req.res, 200, cur)
    return 200
  }
  let next: Obj
  const body = decodeBody(await req.raw(), req.contentType)
  if (req.method === "PUT") next = body as Obj
  else if (req.method === "PATCH") {
    if (req.contentType === "application/json-patch+json") next = jsonPatch(cur, body)
    else next = mergePatch(cur, body) as Obj
  } else throw methodNotAllowed("the server does not allow this method on the requested resource")
  const replicas = next?.spec?.replicas
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw new StatusError(422, "Invalid", `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`)
  }
  const wo = writeOptions(req, undefined)
  const o = structuredClone(live)
  const parts = rt.scale!.spec.split(".").filter((x) => x !== "")
  let cursor: Obj = o
  for (const p of parts.slice(0, -1)) cursor = cursor[p] ??= {}
  cursor[parts.at(-1)!] = replicas
  const stored = api.write(rt, req.target.version, live, o, wo, { kind: "update", manager: managerFrom(req.query, req.userAgent) })
  send(req.res, 200, scaleOf(rt, stored), wo.warnings)
  return 200
}
