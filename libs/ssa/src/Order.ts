// Apply order as a value: stages of kinds applied (and waited for) one after another, and
// a rank of kinds inside a stage so output reads in a natural order. Prune runs it backwards.
import { groupKindOf, type ObjectRef } from "./ChangeSet.ts"

/** One stage: kinds by `group/kind` (core group empty: "/Namespace"); `*` takes the rest. */
export interface Stage {
  readonly name: string
  readonly kinds: ReadonlyArray<string>
  /** Wait for the stage's objects to be Current (CRD Established, Namespace Active) before the next. */
  readonly wait: boolean
}

/** Cluster definitions first (others depend on them), then class kinds, then everything else. */
export const defaultStages: ReadonlyArray<Stage> = [
  {
    name: "definitions",
    kinds: ["apiextensions.k8s.io/CustomResourceDefinition", "/Namespace", "rbac.authorization.k8s.io/ClusterRole"],
    wait: true,
  },
  {
    name: "classes",
    kinds: [
      "storage.k8s.io/StorageClass",
      "scheduling.k8s.io/PriorityClass",
      "node.k8s.io/RuntimeClass",
      "networking.k8s.io/IngressClass",
      "gateway.networking.k8s.io/GatewayClass",
      "snapshot.storage.k8s.io/VolumeSnapshotClass",
    ],
    wait: false,
  },
  { name: "resources", kinds: ["*"], wait: false },
]

/** Inside a stage: identities and configuration before the workloads that use them. */
export const kindRank: ReadonlyArray<string> = [
  "Namespace", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret",
  "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
  "ClusterRoleBinding", "Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicaSet", "Deployment",
  "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "Ingress", "APIService",
]

const firstWorkload = kindRank.indexOf("DaemonSet")

/**
 * A stage's objects in the two steps its writes take: what workloads read when
 * they start (service accounts, config, volumes, RBAC, Services: pods get the
 * Services that exist as environment variables), then workloads and the rest
 * (custom resources included). Each step in apply order; empty steps dropped.
 */
export const writeSteps = <T>(items: ReadonlyArray<T>, refOf: (t: T) => ObjectRef): T[][] => {
  const first = items.filter((it) => rank(refOf(it).kind) < firstWorkload)
  const rest = items.filter((it) => rank(refOf(it).kind) >= firstWorkload)
  return [first, rest].filter((s) => s.length > 0)
}

/** The index of the stage an object belongs to. */
export const stageOf = (r: ObjectRef, stages: ReadonlyArray<Stage> = defaultStages): number => {
  const i = stages.findIndex((s) => s.kinds.includes(groupKindOf(r)))
  if (i >= 0) return i
  const rest = stages.findIndex((s) => s.kinds.includes("*"))
  return rest >= 0 ? rest : stages.length - 1
}

const rank = (kind: string): number => {
  const i = kindRank.indexOf(kind)
  return i >= 0 ? i : kindRank.length
}

/** Where an object sorts in apply order: stage, kind rank, kind, namespace, name. */
interface OrderKey {
  readonly stage: number
  readonly rank: number
  readonly r: ObjectRef
}

const orderKey = (r: ObjectRef, stages: ReadonlyArray<Stage>): OrderKey => ({ stage: stageOf(r, stages), rank: rank(r.kind), r })

const compareKeys = (a: OrderKey, b: OrderKey): number =>
  a.stage - b.stage ||
  a.rank - b.rank ||
  a.r.kind.localeCompare(b.r.kind) ||
  (a.r.namespace ?? "").localeCompare(b.r.namespace ?? "") ||
  a.r.name.localeCompare(b.r.name)

/** Compares two objects in apply order: stage, kind rank, kind, namespace, name. */
export const compareApplyOrder = (stages: ReadonlyArray<Stage> = defaultStages) => (a: ObjectRef, b: ObjectRef): number =>
  compareKeys(orderKey(a, stages), orderKey(b, stages))

/** Groups items into stages (in apply order); empty stages are dropped. */
export const staged = <T>(items: ReadonlyArray<T>, refOf: (t: T) => ObjectRef, stages: ReadonlyArray<Stage> = defaultStages): { stage: Stage; items: T[] }[] => {
  // Keys once per item, not per comparison (2,000 objects: ~22,000 comparisons).
  const keyed = items.map((it) => ({ it, key: orderKey(refOf(it), stages) }))
  keyed.sort((a, b) => compareKeys(a.key, b.key))
  const out: { stage: Stage; items: T[] }[] = stages.map((stage) => ({ stage, items: [] }))
  for (const k of keyed) out[k.key.stage]!.items.push(k.it)
  return out.filter((s) => s.items.length > 0)
}
