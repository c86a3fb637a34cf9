// Generates src/internal/builtin-schemas.json: the schemas of the built-in kinds the
// embedded server serves. Base: the OpenAPI v2 document of a real kube-apiserver v1.20
// (../shared/tools/kube-real), fetched with `kubectl get --raw /openapi/v2`; fields added
// to Kubernetes since then are filled in from @kubernetes/client-node's generated models
// (Kubernetes 1.3x), with their types. Descriptions are dropped to keep the table small.
//
//   node libs/kube-embedded/scripts/gen-schemas.ts /path/to/openapi-v2.json
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

type S = Record<string, any>
const src = process.argv[2]
if (src === undefined) throw new Error("usage: gen-schemas.ts openapi-v2.json")
const all: Record<string, S> = JSON.parse(readFileSync(src, "utf8")).definitions

// batch/v1 CronJob arrived in 1.21: start from 1.20's batch/v1beta1 types.
for (const n of ["CronJob", "CronJobSpec", "CronJobStatus", "JobTemplateSpec"]) {
  const d = JSON.stringify(all[`io.k8s.api.batch.v1beta1.${n}`]).replaceAll("io.k8s.api.batch.v1beta1.", "io.k8s.api.batch.v1.")
  all[`io.k8s.api.batch.v1.${n}`] = JSON.parse(d)
}
const gvk = (d: S, group: string, version: string, kind: string) => {
  d["x-kubernetes-group-version-kind"] = [{ group, version, kind }]
}
gvk(all["io.k8s.api.batch.v1.CronJob"]!, "batch", "v1", "CronJob")

const roots = [
  "io.k8s.api.core.v1.Namespace", "io.k8s.api.core.v1.ConfigMap", "io.k8s.api.core.v1.Secret", "io.k8s.api.core.v1.ServiceAccount",
  "io.k8s.api.core.v1.Service", "io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PersistentVolumeClaim", "io.k8s.api.core.v1.Event",
  "io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.ReplicaSet", "io.k8s.api.apps.v1.StatefulSet", "io.k8s.api.apps.v1.DaemonSet",
  "io.k8s.api.batch.v1.Job", "io.k8s.api.batch.v1.CronJob", "io.k8s.api.networking.v1.Ingress",
  "io.k8s.api.rbac.v1.Role", "io.k8s.api.rbac.v1.RoleBinding", "io.k8s.api.rbac.v1.ClusterRole", "io.k8s.api.rbac.v1.ClusterRoleBinding",
  "io.k8s.api.events.v1.Event", "io.k8s.api.coordination.v1.Lease",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
  "io.k8s.api.autoscaling.v1.Scale", "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
]

// client-node models: name -> attributes
const req = createRequire(import.meta.url)
const modelsDir = join(dirname(req.resolve("@kubernetes/client-node")), "gen", "models")
const models = new Map<string, Array<{ baseName: string; type: string; format: string }>>()
for (const f of readdirSync(modelsDir)) {
  if (!f.endsWith(".js")) continue
  const text = readFileSync(join(modelsDir, f), "utf8")
  const m = /\.attributeTypeMap = (\[[\s\S]*?\]);/.exec(text)
  if (m === null) continue
  models.set(f.slice(0, -3), JSON.parse(m[1]!))
}
// 1.20 definition name -> client-node model name (V1Container, AppsV1..., V1beta1...)
const modelName = (def: string): string[] => {
  const parts = def.split(".")
  if (parts.length < 4) return []
  const name = parts.at(-1)!
  const ver = parts.at(-2)!
  const grp = parts.at(-3)!
  const V = ver[0]!.toUpperCase() + ver.slice(1)
  const G = grp[0]!.toUpperCase() + grp.slice(1)
  return [`${V}${name}`, `${G}${V}${name}`, `Core${V}${name}`]
}
const defOfModel = new Map<string, string>()
for (const d of Object.keys(all)) for (const m of modelName(d)) if (models.has(m) && !defOfModel.has(m)) defOfModel.set(m, d)

