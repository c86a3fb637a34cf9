// Defaults a real API server fills in for the built-in kinds (the common ones that show
// in `kubectl get -o yaml` and matter to diffs), and allocation of Service cluster IPs.
import type { Obj } from "./Store.ts"

const setIfMissing = (o: Obj, k: string, v: unknown): void => {
  if (o[k] === undefined) o[k] = v
}

const probe = (p: Obj | undefined): void => {
  if (p === undefined || p === null) return
  setIfMissing(p, "timeoutSeconds", 1)
  setIfMissing(p, "periodSeconds", 10)
  setIfMissing(p, "successThreshold", 1)
  setIfMissing(p, "failureThreshold", 3)
  if (p.httpGet !== undefined) setIfMissing(p.httpGet, "scheme", "HTTP")
}

const container = (c: Obj): void => {
  if (c === null || typeof c !== "object") return
  setIfMissing(c, "terminationMessagePath", "/dev/termination-log")
  setIfMissing(c, "terminationMessagePolicy", "File")
  if (c.imagePullPolicy === undefined && typeof c.image === "string") {
    const ref = c.image.split("@")[0]!
    const tag = ref.lastIndexOf(":") > ref.lastIndexOf("/") ? ref.slice(ref.lastIndexOf(":") + 1) : ""
    c.imagePullPolicy = c.image.includes("@") ? "IfNotPresent" : tag === "" || tag === "latest" ? "Always" : "IfNotPresent"
  }
  setIfMissing(c, "resources", {})
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (p !== null && typeof p === "object") setIfMissing(p, "protocol", "TCP")
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (e?.valueFrom?.fieldRef !== undefined) setIfMissing(e.valueFrom.fieldRef, "apiVersion", "v1")
  }
  probe(c.livenessProbe)
  probe(c.readinessProbe)
  probe(c.startupProbe)
}

/** Defaults of a PodSpec (also inside templates). */
export const podSpec = (s: Obj | undefined): void => {
  if (s === undefined || s === null || typeof s !== "object") return
  for (const c of Array.isArray(s.containers) ? s.containers : []) container(c)
  for (const c of Array.isArray(s.initContainers) ? s.initContainers : []) container(c)
  setIfMissing(s, "restartPolicy", "Always")
  setIfMissing(s, "terminationGracePeriodSeconds", 30)
  setIfMissing(s, "dnsPolicy", "ClusterFirst")
  setIfMissing(s, "securityContext", {})
  setIfMissing(s, "schedulerName", "default-scheduler")
  for (const v of Array.isArray(s.volumes) ? s.volumes : []) {
    if (v === null || typeof v !== "object") continue
    if (v.configMap !== undefined) setIfMissing(v.configMap, "defaultMode", 420)
    if (v.secret !== undefined) setIfMissing(v.secret, "defaultMode", 420)
    if (v.projected !== undefined) setIfMissing(v.projected, "defaultMode", 420)
    if (v.downwardAPI !== undefined) setIfMissing(v.downwardAPI, "defaultMode", 420)
  }
}

/** Defaults of a pod template (metadata.creationTimestamp: null is what a Go server writes). */
export const podTemplate = (t: Obj | undefined): void => {
  if (t === undefined || t === null || typeof t !== "object") return
  if (t.metadata === undefined) t.metadata = {}
  if (t.metadata !== null && typeof t.metadata === "object" && !("creationTimestamp" in t.metadata)) t.metadata.creationTimestamp = null
  podSpec(t.spec)
}

const spec = (o: Obj): Obj => {
  if (o.spec === undefined || o.spec === null) o.spec = {}
  return o.spec
}

