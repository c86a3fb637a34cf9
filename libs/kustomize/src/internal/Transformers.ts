// kustomize's built-in transformers over a list of resources: namespace, name prefix and
// suffix, labels, annotations, images and replicas, each with kustomize's field specs.
import { isNamespaced, isObj, kindOf, type Obj, type Res } from "./Resource.ts"

/** Visits the maps at `path` ("spec/template/metadata/labels"; "x[]" walks a list), creating them if asked. */
const visitMap = (obj: Obj, path: string, create: boolean, fn: (m: Obj) => void): void => {
  const walk = (cur: Obj, parts: string[]): void => {
    const [head, ...rest] = parts
    if (head === undefined) return fn(cur)
    if (head.endsWith("[]")) {
      const list = cur[head.slice(0, -2)]
      if (Array.isArray(list)) for (const x of list) if (isObj(x)) walk(x, rest)
      return
    }
    let next = cur[head]
    if (!isObj(next)) {
      if (!create || (next !== undefined && next !== null)) return
      next = cur[head] = {}
    }
    walk(next, rest)
  }
  walk(obj, path.split("/"))
}

const WORKLOADS = new Set(["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"])

/** Field specs of commonLabels with selectors: [kinds, path, create]. */
const selectorSpecs = (kind: string): Array<[string, boolean]> => {
  if (WORKLOADS.has(kind)) {
    const s: Array<[string, boolean]> = [["spec/selector/matchLabels", true], ["spec/template/metadata/labels", true]]
    if (kind === "StatefulSet") s.push(["spec/volumeClaimTemplates[]/metadata/labels", true])
    return s
  }
  switch (kind) {
    case "Service":
      return [["spec/selector", true]]
    case "ReplicationController":
      return [["spec/selector", true], ["spec/template/metadata/labels", true]]
    case "Job":
      return [["spec/selector/matchLabels", false], ["spec/template/metadata/labels", true]]
    case "CronJob":
      return [
        ["spec/jobTemplate/spec/selector/matchLabels", false],
        ["spec/jobTemplate/metadata/labels", true],
        ["spec/jobTemplate/spec/template/metadata/labels", true],
      ]
    case "PodDisruptionBudget":
      return [["spec/selector/matchLabels", false]]
    case "NetworkPolicy":
      return [
        ["spec/podSelector/matchLabels", false],
        ["spec/ingress[]/from[]/podSelector/matchLabels", false],
        ["spec/egress[]/to[]/podSelector/matchLabels", false],
      ]
    default:
      return []
  }
}

const templateSpecs = (kind: string, field: "labels" | "annotations"): string[] => {
  if (WORKLOADS.has(kind) || kind === "Job" || kind === "ReplicationController") return [`spec/template/metadata/${field}`]
  if (kind === "CronJob") return [`spec/jobTemplate/metadata/${field}`, `spec/jobTemplate/spec/template/metadata/${field}`]
  return []
}

/** Options of one label transformer (commonLabels = selectors and templates). */
export interface LabelOptions {
  readonly selectors: boolean
  readonly templates: boolean
}

/** Adds labels to metadata and, as asked, to selectors and pod templates. */
export const addLabels = (rs: Res[], labels: Record<string, string>, o: LabelOptions): void => {
  const set = (m: Obj) => Object.assign(m, labels)
  for (const r of rs) {
    visitMap(r.obj, "metadata/labels", true, set)
    const kind = kindOf(r)
    if (o.selectors) for (const [p, create] of selectorSpecs(kind)) visitMap(r.obj, p, create, set)
    else if (o.templates) for (const p of templateSpecs(kind, "labels")) visitMap(r.obj, p, true, set)
  }
}

/** Adds annotations to metadata and pod templates (commonAnnotations). */
export const addAnnotations = (rs: Res[], annotations: Record<string, string>): void => {
  const set = (m: Obj) => Object.assign(m, annotations)
  for (const r of rs) {
    visitMap(r.obj, "metadata/annotations", true, set)
    for (const p of templateSpecs(kindOf(r), "annotations")) visitMap(r.obj, p, true, set)
  }
}