const typeOf = (t: string, format: string): S => {
  if (t.startsWith("Array<")) return { type: "array", items: typeOf(t.slice(6, -1), format) }
  const mm = /^\{ \[key: string\]: (.*); \}$/.exec(t)
  if (mm !== null) return { type: "object", additionalProperties: typeOf(mm[1]!, "") }
  if (t === "string") return format === "" ? { type: "string" } : { type: "string", format }
  if (t === "number") return format === "double" ? { type: "number", format } : { type: "integer", format: format || "int64" }
  if (t === "boolean") return { type: "boolean" }
  if (t === "Date") return { type: "string", format: "date-time" }
  if (t === "IntOrString") return { $ref: "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString" }
  if (t === "any" || t === "object") return { type: "object", "x-kubernetes-preserve-unknown-fields": true }
  if (models.has(t)) return { $ref: `#/definitions/${ensureModel(t)}` }
  throw new Error(`unknown client-node type ${t}`)
}
// A model that 1.20 does not have becomes a definition of its own.
const ensureModel = (m: string): string => {
  const known = defOfModel.get(m)
  if (known !== undefined) return known
  const name = `gen.${m}`
  if (all[name] === undefined) {
    all[name] = { type: "object", properties: {} }
    defOfModel.set(m, name)
    for (const a of models.get(m)!) all[name]!.properties[a.baseName] = typeOf(a.type, a.format)
  }
  return name
}

const out: Record<string, S> = {}
const added: string[] = []
const visit = (name: string): void => {
  if (out[name] !== undefined) return
  const d = all[name]
  if (d === undefined) throw new Error(`missing definition ${name}`)
  const copy: S = JSON.parse(JSON.stringify(d, (k, v) => (k === "description" && typeof v === "string" ? undefined : v)))
  out[name] = copy
  // Fields added since 1.20
  for (const m of modelName(name)) {
    const attrs = models.get(m)
    if (attrs === undefined || defOfModel.get(m) !== name) continue
    if (copy.properties !== undefined) {
      for (const a of attrs) {
        if (copy.properties[a.baseName] !== undefined) continue
        copy.properties[a.baseName] = typeOf(a.type, a.format)
        added.push(`${name}.${a.baseName}`)
      }
    }
    break
  }
  JSON.stringify(copy, (_k, v) => {
    if (v !== null && typeof v === "object" && typeof v.$ref === "string") queue.push(v.$ref.slice("#/definitions/".length))
    return v
  })
}
const queue: string[] = [...roots]
while (queue.length > 0) visit(queue.shift()!)

// List-map keys default before merging (Kubernetes >= 1.21); the TCP default of ports.
out["io.k8s.api.core.v1.ContainerPort"]!.properties.protocol.default = "TCP"
out["io.k8s.api.core.v1.ServicePort"]!.properties.protocol.default = "TCP"
// Quantities are strings or numbers.
out["io.k8s.apimachinery.pkg.api.resource.Quantity"] = { type: "string", format: "quantity" }
out["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = { "x-kubernetes-int-or-string": true }
out["io.k8s.apimachinery.pkg.apis.meta.v1.Time"] = { type: "string", format: "date-time", nullable: true }
out["io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"] = { type: "string", format: "date-time", nullable: true }
// Free-form values: any JSON (RawExtension and FieldsV1 hold objects, JSON holds anything).
for (const n of ["io.k8s.apimachinery.pkg.runtime.RawExtension", "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"]) {
  if (out[n] !== undefined) out[n] = { type: "object", "x-kubernetes-preserve-unknown-fields": true }
}
out["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"] = { "x-kubernetes-preserve-unknown-fields": true }

const target = join(dirname(new URL(import.meta.url).pathname), "..", "src", "internal", "builtin-schemas.json")
writeFileSync(target, `${JSON.stringify(out)}\n`)
console.log(`${Object.keys(out).length} definitions, ${added.length} fields added since 1.20, ${JSON.stringify(out).length} bytes -> ${target}`)
console.log(added.join("\n"))
