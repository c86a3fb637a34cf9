// A resource moving through a build, with the name history that name references and
// patch targets are resolved against, and kustomize's output order.

export type Obj = Record<string, any>

/** One object of the build plus what kustomize remembers about it. */
export interface Res {
  obj: Obj
  /** Every name the object has had, oldest first (the current one last). */
  names: string[]
  /** Every namespace it has had ("" for none), oldest first. */
  namespaces: string[]
  /** A generated ConfigMap/Secret that gets the content-hash suffix at the end. */
  hash: boolean
  /** Set when a `$patch: delete` removed the object; it is dropped after the step. */
  deleted?: boolean
  /** Prefixes and suffixes applied to its name, outermost last (name references match on them). */
  affixes: string[]
  /** File the object came from, for error messages. */
  file: string
}

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v)

export const groupOf = (apiVersion: unknown): string => {
  const s = typeof apiVersion === "string" ? apiVersion : ""
  const i = s.indexOf("/")
  return i < 0 ? "" : s.slice(0, i)
}
export const versionOf = (apiVersion: unknown): string => {
  const s = typeof apiVersion === "string" ? apiVersion : ""
  const i = s.indexOf("/")
  return i < 0 ? s : s.slice(i + 1)
}
export const kindOf = (r: Res): string => String(r.obj.kind ?? "")
export const nameOf = (r: Res): string => String(r.obj.metadata?.name ?? "")
export const nsOf = (r: Res): string => String(r.obj.metadata?.namespace ?? "")

/** Built-in kinds that are not namespaced; anything else (CRD kinds included) is namespaced. */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "StorageClass",
  "SubjectAccessReview",
  "TokenReview",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
])

/** Whether kustomize treats the kind as namespaced. */
export const isNamespaced = (kind: string): boolean => !CLUSTER_SCOPED.has(kind)

const ORDER_FIRST = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
]
const ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]
const RANK = new Map<string, number>([
  ...ORDER_FIRST.map((k, i) => [k, i - ORDER_FIRST.length] as const),
  ...ORDER_LAST.map((k, i) => [k, i + 1] as const),
])

const gvkString = (o: Obj): string => {
  const g = groupOf(o.apiVersion)
  const v = versionOf(o.apiVersion)
  return `${g === "" ? "~G" : g}_${v === "" ? "~V" : v}_${o.kind ?? "~K"}`
}

const rankOf = (first: ReadonlyArray<string>, last: ReadonlyArray<string>) =>
  new Map<string, number>([...first.map((k, i) => [k, i - first.length] as const), ...last.map((k, i) => [k, i + 1] as const)])

/** kustomize's legacy output order: by kind rank, then group/version/kind, namespace and name. */
export const legacySort = (rs: Res[], orderFirst?: unknown, orderLast?: unknown): Res[] => {
  const custom = Array.isArray(orderFirst) || Array.isArray(orderLast)
  const ranks = custom ? rankOf(Array.isArray(orderFirst) ? orderFirst : [], Array.isArray(orderLast) ? orderLast : []) : RANK
  const keyed = rs.map((r) => ({
    r,
    rank: ranks.get(kindOf(r)) ?? 0,
    gvk: gvkString(r.obj),
    rest: `${nsOf(r) === "" ? "~X" : nsOf(r)}|${nameOf(r)}`,
  }))
  keyed.sort((a, b) =>
    a.rank !== b.rank ? a.rank - b.rank : a.gvk !== b.gvk ? (a.gvk < b.gvk ? -1 : 1) : a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : 0,
  )
  return keyed.map((k) => k.r)
}
