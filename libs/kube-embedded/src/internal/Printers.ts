// Server-side printing: the columns `kubectl get` shows for each built-in kind, and
// the Table they are sent in (meta.k8s.io/v1 Table with PartialObjectMetadata rows).
import type { Column } from "./Registry.ts"
import type { Obj } from "./Store.ts"

/** Kubernetes' human-readable durations: "45s", "3m2s", "5h", "2d3h", "400d". */
export const humanDuration = (ms: number): string => {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return "<invalid>"
  if (seconds < 0) return "0s"
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`
  return `${Math.floor(days / 365)}y`
}

const age = (t: unknown, now: number): string => (typeof t === "string" ? humanDuration(now - Date.parse(t)) : "<unknown>")

const col = (name: string, cell: Column["cell"], opts: Partial<Pick<Column, "type" | "format" | "priority" | "description">> = {}): Column => ({
  name,
  type: opts.type ?? "string",
  format: opts.format ?? "",
  description: opts.description ?? "",
  priority: opts.priority ?? 0,
  cell,
})

/** The Name column every table starts with. */
export const nameColumn: Column = col("Name", (o) => o.metadata?.name ?? "", {
  format: "name",
  description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
})
export const ageColumn: Column = col("Age", (o, now) => age(o.metadata?.creationTimestamp, now), {
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
})
const createdAt = col("Created At", (o) => o.metadata?.creationTimestamp ?? "", { type: "date" })

const n = (v: unknown): number => (typeof v === "number" ? v : 0)
const containers = (spec: Obj | undefined): Obj[] => (Array.isArray(spec?.containers) ? spec.containers : [])
const names = (cs: Obj[]): string => cs.map((c) => c.name).join(",")
const images = (cs: Obj[]): string => cs.map((c) => c.image).join(",")
const selectorText = (sel: Obj | undefined): string => {
  if (sel === undefined || sel === null) return "<none>"
  const parts: string[] = []
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`)
  for (const e of sel.matchExpressions ?? []) {
    const op = String(e.operator).toLowerCase()
    if (op === "exists") parts.push(e.key)
    else if (op === "doesnotexist") parts.push(`!${e.key}`)
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(",")})`)
  }
  return parts.length === 0 ? "<none>" : parts.join(",")
}
const mapSelector = (sel: Record<string, string> | undefined): string =>
  sel === undefined || Object.keys(sel).length === 0 ? "<none>" : Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(",")
const wideWorkload = (tpl: (o: Obj) => Obj | undefined, sel: (o: Obj) => string): Column[] => [
  col("Containers", (o) => names(containers(tpl(o))), { priority: 1 }),
  col("Images", (o) => images(containers(tpl(o))), { priority: 1 }),
  col("Selector", sel, { priority: 1 }),
]
const podTpl = (o: Obj): Obj | undefined => o.spec?.template?.spec

const podStatus = (o: Obj): string => {
  if (o.metadata?.deletionTimestamp !== undefined) return "Terminating"
  let reason: string = o.status?.reason ?? o.status?.phase ?? "Pending"
  for (const cs of o.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason !== undefined) reason = cs.state.waiting.reason
    else if (cs.state?.terminated?.reason !== undefined) reason = cs.state.terminated.reason
  }
  return reason
}
const servicePorts = (o: Obj): string => {
  const ps: Obj[] = o.spec?.ports ?? []
  if (ps.length === 0) return "<none>"
  return ps.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",")
}
const externalIp = (o: Obj): string => {
  const ext: string[] = [...(o.spec?.externalIPs ?? [])]
  for (const i of o.status?.loadBalancer?.ingress ?? []) ext.push(i.ip ?? i.hostname)
  if (ext.length > 0) return ext.join(",")
  if (o.spec?.type === "LoadBalancer") return "<pending>"
  if (o.spec?.type === "ExternalName") return o.spec?.externalName ?? "<none>"
  return "<none>"
}
const jobStatus = (o: Obj): string => {
  const conds: Obj[] = o.status?.conditions ?? []
  const has = (t: string) => conds.some((c) => c.type === t && c.status === "True")
  if (has("Complete")) return "Complete"
  if (has("Failed")) return "Failed"
  if (o.metadata?.deletionTimestamp !== undefined) return "Terminating"
  if (has("Suspended")) return "Suspended"
  if (has("FailureTarget")) return "FailureTarget"
  if (has("SuccessCriteriaMet")) return "SuccessCriteriaMet"
  return "Running"
}
const jobDuration = (o: Obj, now: number): string => {
  const start = o.status?.startTime
  if (start === undefined) return ""
  const end = o.status?.completionTime
  return humanDuration((end === undefined ? now : Date.parse(end)) - Date.parse(start))
}
const subjects = (kind: string) => (o: Obj) =>
  (o.subjects ?? [])
    .filter((s: Obj) => s.kind === kind)
    .map((s: Obj) => (kind === "ServiceAccount" ? `${s.namespace ?? ""}/${s.name}` : s.name))
    .join(", ")
const eventObject = (o: Obj): string => {
  const io = o.involvedObject ?? {}
  return `${String(io.kind ?? "").toLowerCase()}/${io.name ?? ""}`
}
const eventLastSeen = (o: Obj, now: number): string => {
  const t = o.series?.lastObservedTime ?? o.lastTimestamp ?? o.eventTime ?? o.firstTimestamp ?? o.metadata?.creationTimestamp
  return typeof t === "string" ? humanDuration(now - Date.parse(t)) : "<unknown>"
}

/** Columns per built-in kind (after Name; Age included where kubectl shows it). */
export const builtinColumns: Record<string, Column[]> = {
  Namespace: [col("Status", (o) => o.status?.phase ?? ""), ageColumn],
  ConfigMap: [col("Data", (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, { type: "integer" }), ageColumn],
  Secret: [col("Type", (o) => o.type ?? ""), col("Data", (o) => Object.keys(o.data ?? {}).length, { type: "integer" }), ageColumn],
  ServiceAccount: [col("Secrets", (o) => (o.secrets ?? []).length, { type: "integer" }), ageColumn],
  Service: [
    col("Type", (o) => o.spec?.type ?? ""),
    col("Cluster-IP", (o) => o.spec?.clusterIP ?? "<none>"),
    col("External-IP", externalIp),
    col("Port(s)", servicePorts),
    ageColumn,
    col("Selector", (o) => mapSelector(o.spec?.selector), { priority: 1 }),
  ],
  Pod: [
    col("Ready", (o) => `${(o.status?.containerStatuses ?? []).filter((c: Obj) => c.ready === true).length}/${containers(o.spec).length}`),
    col("Status", podStatus),
    col("Restarts", (o) => (o.status?.containerStatuses ?? []).reduce((a: number, c: Obj) => a + n(c.restartCount), 0), { type: "string" }),
    ageColumn,
    col("IP", (o) => o.status?.podIP ?? "<none>", { priority: 1 }),
    col("Node", (o) => o.spec?.nodeName ?? "<none>", { priority: 1 }),
    col("Nominated Node", (o) => o.status?.nominatedNodeName ?? "<none>", { priority: 1 }),
    col("Readiness Gates", (o) => ((o.spec?.readinessGates ?? []).length === 0 ? "<none>" : String((o.spec.readinessGates as Obj[]).length)), { priority: 1 }),
  ],
  PersistentVolumeClaim: [
    col("Status", (o) => (o.metadata?.deletionTimestamp !== undefined ? "Terminating" : (o.status?.phase ?? ""))),
    col("Volume", (o) => o.spec?.volumeName ?? ""),
    col("Capacity", (o) => o.status?.capacity?.storage ?? ""),
    col("Access Modes", (o) => (o.status?.accessModes ?? []).map((m: string) => ({ ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" })[m] ?? m).join(",")),
    col("StorageClass", (o) => o.spec?.storageClassName ?? ""),
    col("VolumeAttributesClass", (o) => o.spec?.volumeAttributesClassName ?? "<unset>"),
    ageColumn,
    col("VolumeMode", (o) => o.spec?.volumeMode ?? "<unset>", { priority: 1 }),
  ],
  Event: [
    col("Last Seen", eventLastSeen),
    col("Type", (o) => o.type ?? ""),
    col("Reason", (o) => o.reason ?? ""),
    col("Object", eventObject),
    col("Message", (o) => o.message ?? ""),
    col("Subobject", (o) => o.involvedObject?.fieldPath ?? "", { priority: 1 }),
    col("Source", (o) => o.source?.component ?? o.reportingComponent ?? "", { priority: 1 }),
    col("First Seen", (o, now) => age(o.firstTimestamp ?? o.eventTime, now), { priority: 1 }),
    col("Count", (o) => n(o.count), { type: "integer", priority: 1 }),
    col("Name", (o) => o.metadata?.name ?? "", { priority: 1, format: "name" }),
  ],
  Deployment: [
    col("Ready", (o) => `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`),
    col("Up-to-date", (o) => n(o.status?.updatedReplicas), { type: "integer" }),
    col("Available", (o) => n(o.status?.availableReplicas), { type: "integer" }),
    ageColumn,
    ...wideWorkload(podTpl, (o) => selectorText(o.spec?.selector)),
  ],
  ReplicaSet: [
    col("Desired", (o) => n(o.spec?.replicas), { type: "integer" }),
    col("Current", (o) => n(o.status?.replicas), { type: "integer" }),
    col("Ready", (o) => n(o.status?.readyReplicas), { type: "integer" }),
    ageColumn,
    ...wideWorkload(podTpl, (o) => selectorText(o.spec?.selector)),
  ],
  StatefulSet: [col("Ready", (o) => `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`), ageColumn, ...wideWorkload(podTpl, () => "").slice(0, 2)],
  DaemonSet: [
    col("Desired", (o) => n(o.status?.desiredNumberScheduled), { type: "integer" }),
    col("Current", (o) => n(o.status?.currentNumberScheduled), { type: "integer" }),
    col("Ready", (o) => n(o.status?.numberReady), { type: "integer" }),
    col("Up-to-date", (o) => n(o.status?.updatedNumberScheduled), { type: "integer" }),
    col("Available", (o) => n(o.status?.numberAvailable), { type: "integer" }),
    col("Node Selector", (o) => mapSelector(o.spec?.template?.spec?.nodeSelector)),
    ageColumn,
    ...wideWorkload(podTpl, (o) => selectorText(o.spec?.selector)),
  ],
  Job: [
    col("Status", jobStatus),
    col("Completions", (o) => `${n(o.status?.succeeded)}/${o.spec?.completions ?? 1}`),
    col("Duration", jobDuration),
    ageColumn,
    ...wideWorkload(podTpl, (o) => selectorText(o.spec?.selector)),
  ],
  CronJob: [
    col("Schedule", (o) => o.spec?.schedule ?? ""),
    col("Timezone", (o) => o.spec?.timeZone ?? "<none>"),
    col("Suspend", (o) => String(o.spec?.suspend ?? false), { type: "boolean" }),
    col("Active", (o) => (o.status?.active ?? []).length, { type: "integer" }),
    col("Last Schedule", (o, now) => (o.status?.lastScheduleTime === undefined ? "<none>" : age(o.status.lastScheduleTime, now))),
    ageColumn,
    ...wideWorkload((o) => o.spec?.jobTemplate?.spec?.template?.spec, (o) => selectorText(o.spec?.jobTemplate?.spec?.selector)),
  ],
  Ingress: [
    col("Class", (o) => o.spec?.ingressClassName ?? "<none>"),
    col("Hosts", (o) => (o.spec?.rules ?? []).map((r: Obj) => r.host ?? "*").join(",") || "*"),
    col("Address", (o) => (o.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip ?? i.hostname).join(",")),
    col("Ports", (o) => ((o.spec?.tls ?? []).length > 0 ? "80, 443" : "80")),
    ageColumn,
  ],
  Role: [createdAt],
  ClusterRole: [createdAt],
  RoleBinding: [
    col("Role", (o) => `${o.roleRef?.kind ?? ""}/${o.roleRef?.name ?? ""}`),
    ageColumn,
    col("Users", subjects("User"), { priority: 1 }),
    col("Groups", subjects("Group"), { priority: 1 }),
    col("ServiceAccounts", subjects("ServiceAccount"), { priority: 1 }),
  ],
  Lease: [col("Holder", (o) => o.spec?.holderIdentity ?? ""), ageColumn],
  CustomResourceDefinition: [createdAt],
}
builtinColumns.ClusterRoleBinding = builtinColumns.RoleBinding!

/** Render objects as a meta.k8s.io/v1 Table. */
export const toTable = (
  objs: ReadonlyArray<Obj>,
  columns: ReadonlyArray<Column>,
  include: "None" | "Metadata" | "Object",
  listMeta: Obj,
  withDefinitions = true,
): Obj => {
  const now = Date.now()
  // Kinds whose printer places the name elsewhere (events: a wide column) say so with format "name".
  const cols = columns.some((c) => c.format === "name") ? [...columns] : [nameColumn, ...columns]
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: withDefinitions
      ? cols.map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority }))
      : null,
    rows: objs.map((o) => {
      const row: Obj = { cells: cols.map((c) => c.cell(o, now)) }
      if (include === "Metadata") row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata }
      else if (include === "Object") row.object = o
      return row
    }),
  }
}
