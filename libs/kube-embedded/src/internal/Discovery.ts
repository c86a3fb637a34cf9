// Discovery documents (/api, /apis, group and group-version resource lists), /version,
// and OpenAPI v2 and v3 documents built from the same schemas the server validates with.
import { createHash } from "node:crypto"
import { apiVersionOf, type Registry, type ResourceType } from "./Registry.ts"
import type { JSONSchema } from "./Schema.ts"
import type { Obj } from "./Store.ts"

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

/** The server's version, a current Kubernetes so clients pick current behaviour. */
export const versionInfo = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0+moor",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.23.0",
  compiler: "gc",
  platform: "linux/amd64",
}

const gv = (group: string, version: string) => ({ groupVersion: apiVersionOf(group, version), version })

export const apiVersions = (host: string): Obj => ({
  kind: "APIVersions",
  versions: ["v1"],
  serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }],
})

const groupDoc = (group: string, versions: string[]): Obj => ({
  name: group,
  versions: versions.map((v) => gv(group, v)),
  preferredVersion: gv(group, versions[0]!),
})

export const apiGroupList = (r: Registry): Obj => ({
  kind: "APIGroupList",
  apiVersion: "v1",
  groups: r.groups().filter((g) => g.group !== "").map((g) => groupDoc(g.group, g.versions)),
})

export const apiGroup = (r: Registry, group: string): Obj | undefined => {
  const g = r.groups().find((x) => x.group === group)
  return g === undefined || group === "" ? undefined : { kind: "APIGroup", apiVersion: "v1", ...groupDoc(group, g.versions) }
}

export const resourceList = (r: Registry, group: string, version: string): Obj | undefined => {
  const rts = r.inGroupVersion(group, version)
  if (rts.length === 0) return undefined
  const resources: Obj[] = []
  for (const rt of rts) {
    const e: Obj = { name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: VERBS }
    if (rt.shortNames.length > 0) e.shortNames = rt.shortNames
    if (rt.categories.length > 0) e.categories = rt.categories
    e.storageVersionHash = createHash("sha256").update(`${rt.group}/${rt.storageVersion}/${rt.kind}`).digest("base64").slice(0, 11)
    resources.push(e)
    if (rt.status) resources.push({ name: `${rt.plural}/status`, singularName: "", namespaced: rt.namespaced, kind: rt.kind, verbs: ["get", "patch", "update"] })
    if (rt.scale !== undefined) {
      resources.push({ name: `${rt.plural}/scale`, singularName: "", namespaced: rt.namespaced, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] })
    }
    if (rt.kind === "Namespace") resources.push({ name: "namespaces/finalize", singularName: "", namespaced: false, kind: "Namespace", verbs: ["update"] })
  }
  const doc: Obj = { kind: "APIResourceList" }
  if (group !== "") doc.apiVersion = "v1"
  doc.groupVersion = apiVersionOf(group, version)
  doc.resources = resources
  return doc
}

// ---- OpenAPI ----

const param = (name: string, type = "string") => ({ name, in: "query", schema: { type }, uniqueItems: true })
const WRITE_PARAMS = [param("dryRun"), param("fieldManager"), param("fieldValidation")]

const schemaName = (rt: ResourceType, version: string): string => `${rt.custom ? "custom" : "builtin"}.${rt.group || "core"}.${version}.${rt.kind}`

const gvkExt = (rt: ResourceType, version: string) => ({ "x-kubernetes-group-version-kind": { group: rt.group, version, kind: rt.kind } })