export const deployment = (o: Obj): void => {
  const s = spec(o)
  setIfMissing(s, "replicas", 1)
  setIfMissing(s, "revisionHistoryLimit", 10)
  setIfMissing(s, "progressDeadlineSeconds", 600)
  if (s.strategy === undefined) s.strategy = {}
  setIfMissing(s.strategy, "type", "RollingUpdate")
  if (s.strategy.type === "RollingUpdate") {
    if (s.strategy.rollingUpdate === undefined) s.strategy.rollingUpdate = {}
    setIfMissing(s.strategy.rollingUpdate, "maxUnavailable", "25%")
    setIfMissing(s.strategy.rollingUpdate, "maxSurge", "25%")
  }
  podTemplate(s.template)
}

export const replicaSet = (o: Obj): void => {
  setIfMissing(spec(o), "replicas", 1)
  podTemplate(o.spec.template)
}

export const statefulSet = (o: Obj): void => {
  const s = spec(o)
  setIfMissing(s, "replicas", 1)
  setIfMissing(s, "podManagementPolicy", "OrderedReady")
  setIfMissing(s, "revisionHistoryLimit", 10)
  if (s.updateStrategy === undefined) s.updateStrategy = {}
  setIfMissing(s.updateStrategy, "type", "RollingUpdate")
  if (s.updateStrategy.type === "RollingUpdate") {
    if (s.updateStrategy.rollingUpdate === undefined) s.updateStrategy.rollingUpdate = {}
    setIfMissing(s.updateStrategy.rollingUpdate, "partition", 0)
  }
  setIfMissing(s, "persistentVolumeClaimRetentionPolicy", { whenDeleted: "Retain", whenScaled: "Retain" })
  for (const t of Array.isArray(s.volumeClaimTemplates) ? s.volumeClaimTemplates : []) {
    if (t === null || typeof t !== "object") continue
    setIfMissing(t, "apiVersion", "v1")
    setIfMissing(t, "kind", "PersistentVolumeClaim")
    if (t.spec !== undefined) setIfMissing(t.spec, "volumeMode", "Filesystem")
    setIfMissing(t, "status", { phase: "Pending" })
  }
  podTemplate(s.template)
}

export const daemonSet = (o: Obj): void => {
  const s = spec(o)
  setIfMissing(s, "revisionHistoryLimit", 10)
  if (s.updateStrategy === undefined) s.updateStrategy = {}
  setIfMissing(s.updateStrategy, "type", "RollingUpdate")
  if (s.updateStrategy.type === "RollingUpdate") {
    if (s.updateStrategy.rollingUpdate === undefined) s.updateStrategy.rollingUpdate = {}
    setIfMissing(s.updateStrategy.rollingUpdate, "maxUnavailable", 1)
    setIfMissing(s.updateStrategy.rollingUpdate, "maxSurge", 0)
  }
  podTemplate(s.template)
}

export const job = (o: Obj): void => {
  const s = spec(o)
  setIfMissing(s, "parallelism", 1)
  setIfMissing(s, "completions", 1)
  setIfMissing(s, "backoffLimit", 6)
  setIfMissing(s, "completionMode", "NonIndexed")
  setIfMissing(s, "suspend", false)
  setIfMissing(s, "podReplacementPolicy", "TerminatingOrFailed")
  const uid = o.metadata?.uid
  if (s.manualSelector !== true && typeof uid === "string" && s.template !== null && typeof s.template === "object") {
    // The job controller's labels, as the Job strategy sets them.
    const name = o.metadata?.name
    if (s.selector === undefined) s.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } }
    if (s.template.metadata === undefined || s.template.metadata === null) s.template.metadata = {}
    const l = { ...(s.template.metadata.labels ?? {}) }
    setIfMissing(l, "batch.kubernetes.io/controller-uid", uid)
    setIfMissing(l, "batch.kubernetes.io/job-name", name)
    setIfMissing(l, "controller-uid", uid)
    setIfMissing(l, "job-name", name)
    s.template.metadata.labels = l
  }
  podTemplate(s.template)
}

