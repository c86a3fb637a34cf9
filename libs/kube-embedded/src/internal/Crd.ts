// CustomResourceDefinitions: turning a CRD into served resource types (every served
// version, scope, status and scale subresources, printer columns), CRD-specific checks,
// and the status a real apiextensions server reports (NamesAccepted, Established).
import { builtinDefs } from "./Builtins.ts"
import { type FieldError, fieldInvalid, fieldRequired } from "./Errors.ts"
import { jsonPath } from "./JsonPath.ts"
import { ageColumn, humanDuration } from "./Printers.ts"
import type { Column, ResourceType } from "./Registry.ts"
import type { JSONSchema } from "./Schema.ts"
import type { Obj } from "./Store.ts"

/** The finalizer that keeps a CRD until its custom resources are deleted. */
export const CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"

const META_REF: JSONSchema = { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }

const rootSchema = (s: JSONSchema | undefined): JSONSchema => {
  const base: JSONSchema = s ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true }
  return {
    ...base,
    type: "object",
    properties: { ...(base.properties ?? {}), apiVersion: { type: "string" }, kind: { type: "string" }, metadata: META_REF },
  }
}

const cellOf = (c: Obj) => (o: Obj, now: number): unknown => {
  let vals: unknown[]
  try {
    vals = jsonPath(o, String(c.jsonPath ?? ""))
  } catch {
    vals = []
  }
  if (vals.length === 0) return c.type === "integer" || c.type === "number" ? null : ""
  const v = vals[0]
  if (c.type === "date" && typeof v === "string") return humanDuration(now - Date.parse(v))
  if (vals.length > 1) return vals.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(",")
  return typeof v === "object" ? JSON.stringify(v) : v
}

/** The resource type a CRD defines (undefined when no version is served). */
export const crdType = (crd: Obj): ResourceType | undefined => {
  const spec = crd.spec ?? {}
  const names = spec.names ?? {}
  const versions: Obj[] = (spec.versions ?? []).filter((v: Obj) => v.served !== false)
  if (versions.length === 0) return undefined
  const storage = (spec.versions as Obj[]).find((v) => v.storage === true)?.name ?? versions[0]!.name
  const byName = new Map<string, Obj>(versions.map((v) => [v.name as string, v]))
  const schemas = new Map<string, JSONSchema>(versions.map((v) => [v.name as string, rootSchema(v.schema?.openAPIV3Schema)]))
  const anyStatus = versions.some((v) => v.subresources?.status !== undefined)
  const scaleSpec = versions.find((v) => v.subresources?.scale !== undefined)?.subresources?.scale
  const columns = (version: string): Column[] => {
    const cols: Obj[] = byName.get(version)?.additionalPrinterColumns ?? []
    if (cols.length === 0) return [ageColumn]
    return cols.map((c) => ({
      name: String(c.name),
      type: String(c.type ?? "string"),
      format: String(c.format ?? ""),
      description: String(c.description ?? ""),
      priority: Number(c.priority ?? 0),
      cell: cellOf(c),
    }))
  }
  return {
    group: String(spec.group),
    versions: sortVersions(versions.map((v) => String(v.name))),
    storageVersion: String(storage),
    kind: String(names.kind),
    listKind: String(names.listKind ?? `${names.kind}List`),
    plural: String(names.plural),
    singular: String(names.singular ?? String(names.kind).toLowerCase()),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: spec.scope !== "Cluster",
    status: anyStatus,
    generation: true,
    storage: `${spec.group}/${names.plural}`,
    schema: (v) => schemas.get(v) ?? schemas.get(String(storage)),
    defs: builtinDefs,
    custom: true,
    columns,
    nameRule: "subdomain",
    crd: crd.metadata.name,
    ...(scaleSpec !== undefined
      ? { scale: { spec: scaleSpec.specReplicasPath, status: scaleSpec.statusReplicasPath, ...(scaleSpec.labelSelectorPath !== undefined ? { selector: scaleSpec.labelSelectorPath } : {}) } }
      : {}),
  }
}

/** Kubernetes' version priority: GA > beta > alpha, higher numbers first, then others by name. */
export const sortVersions = (vs: string[]): string[] => {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v)
    if (m === null) return [3, 0, 0, v]
    const kind = m[2] === undefined ? 0 : m[2] === "beta" ? 1 : 2
    return [kind, -Number(m[1]), -Number(m[3] ?? 0), v]
  }
  return [...vs].sort((a, b) => {
    const ra = rank(a)
    const rb = rank(b)
    for (let i = 0; i < 4; i++) if (ra[i]! !== rb[i]!) return ra[i]! < rb[i]! ? -1 : 1
    return 0
  })
}

/** Checks of a CRD beyond its schema. */
export const crdErrors = (o: Obj): FieldError[] => {
  const errs: FieldError[] = []
  const s = o.spec ?? {}
  const n = s.names ?? {}
  if (!s.group) errs.push(fieldRequired("spec.group"))
  if (!n.plural) errs.push(fieldRequired("spec.names.plural"))
  if (!n.kind) errs.push(fieldRequired("spec.names.kind"))
  if (!["Namespaced", "Cluster"].includes(s.scope)) errs.push({ type: "FieldValueNotSupported", field: "spec.scope", value: s.scope ?? "", hasValue: true, detail: 'supported values: "Cluster", "Namespaced"' })
  if (s.group && n.plural && o.metadata?.name !== `${n.plural}.${s.group}`) {
    errs.push(fieldInvalid("metadata.name", o.metadata?.name, 'must be spec.names.plural+"."+spec.group'))
  }
  const vs: Obj[] = Array.isArray(s.versions) ? s.versions : []
  if (vs.length === 0) errs.push(fieldInvalid("spec.versions", vs, "must have exactly one version marked as storage version"))
  else if (vs.filter((v) => v.storage === true).length !== 1) errs.push(fieldInvalid("spec.versions", vs.map((v) => v.name), "must have exactly one version marked as storage version"))
  vs.forEach((v, i) => {
    if (v.schema?.openAPIV3Schema === undefined) errs.push(fieldRequired(`spec.versions[${i}].schema.openAPIV3Schema`, "schemas are required"))
    else if (v.schema.openAPIV3Schema.type !== "object") errs.push(fieldInvalid(`spec.versions[${i}].schema.openAPIV3Schema.type`, v.schema.openAPIV3Schema.type ?? "", 'must be object at the root'))
  })
  return errs
}

/** The status an apiextensions server sets once names are accepted and the API is served. */
export const establishedStatus = (crd: Obj, now: string): Obj => {
  const cond = (type: string, reason: string, message: string) => {
    const prev = (crd.status?.conditions ?? []).find((c: Obj) => c.type === type && c.status === "True")
    return { type, status: "True", lastTransitionTime: prev?.lastTransitionTime ?? now, reason, message }
  }
  const names = crd.spec?.names ?? {}
  const stored = new Set<string>(crd.status?.storedVersions ?? [])
  const storage = (crd.spec?.versions ?? []).find((v: Obj) => v.storage === true)?.name
  if (storage !== undefined) stored.add(storage)
  return {
    conditions: [cond("NamesAccepted", "NoConflicts", "no conflicts found"), cond("Established", "InitialNamesAccepted", "the initial names have been accepted")],
    acceptedNames: {
      plural: names.plural,
      singular: names.singular ?? String(names.kind ?? "").toLowerCase(),
      ...(names.shortNames !== undefined ? { shortNames: names.shortNames } : {}),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      ...(names.categories !== undefined ? { categories: names.categories } : {}),
    },
    storedVersions: [...stored],
  }
}