/** The paths of one resource in OpenAPI v3 form. */
const pathsOf = (rt: ResourceType, version: string, ref: string): Obj => {
  const base = rt.group === "" ? `/api/${version}` : `/apis/${rt.group}/${version}`
  const coll = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`
  const body = { content: { "application/json": { schema: { $ref: ref } } } }
  const ok = { responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: ref } } } } } }
  const op = (id: string, action: string, extra: Obj = {}) => ({ operationId: `${id}${rt.kind}`, "x-kubernetes-action": action, ...gvkExt(rt, version), ...ok, ...extra })
  const patchBody = {
    content: Object.fromEntries(
      ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"].map((t) => [t, { schema: { type: "object" } }]),
    ),
  }
  const item: Obj = {
    get: op("read", "get"),
    put: op("replace", "put", { requestBody: body, parameters: WRITE_PARAMS }),
    patch: op("patch", "patch", { requestBody: patchBody, parameters: [...WRITE_PARAMS, param("force", "boolean")] }),
    delete: op("delete", "delete", { parameters: [param("dryRun"), param("gracePeriodSeconds", "integer"), param("propagationPolicy")] }),
    parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
  }
  const list: Obj = {
    get: op("list", "list", { parameters: ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch"].map((n) => param(n)) }),
    post: op("create", "post", { requestBody: body, parameters: WRITE_PARAMS }),
  }
  const out: Obj = { [coll]: list, [`${coll}/{name}`]: item }
  if (rt.status) out[`${coll}/{name}/status`] = { get: op("read", "get"), put: op("replace", "put", { requestBody: body, parameters: WRITE_PARAMS }), patch: op("patch", "patch", { requestBody: patchBody, parameters: [...WRITE_PARAMS, param("force", "boolean")] }) }
  return out
}

const v3Refs = (s: unknown): unknown => JSON.parse(JSON.stringify(s).replaceAll('"#/definitions/', '"#/components/schemas/'))

/** The schema of one resource at one version, with its GVK extension, for the documents. */
const rootSchema = (rt: ResourceType, version: string): JSONSchema => {
  const s = rt.schema(version) ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true }
  return { ...s, "x-kubernetes-group-version-kind": [{ group: rt.group, version, kind: rt.kind }] } as JSONSchema
}

/** The v3 index: one entry per group-version. */
export const openApiV3Index = (r: Registry, hash: (path: string) => string): Obj => {
  const paths: Obj = {}
  for (const g of r.groups()) {
    for (const v of g.versions) {
      const p = g.group === "" ? `api/${v}` : `apis/${g.group}/${v}`
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(p)}` }
    }
  }
  return { paths }
}

/** The v3 document of one group-version. */
export const openApiV3 = (r: Registry, group: string, version: string): Obj | undefined => {
  const rts = r.inGroupVersion(group, version)
  if (rts.length === 0) return undefined
  const schemas: Obj = {}
  let paths: Obj = {}
  for (const rt of rts) {
    const name = schemaName(rt, version)
    schemas[name] = rootSchema(rt, version)
    if (!rt.custom) Object.assign(schemas, rt.defs)
    paths = { ...paths, ...pathsOf(rt, version, `#/components/schemas/${name}`) }
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: versionInfo.gitVersion }, paths, components: { schemas: v3Refs(schemas) } }
}

/** The v2 document over every served resource. */
export const openApiV2 = (r: Registry): Obj => {
  const definitions: Obj = {}
  const paths: Obj = {}
  for (const rt of r.all()) {
    if (!rt.custom) Object.assign(definitions, rt.defs)
    for (const v of rt.versions) {
      const name = schemaName(rt, v)
      definitions[name] = rootSchema(rt, v)
      const p = pathsOf(rt, v, `#/definitions/${name}`)
      for (const [k, item] of Object.entries(p)) {
        const conv: Obj = {}
        for (const [verb, op] of Object.entries(item as Obj)) {
          if (verb === "parameters") {
            conv.parameters = (op as Obj[]).map((x) => ({ name: x.name, in: x.in, required: x.required, type: "string" }))
            continue
          }
          const { requestBody: _b, responses: _r, parameters, ...rest } = op as Obj
          conv[verb] = {
            ...rest,
            consumes: ["application/json"],
            produces: ["application/json"],
            parameters: (parameters ?? []).map((x: Obj) => ({ name: x.name, in: x.in, type: x.schema?.type ?? "string", uniqueItems: true })),
            responses: { "200": { description: "OK", schema: { $ref: `#/definitions/${name}` } } },
          }
        }
        paths[k] = conv
      }
    }
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: versionInfo.gitVersion }, paths, definitions }
}