/** Sets the namespace of namespaced objects (and renames Namespace objects, as kustomize does). */
export const setNamespace = (rs: Res[], ns: string): void => {
  for (const r of rs) {
    const kind = kindOf(r)
    const meta = (r.obj.metadata ??= {})
    if (kind === "Namespace") {
      meta.name = ns
      r.names.push(ns)
    } else if (isNamespaced(kind)) {
      meta.namespace = ns
      r.namespaces.push(ns)
    }
    if (kind === "APIService" && isObj(r.obj.spec?.service)) r.obj.spec.service.namespace = ns
    if (kind === "CustomResourceDefinition" && isObj(r.obj.spec?.conversion?.webhook?.clientConfig?.service))
      r.obj.spec.conversion.webhook.clientConfig.service.namespace = ns
    if (kind === "MutatingWebhookConfiguration" || kind === "ValidatingWebhookConfiguration") {
      for (const w of Array.isArray(r.obj.webhooks) ? r.obj.webhooks : []) {
        if (isObj(w?.clientConfig?.service)) w.clientConfig.service.namespace = ns
      }
    }
  }
}

const NO_PREFIX = new Set(["CustomResourceDefinition", "APIService", "Namespace"])

/** Adds namePrefix/nameSuffix to metadata.name. */
export const addPrefixSuffix = (rs: Res[], prefix: string, suffix: string): void => {
  for (const r of rs) {
    if (NO_PREFIX.has(kindOf(r))) continue
    const meta = (r.obj.metadata ??= {})
    meta.name = `${prefix}${meta.name ?? ""}${suffix}`
    r.affixes.push(`${prefix}|${suffix}`)
    r.names.push(meta.name)
  }
}

/** One `images` entry of a kustomization. */
export interface ImageRule {
  readonly name: string
  readonly newName?: string
  readonly newTag?: string
  readonly digest?: string
}

const splitImage = (image: string): [string, string] => {
  const at = image.indexOf("@")
  const base = at < 0 ? image : image.slice(0, at)
  const slash = base.lastIndexOf("/")
  const colon = base.lastIndexOf(":")
  const cut = colon > slash ? colon : at
  return cut < 0 ? [image, ""] : [image.slice(0, cut), image.slice(cut)]
}

const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"])

/** Rewrites container images anywhere in pod specs by the `images` rules. */
export const setImages = (rs: Res[], rules: ReadonlyArray<ImageRule>): void => {
  const fix = (c: Obj) => {
    if (typeof c.image !== "string") return
    const [name, tag] = splitImage(c.image)
    const rule = rules.find((x) => x.name === name)
    if (rule === undefined) return
    let n = rule.newName !== undefined && rule.newName !== "" ? rule.newName : name
    let t = tag
    if (rule.newTag !== undefined && rule.newTag !== "") t = `:${rule.newTag}`
    if (rule.digest !== undefined && rule.digest !== "") t = `@${rule.digest}`
    c.image = n + t
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x)
    else if (isObj(v))
      for (const [k, x] of Object.entries(v)) {
        if (CONTAINER_LISTS.has(k) && Array.isArray(x)) for (const c of x) if (isObj(c)) fix(c)
        walk(x)
      }
  }
  for (const r of rs) walk(r.obj)
}

const SCALABLE = new Set(["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"])

/** Sets spec.replicas of scalable workloads whose (current or former) name matches. */
export const setReplicas = (rs: Res[], rules: ReadonlyArray<{ name: string; count: number }>): void => {
  for (const rule of rules)
    for (const r of rs) {
      if (!SCALABLE.has(kindOf(r)) || !r.names.includes(rule.name)) continue
      const spec = (r.obj.spec ??= {})
      spec.replicas = rule.count
    }
}
