// The built-in kinds: their names, scopes, schemas (generated from a real server's OpenAPI,
// see scripts/gen-schemas.ts), printer columns, defaults and semantic checks.
import schemas from "./builtin-schemas.json" with { type: "json" }
import * as D from "./Defaults.ts"
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from "./Errors.ts"
import { builtinColumns } from "./Printers.ts"
import type { ResourceType } from "./Registry.ts"
import type { Definitions, JSONSchema } from "./Schema.ts"
import type { Obj } from "./Store.ts"

/** The definitions of every built-in kind's schema. */
export const builtinDefs: Definitions = schemas as unknown as Definitions

interface Spec {
  g: string
  v: string
  kind: string
  plural: string
  short?: string[]
  cats?: string[]
  ns: boolean
  status?: boolean
  gen?: boolean
  def: string
  scale?: boolean
  name?: ResourceType["nameRule"]
  defaulter?: ResourceType["defaulter"]
  validator?: ResourceType["validator"]
  storage?: string
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/
const keysValid = (field: string) => (o: Obj): FieldError[] => {
  const errs: FieldError[] = []
  for (const f of ["data", "binaryData", "stringData"]) {
    for (const k of Object.keys(o[f] ?? {})) {
      if (!CONFIG_KEY.test(k) || k.length > 253) {
        errs.push(fieldInvalid(`${f}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"))
      }
    }
  }
  void field
  return errs
}

const containerErrors = (spec: Obj | undefined, path: string): FieldError[] => {
  const errs: FieldError[] = []
  if (spec === undefined || spec === null) return [fieldRequired(path)]
  const cs = spec.containers
  if (!Array.isArray(cs) || cs.length === 0) errs.push(fieldRequired(`${path}.containers`))
  const seen = new Set<string>()
  for (const [list, items] of [["containers", cs], ["initContainers", spec.initContainers]] as const) {
    if (!Array.isArray(items)) continue
    items.forEach((c: Obj, i: number) => {
      const f = `${path}.${list}[${i}]`
      if (c === null || typeof c !== "object") return
      if (typeof c.name !== "string" || c.name === "") errs.push(fieldRequired(`${f}.name`))
      else if (seen.has(c.name)) errs.push({ type: "FieldValueDuplicate", field: `${f}.name`, value: c.name, hasValue: true, detail: "" })
      else seen.add(c.name)
      if (typeof c.image !== "string" || c.image.trim() === "") errs.push(fieldRequired(`${f}.image`))
      for (const [j, p] of (Array.isArray(c.ports) ? c.ports : []).entries()) {
        if (typeof p?.containerPort === "number" && (p.containerPort < 1 || p.containerPort > 65535)) {
          errs.push(fieldInvalid(`${f}.ports[${j}].containerPort`, p.containerPort, "must be between 1 and 65535, inclusive"))
        }
      }
    })
  }
  return errs
}

const labelsMatch = (sel: Obj | undefined, labels: Record<string, string> | undefined): boolean => {
  if (sel === undefined || sel === null) return false
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels?.[k] !== v) return false
  for (const e of sel.matchExpressions ?? []) {
    const v = labels?.[e.key]
    if (e.operator === "In" && (v === undefined || !(e.values ?? []).includes(v))) return false
    if (e.operator === "NotIn" && v !== undefined && (e.values ?? []).includes(v)) return false
    if (e.operator === "Exists" && v === undefined) return false
    if (e.operator === "DoesNotExist" && v !== undefined) return false
  }
  return true
}

const workload = (kind: string) => (o: Obj, old: Obj | undefined): FieldError[] => {
  const errs: FieldError[] = []
  const s = o.spec ?? {}
  const sel = s.selector
  if (sel === undefined || sel === null) errs.push(fieldRequired("spec.selector"))
  else if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
    errs.push(fieldInvalid("spec.selector", sel, `empty selector is invalid for ${kind.toLowerCase()}`))
  }
  const labels = s.template?.metadata?.labels
  if (sel !== undefined && sel !== null && !labelsMatch(sel, labels)) {
    errs.push(fieldInvalid("spec.template.metadata.labels", labels ?? {}, "`selector` does not match template `labels`"))
  }
  if (typeof s.replicas === "number" && s.replicas < 0) errs.push(fieldInvalid("spec.replicas", s.replicas, "must be greater than or equal to 0"))
  errs.push(...containerErrors(s.template?.spec, "spec.template.spec"))
  const rp = s.template?.spec?.restartPolicy
  if (rp !== undefined && rp !== "Always") errs.push(fieldNotSupported("spec.template.spec.restartPolicy", rp, ["Always"]))
  if (old !== undefined && JSON.stringify(old.spec?.selector) !== JSON.stringify(sel)) {
    errs.push(fieldInvalid("spec.selector", sel, "field is immutable"))
  }
  return errs
}

const jobErrors = (o: Obj, old: Obj | undefined): FieldError[] => {
  const s = o.spec ?? {}
  const errs = containerErrors(s.template?.spec, "spec.template.spec")
  const rp = s.template?.spec?.restartPolicy
  if (rp !== "OnFailure" && rp !== "Never") errs.push(fieldNotSupported("spec.template.spec.restartPolicy", rp ?? "", ["OnFailure", "Never"]))
  if (old !== undefined && JSON.stringify(old.spec?.template) !== JSON.stringify(s.template) && old.spec?.suspend !== true) {
    errs.push(fieldInvalid("spec.template", s.template, "field is immutable"))
  }
  return errs
}

const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/
const cronErrors = (o: Obj): FieldError[] => {
  const errs: FieldError[] = []
  const sched = o.spec?.schedule
  if (typeof sched !== "string" || sched === "") errs.push(fieldRequired("spec.schedule"))
  else if (!sched.startsWith("@")) {
    const parts = sched.replace(/^(CRON_)?TZ=\S+\s+/, "").trim().split(/\s+/)
    if (parts.length !== 5 || !parts.every((p) => CRON_FIELD.test(p))) {
      errs.push(fieldInvalid("spec.schedule", sched, `unparseable schedule: expected exactly 5 fields, found ${parts.length}: [${parts.join(" ")}]`))
    }
  }
  const js = o.spec?.jobTemplate?.spec
  errs.push(...containerErrors(js?.template?.spec, "spec.jobTemplate.spec.template.spec"))
  return errs
}

const serviceErrors = (o: Obj): FieldError[] => {
  const errs: FieldError[] = []
  const s = o.spec ?? {}
  const types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
  if (s.type !== undefined && !types.includes(s.type)) errs.push(fieldNotSupported("spec.type", s.type, types))
  const ports: Obj[] = Array.isArray(s.ports) ? s.ports : []
  if (ports.length === 0 && s.type !== "ExternalName" && s.clusterIP !== "None") errs.push(fieldRequired("spec.ports"))
  const names = new Set<string>()
  ports.forEach((p, i) => {
    if (p === null || typeof p !== "object") return
    if (typeof p.port === "number" && (p.port < 1 || p.port > 65535)) errs.push(fieldInvalid(`spec.ports[${i}].port`, p.port, "must be between 1 and 65535, inclusive"))
    if (ports.length > 1 && (p.name === undefined || p.name === "")) errs.push(fieldRequired(`spec.ports[${i}].name`))
    if (typeof p.name === "string" && p.name !== "") {
      if (names.has(p.name)) errs.push({ type: "FieldValueDuplicate", field: `spec.ports[${i}].name`, value: p.name, hasValue: true, detail: "" })
      names.add(p.name)
    }
  })
  return errs
}

const podErrors = (o: Obj): FieldError[] => containerErrors(o.spec, "spec")

const ingressErrors = (o: Obj): FieldError[] => {
  const errs: FieldError[] = []
  ;(o.spec?.rules ?? []).forEach((r: Obj, i: number) => {
    ;(r?.http?.paths ?? []).forEach((p: Obj, j: number) => {
      const f = `spec.rules[${i}].http.paths[${j}].pathType`
      if (p?.pathType === undefined) errs.push(fieldRequired(f, "pathType must be specified"))
      else if (!["Exact", "Prefix", "ImplementationSpecific"].includes(p.pathType)) errs.push(fieldNotSupported(f, p.pathType, ["Exact", "ImplementationSpecific", "Prefix"]))
    })
  })
  return errs
}

const bindingErrors = (o: Obj): FieldError[] => {
  const errs: FieldError[] = []
  if (o.roleRef === undefined) errs.push(fieldRequired("roleRef"))
  else {
    if (!o.roleRef.name) errs.push(fieldRequired("roleRef.name"))
    if (!["Role", "ClusterRole"].includes(o.roleRef.kind)) errs.push(fieldNotSupported("roleRef.kind", o.roleRef.kind ?? "", ["Role", "ClusterRole"]))
  }
  return errs
}

const pvcErrors = (o: Obj): FieldError[] => {
  const errs: FieldError[] = []
  if (!Array.isArray(o.spec?.accessModes) || o.spec.accessModes.length === 0) errs.push(fieldRequired("spec.accessModes", "at least 1 access mode is required"))
  if (o.spec?.resources?.requests?.storage === undefined && o.spec?.dataSource === undefined) errs.push(fieldRequired("spec.resources[storage]"))
  return errs
}

const secretErrors = (o: Obj, old: Obj | undefined): FieldError[] => {
  const errs = keysValid("data")(o)
  if (old !== undefined && old.type !== o.type) errs.push(fieldInvalid("type", o.type, "field is immutable"))
  if (old?.immutable === true && (JSON.stringify(old.data) !== JSON.stringify(o.data) || o.immutable !== true)) {
    errs.push(fieldForbiddenImmutable())
  }
  return errs
}
const fieldForbiddenImmutable = (): FieldError => ({ type: "FieldValueForbidden", field: "data", detail: "field is immutable when `immutable` is set" })
const configMapErrors = (o: Obj, old: Obj | undefined): FieldError[] => {
  const errs = keysValid("data")(o)
  if (old?.immutable === true && (JSON.stringify(old.data) !== JSON.stringify(o.data) || o.immutable !== true)) errs.push(fieldForbiddenImmutable())
  return errs
}

const specs: Spec[] = [
  { g: "", v: "v1", kind: "Namespace", plural: "namespaces", short: ["ns"], ns: false, status: true, def: "io.k8s.api.core.v1.Namespace", name: "label", defaulter: D.namespace },
  { g: "", v: "v1", kind: "ConfigMap", plural: "configmaps", short: ["cm"], ns: true, def: "io.k8s.api.core.v1.ConfigMap", validator: configMapErrors },
  { g: "", v: "v1", kind: "Secret", plural: "secrets", ns: true, def: "io.k8s.api.core.v1.Secret", defaulter: D.secret, validator: secretErrors },
  { g: "", v: "v1", kind: "ServiceAccount", plural: "serviceaccounts", short: ["sa"], ns: true, def: "io.k8s.api.core.v1.ServiceAccount" },
  { g: "", v: "v1", kind: "Service", plural: "services", short: ["svc"], cats: ["all"], ns: true, status: true, def: "io.k8s.api.core.v1.Service", name: "dns1035", defaulter: D.service, validator: serviceErrors },
  { g: "", v: "v1", kind: "Pod", plural: "pods", short: ["po"], cats: ["all"], ns: true, status: true, def: "io.k8s.api.core.v1.Pod", defaulter: D.pod, validator: podErrors },
  { g: "", v: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", short: ["pvc"], ns: true, status: true, def: "io.k8s.api.core.v1.PersistentVolumeClaim", defaulter: D.pvc, validator: pvcErrors },
  { g: "", v: "v1", kind: "Event", plural: "events", short: ["ev"], ns: true, def: "io.k8s.api.core.v1.Event", storage: "events" },
  { g: "apps", v: "v1", kind: "Deployment", plural: "deployments", short: ["deploy"], cats: ["all"], ns: true, status: true, gen: true, scale: true, def: "io.k8s.api.apps.v1.Deployment", defaulter: D.deployment, validator: workload("Deployment") },
  { g: "apps", v: "v1", kind: "ReplicaSet", plural: "replicasets", short: ["rs"], cats: ["all"], ns: true, status: true, gen: true, scale: true, def: "io.k8s.api.apps.v1.ReplicaSet", defaulter: D.replicaSet, validator: workload("ReplicaSet") },
  { g: "apps", v: "v1", kind: "StatefulSet", plural: "statefulsets", short: ["sts"], cats: ["all"], ns: true, status: true, gen: true, scale: true, def: "io.k8s.api.apps.v1.StatefulSet", defaulter: D.statefulSet, validator: workload("StatefulSet") },
  { g: "apps", v: "v1", kind: "DaemonSet", plural: "daemonsets", short: ["ds"], cats: ["all"], ns: true, status: true, gen: true, def: "io.k8s.api.apps.v1.DaemonSet", defaulter: D.daemonSet, validator: workload("DaemonSet") },
  { g: "batch", v: "v1", kind: "Job", plural: "jobs", cats: ["all"], ns: true, status: true, gen: true, def: "io.k8s.api.batch.v1.Job", defaulter: D.job, validator: jobErrors },
  { g: "batch", v: "v1", kind: "CronJob", plural: "cronjobs", short: ["cj"], cats: ["all"], ns: true, status: true, gen: true, def: "io.k8s.api.batch.v1.CronJob", defaulter: D.cronJob, validator: cronErrors },
  { g: "networking.k8s.io", v: "v1", kind: "Ingress", plural: "ingresses", short: ["ing"], ns: true, status: true, gen: true, def: "io.k8s.api.networking.v1.Ingress", validator: ingressErrors },
  { g: "rbac.authorization.k8s.io", v: "v1", kind: "Role", plural: "roles", ns: true, def: "io.k8s.api.rbac.v1.Role", name: "path" },
  { g: "rbac.authorization.k8s.io", v: "v1", kind: "RoleBinding", plural: "rolebindings", ns: true, def: "io.k8s.api.rbac.v1.RoleBinding", name: "path", validator: bindingErrors },
  { g: "rbac.authorization.k8s.io", v: "v1", kind: "ClusterRole", plural: "clusterroles", ns: false, def: "io.k8s.api.rbac.v1.ClusterRole", name: "path" },
  { g: "rbac.authorization.k8s.io", v: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", ns: false, def: "io.k8s.api.rbac.v1.ClusterRoleBinding", name: "path", validator: bindingErrors },
  { g: "events.k8s.io", v: "v1", kind: "Event", plural: "events", short: ["ev"], ns: true, def: "io.k8s.api.events.v1.Event", storage: "events" },
  { g: "coordination.k8s.io", v: "v1", kind: "Lease", plural: "leases", ns: true, def: "io.k8s.api.coordination.v1.Lease" },
  { g: "apiextensions.k8s.io", v: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", short: ["crd", "crds"], cats: ["api-extensions"], ns: false, status: true, gen: true, def: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition", defaulter: D.crd },
]

// core/v1 Event <-> events.k8s.io/v1 Event (one storage, two shapes).
const EVENT_RENAMES: Array<[string, string]> = [
  ["involvedObject", "regarding"],
  ["message", "note"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
  ["reportingComponent", "reportingController"],
]
const renameEvent = (o: Obj, from: 0 | 1, apiVersion: string): Obj => {
  const out: Obj = { ...o, apiVersion }
  for (const pair of EVENT_RENAMES) {
    const a = pair[from]
    const b = pair[1 - from]!
    if (a in out) {
      out[b] = out[a]
      delete out[a]
    }
  }
  return out
}

/** Resource types of every built-in kind. */
export const builtinTypes = (): ResourceType[] =>
  specs.map((s): ResourceType => {
    const schema = builtinDefs[s.def] as JSONSchema
    const rt: ResourceType = {
      group: s.g,
      versions: [s.v],
      storageVersion: s.v,
      kind: s.kind,
      listKind: `${s.kind}List`,
      plural: s.plural,
      singular: s.kind.toLowerCase(),
      shortNames: s.short ?? [],
      categories: s.cats ?? [],
      namespaced: s.ns,
      status: s.status ?? false,
      generation: s.gen ?? false,
      storage: s.storage ?? `${s.g === "" ? "core" : s.g}/${s.plural}`,
      schema: () => schema,
      defs: builtinDefs,
      custom: false,
      columns: () => builtinColumns[s.kind] ?? [],
      nameRule: s.name ?? "subdomain",
      ...(s.scale === true ? { scale: { spec: ".spec.replicas", status: ".status.replicas", selector: ".spec.selector" } } : {}),
      ...(s.defaulter !== undefined ? { defaulter: s.defaulter } : {}),
      ...(s.validator !== undefined ? { validator: s.validator } : {}),
    }
    if (s.g === "events.k8s.io") {
      return {
        ...rt,
        storageSchema: builtinDefs["io.k8s.api.core.v1.Event"],
        toVersion: (o) => renameEvent(o, 0, "events.k8s.io/v1"),
        fromVersion: (o) => renameEvent(o, 1, "v1"),
      }
    }
    if (s.g === "" && s.kind === "Event") return { ...rt, toVersion: (o) => (o.apiVersion === "v1" ? o : { ...o, apiVersion: "v1" }) }
    return rt
  })