export const cronJob = (o: Obj): void => {
  const s = spec(o)
  setIfMissing(s, "concurrencyPolicy", "Allow")
  setIfMissing(s, "suspend", false)
  setIfMissing(s, "successfulJobsHistoryLimit", 3)
  setIfMissing(s, "failedJobsHistoryLimit", 1)
  const js = s.jobTemplate?.spec
  if (js !== undefined && js !== null) {
    setIfMissing(js, "backoffLimit", 6)
    setIfMissing(js, "completionMode", "NonIndexed")
    setIfMissing(js, "suspend", false)
    podTemplate(js.template)
  }
}

export const pod = (o: Obj): void => {
  podSpec(spec(o))
  setIfMissing(o.spec, "enableServiceLinks", true)
  setIfMissing(o.spec, "priority", 0)
  if (o.status === undefined || Object.keys(o.status).length === 0) o.status = { phase: "Pending", qosClass: "BestEffort" }
}

let nextIp = 1
let nextNodePort = 30000
const allocIp = (): string => {
  const i = nextIp++
  return `10.96.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`
}

export const service = (o: Obj, old: Obj | undefined): void => {
  const s = spec(o)
  setIfMissing(s, "type", "ClusterIP")
  setIfMissing(s, "sessionAffinity", "None")
  if (s.type !== "ExternalName") {
    if (s.clusterIP === undefined || s.clusterIP === "") s.clusterIP = old?.spec?.clusterIP ?? allocIp()
    if (s.clusterIPs === undefined) s.clusterIPs = old?.spec?.clusterIPs ?? [s.clusterIP]
    setIfMissing(s, "ipFamilies", old?.spec?.ipFamilies ?? ["IPv4"])
    setIfMissing(s, "ipFamilyPolicy", "SingleStack")
    setIfMissing(s, "internalTrafficPolicy", "Cluster")
  }
  const oldPorts: Obj[] = old?.spec?.ports ?? []
  for (const p of Array.isArray(s.ports) ? s.ports : []) {
    if (p === null || typeof p !== "object") continue
    setIfMissing(p, "protocol", "TCP")
    setIfMissing(p, "targetPort", p.port)
    if ((s.type === "NodePort" || s.type === "LoadBalancer") && p.nodePort === undefined) {
      p.nodePort = oldPorts.find((q) => q.port === p.port && (q.protocol ?? "TCP") === p.protocol)?.nodePort ?? nextNodePort++
    }
  }
  if (s.type === "NodePort" || s.type === "LoadBalancer") setIfMissing(s, "externalTrafficPolicy", "Cluster")
  if (s.type === "LoadBalancer") setIfMissing(s, "allocateLoadBalancerNodePorts", true)
  if (o.status === undefined) o.status = { loadBalancer: {} }
}

export const namespace = (o: Obj): void => {
  const name = o.metadata?.name
  if (typeof name === "string") o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": name }
  if (o.spec === undefined) o.spec = { finalizers: ["kubernetes"] }
  if (o.status === undefined || o.status.phase === undefined) o.status = { ...(o.status ?? {}), phase: "Active" }
}

export const secret = (o: Obj): void => {
  if (o.type === undefined || o.type === "") o.type = "Opaque"
  // stringData is write-only, as on a real server: folded into data (base64), winning over data's keys.
  if (o.stringData !== undefined && o.stringData !== null && typeof o.stringData === "object") {
    const data: Obj = { ...(o.data ?? {}) }
    for (const [k, v] of Object.entries(o.stringData as Record<string, unknown>)) data[k] = Buffer.from(String(v), "utf8").toString("base64")
    o.data = data
  }
  delete o.stringData
}

export const pvc = (o: Obj): void => {
  setIfMissing(spec(o), "volumeMode", "Filesystem")
  if (o.status === undefined) o.status = { phase: "Pending" }
}

export const crd = (o: Obj): void => {
  const s = spec(o)
  if (s.conversion === undefined) s.conversion = { strategy: "None" }
  if (s.names !== undefined && s.names !== null) {
    setIfMissing(s.names, "singular", String(s.names.kind ?? "").toLowerCase())
    setIfMissing(s.names, "listKind", `${s.names.kind}List`)
  }
}
