// bench/apply: moor's Kustomization path end to end (git daemon → source service → kustomize
// service → API server, over a real nats-server, started by the tests' startServices), on the
// embedded API server and on the real kube-apiserver 1.20 (when built), in one run:
// (a) 2,000 objects from Git to Ready, versus `kubectl apply --server-side -f` of the same
//     manifests into a fresh cluster of the same kind, BENCH_REPEATS times (default 3, fresh
//     clusters each; the medians are compared); on kube-real also the CPU each side used, in the
//     servers (etcd, kube-apiserver, controller-manager) and in the client; and the set's
//     server-side dry-run alone (what the dry-run-first rule costs before any write);
// (b) a no-op reconcile of the unchanged set (Flux's requestedAt annotation): its writes to the
//     managed objects, target 0 (embedded: the server's audit log; real: apiserver_request_total);
// (c) drift-revert latency: a raw API merge patch of a managed field until the watch sees it reverted;
// (d) 1,000 Kustomizations of 10 objects on one GitRepository, from cold start to all Ready.
// BENCH_CLUSTER=embedded|real|both (default both; real is skipped when kube-real is not built).
import { execFile, execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { stringify } from "yaml"
import { Informer, KubeClient, type KubeObject, type ResourceRef } from "@moor/kube"
import { ResourceManager } from "@moor/ssa"
import { startServer } from "@moor/kube-embedded"
import { kubeRealBinaries, startGitDaemon, startKubeReal, waitFor } from "@moor/testing"
import { makeRepo } from "@moor/test/harness"
import { startServices } from "@moor/test/kustomize/services"
import { median, quantile, report, type Row } from "../report.ts"

const run = promisify(execFile)
const N = Number(process.env.BENCH_OBJECTS ?? 2000)
const NOOP_RUNS = Number(process.env.BENCH_RUNS ?? 3)
const DRIFTS = Number(process.env.BENCH_DRIFTS ?? 50)
const KS = Number(process.env.BENCH_KS ?? 1000)
// Cold applies of the set, each on fresh clusters (kubectl's, then moor's): the ratio is the median's.
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)
const PER_K = 10
const which = process.env.BENCH_CLUSTER ?? "both"
// BENCH_PARTS=set,fleet (default both): the 2,000-object set (a–c) and the 1,000 Kustomizations (d).
const parts = (process.env.BENCH_PARTS ?? "set,fleet").split(",")
const NS = "bench"
const work = mkdtempSync(join(tmpdir(), "moor-bench-apply-"))

/** t.after for a bench: cleanups run in reverse at close(). */
const scope = () => {
  const fs: (() => unknown)[] = []
  return {
    after: (f: () => unknown) => void fs.push(f),
    close: async () => {
      for (const f of fs.reverse()) await Promise.resolve(f()).catch(() => undefined)
    },
  }
}

// The 2,000 objects of bench/ssa: a Namespace, then ConfigMaps, Services and Deployments in turn.
const objects: KubeObject[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }]
for (let i = 1; objects.length < N; i++) {
  const name = `app-${i}`
  objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data: { index: String(i), payload: "x".repeat(200) } })
  if (objects.length < N)
    objects.push({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: NS }, spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] } })
  if (objects.length < N)
    objects.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: NS },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 8080, protocol: "TCP" }] }] } } },
    })
}
const manifest = join(work, "all.yaml")
writeFileSync(manifest, objects.map((o) => stringify(o)).join("---\n"))
// In Git: 20 files of 100 objects.
const appFiles: Record<string, string> = {}
for (let i = 0; i < objects.length; i += 100) appFiles[`apps/part-${String(i / 100).padStart(2, "0")}.yaml`] = objects.slice(i, i + 100).map((o) => stringify(o)).join("---\n")
// 1,000 folders of 10 ConfigMaps.
const fleetFiles: Record<string, string> = {}
const kName = (i: number) => `k-${String(i).padStart(4, "0")}`
for (let i = 0; i < KS; i++)
  fleetFiles[`ks/${kName(i)}/cms.yaml`] = Array.from({ length: PER_K }, (_, j) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${kName(i)}-${j}`, namespace: "default" }, data: { k: kName(i), j: String(j) } })).join("---\n")

const gitRoot = join(work, "git")
mkdirSync(gitRoot)
makeRepo(gitRoot, "apps", appFiles)
makeRepo(gitRoot, "fleet", fleetFiles)

type Cluster = "embedded" | "real"

/** A bare cluster of that kind for kubectl, with a function counting writes under NS. */
const bareCluster = async (s: ReturnType<typeof scope>, cluster: Cluster) => {
  if (cluster === "embedded") {
    const server = await startServer({ kubeconfigPath: join(mkdtempSync(join(work, "kube-")), "kubeconfig"), simulateWorkloads: true })
    s.after(() => server.close())
    return { kubeconfig: server.kubeconfigPath, kube: undefined, server, dir: undefined }
  }
  const real = await startKubeReal()
  s.after(() => real.stop())
  return { kubeconfig: real.kubeconfig, kube: KubeClient.fromFile(real.kubeconfig), server: undefined, dir: real.dir }
}

// CPU accounting on kube-real, where the servers are processes of their own: how much of the
// 2-core machine each side of a cold apply used. When the servers' and the client's CPU together
// fill both cores for the whole apply, no schedule makes it shorter; only spending less CPU does.
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
/** CPU ms so far of kube-real's etcd, kube-apiserver and controller-manager (their pid files in `dir`). */
const serverCpu = (dir: string) => () =>
  ["etcd", "kube-apiserver", "kube-controller-manager"].reduce((sum, n) => {
    try {
      const stat = readFileSync(`/proc/${readFileSync(join(dir, `${n}.pid`), "utf8").trim()}/stat`, "utf8")
      const f = stat.slice(stat.lastIndexOf(") ") + 2).split(" ")
      return sum + ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks // utime + stime
    } catch {
      return sum
    }
  }, 0)
/** This process's CPU ms so far (moor's services run in it, beside the bench's own watch). */
const ownCpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
type Cpu = { server: number; client: number }

/** A write counter for the managed objects (resources of the set, outside status). */
const writeCounter = (c: { server?: { audit(): ReadonlyArray<{ time: string; method: string; path: string }> } | undefined; kube?: KubeClient | undefined }) => {
  if (c.server) {
    const server = c.server
    const count = () =>
      server.audit().filter((a) => ["PATCH", "POST", "PUT", "DELETE"].includes(a.method) && !a.path.includes("dryRun") && (a.path.includes(`/namespaces/${NS}/`) || /\/namespaces\/bench(\?|$)/.test(a.path)) && !a.path.includes("/status"))
    return async () => {
      const from = new Date().toISOString()
      return async () => count().filter((a) => a.time >= from).length
    }
  }
  // kube-real: apiserver_request_total by verb for the set's resources, dry runs and subresources left out.
  const kube = c.kube!
  const total = async () => {
    const res = await kube.stream("GET", "/metrics")
    let text = ""
    for await (const chunk of res) text += chunk
    let n = 0
    for (const line of text.split("\n")) {
      if (!line.startsWith("apiserver_request_total{")) continue
      const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
      if (!["POST", "PUT", "PATCH", "APPLY", "DELETE"].includes(labels.verb!) || labels.dry_run || labels.subresource) continue
      if (!["configmaps", "services", "deployments", "namespaces"].includes(labels.resource!)) continue
      n += Number(line.slice(line.lastIndexOf(" ") + 1))
    }
    return n
  }
  return async () => {
    const from = await total()
    return async () => (await total()) - from
  }
}

/**
 * A watch of one Kustomization in default: `until` resolves when its latest state satisfies
 * `pred`. A watch, not a GET every 20 ms: the bench's own requests would load the cluster that
 * moor's time is measured on (about 300 GETs of a 2,000-entry inventory per cold apply).
 */
const watchKustomization = async (kube: KubeClient, kss: ResourceRef, name: string) => {
  let last: KubeObject | undefined
  let waiting: { pred: (o: KubeObject) => boolean; done: () => void } | undefined
  const inf = new Informer(kube, kss, {
    upsert: (o) => {
      if (o.metadata.name !== name) return
      last = o
      if (waiting?.pred(o)) waiting.done()
    },
    remove: () => undefined,
  }, { namespace: "default" })
  await inf.start()
  return {
    until: (what: string, pred: (o: KubeObject) => boolean, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        if (last && pred(last)) return resolve()
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
        waiting = { pred, done: () => (clearTimeout(timer), (waiting = undefined), resolve()) }
      }),
    stop: () => inf.stop(),
  }
}

const ready = (o: KubeObject | undefined) => (o?.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === "Ready" && c.status === "True") === true

const benchCluster = async (cluster: Cluster): Promise<{ rows: Row[]; extra: Record<string, unknown> }> => {
  const label = cluster === "embedded" ? "embedded" : "kube-real"
  const rows: Row[] = []
  const extra: Record<string, unknown> = {}
  const log = (m: string) => console.error(`[${label}] ${m}`)

  if (parts.includes("set")) await benchSet(cluster, label, rows, extra, log)
  if (parts.includes("fleet")) await benchFleet(cluster, label, rows, extra, log)
  return { rows, extra }
}

const benchSet = async (cluster: Cluster, label: string, rows: Row[], extra: Record<string, unknown>, log: (m: string) => void) => {
  const kubectlColds: number[] = []
  const moorColds: number[] = []
  const kubectlCpu: Cpu[] = []
  const moorCpu: Cpu[] = []
  let kubectlNoop = 0
  let kubectlNoopWrites = 0
  for (let rep = 0; rep < REPEATS; rep++) {
    // kubectl, into a fresh cluster.
    const s = scope()
    try {
      const c = await bareCluster(s, cluster)
      const writes = writeCounter(c)
      // kubectl under bash, whose `times` prints its children's CPU (user, system) last.
      const kubectl = async (): Promise<number> => {
        const args = ["--kubeconfig", c.kubeconfig, "apply", "--server-side", "--field-manager", "kubectl-bench", "-f", manifest]
        const { stdout } = await run("bash", ["-c", 'kubectl "$@" >/dev/null && times', "kubectl", ...args], { maxBuffer: 1 << 28 })
        const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stdout)
        return m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 : NaN
      }
      const server = c.dir ? serverCpu(c.dir) : undefined
      const s0 = server?.()
      let t = performance.now()
      const client = await kubectl()
      kubectlColds.push(performance.now() - t)
      if (server) kubectlCpu.push({ server: server() - s0!, client })
      if (rep === REPEATS - 1) {
        const stop = await writes()
        t = performance.now()
        await kubectl()
        kubectlNoop = performance.now() - t
        kubectlNoopWrites = await stop()
      }
      c.kube?.close()
      log(`kubectl cold ${kubectlColds.at(-1)!.toFixed(0)} ms${rep === REPEATS - 1 ? `, no-op ${kubectlNoop.toFixed(0)} ms, ${kubectlNoopWrites} writes` : ""}`)
    } finally {
      await s.close()
    }
    // moor, into a fresh cluster of the same kind; the last one goes on with (b) and (c).
    const last = rep === REPEATS - 1
    const s2 = scope()
    try {
      await benchMoor(cluster, s2, moorColds, moorCpu, last ? { label, rows, extra, kubectlNoop, kubectlNoopWrites } : undefined, log)
    } finally {
      await s2.close()
    }
  }
  const dry = await dryRunAlone(cluster, log)
  const ratios = moorColds.map((m, i) => m / kubectlColds[i]!)
  const moorCold = median(moorColds)
  const kubectlCold = median(kubectlColds)
  log(`cold: moor ${moorColds.map((x) => x.toFixed(0)).join(", ")} ms; kubectl ${kubectlColds.map((x) => x.toFixed(0)).join(", ")} ms; ratio median ${median(ratios).toFixed(2)}`)
  rows.unshift({ metric: `${label}: ${N} objects from Git to Ready (median of ${REPEATS})`, moor: moorCold, reference: kubectlCold, referenceName: "kubectl apply --server-side", unit: "ms", target: "<= 0.5x kubectl", met: moorCold <= 0.5 * kubectlCold })
  // What the issue's dry-run of the whole set before the first write costs by itself.
  rows.splice(1, 0, { metric: `${label}: server-side dry-run alone of the ${N - 1} objects, ${dry.inFlight} in flight, no write (median of ${dry.times.length})`, moor: median(dry.times), reference: kubectlCold, referenceName: "kubectl's cold apply", unit: "ms" })
  extra[`${label}-cold`] = { moorMs: moorColds, kubectlMs: kubectlColds, ratios, dryRunAloneMs: dry.times, ...(moorCpu.length ? { moorCpuMs: moorCpu, kubectlCpuMs: kubectlCpu } : {}) }
  if (moorCpu.length && kubectlCpu.length) {
    const m = { server: median(moorCpu.map((c) => c.server)), client: median(moorCpu.map((c) => c.client)) }
    const k = { server: median(kubectlCpu.map((c) => c.server)), client: median(kubectlCpu.map((c) => c.client)) }
    log(`cold apply CPU (ms): servers moor ${moorCpu.map((c) => c.server.toFixed(0)).join(", ")} / kubectl ${kubectlCpu.map((c) => c.server.toFixed(0)).join(", ")}; client moor ${moorCpu.map((c) => c.client.toFixed(0)).join(", ")} / kubectl ${kubectlCpu.map((c) => c.client.toFixed(0)).join(", ")}`)
    rows.splice(1, 0,
      { metric: `${label}: CPU of the cold apply in etcd + kube-apiserver + controller-manager (median)`, moor: m.server, reference: k.server, referenceName: "kubectl apply --server-side", unit: "ms CPU" },
      { metric: `${label}: CPU of the cold apply in the client (median)`, moor: m.client, reference: k.client, referenceName: "kubectl", unit: "ms CPU" },
      { metric: `${label}: all that CPU / 2 cores (a floor for the wall time, median)`, moor: (m.server + m.client) / 2, reference: (k.server + k.client) / 2, referenceName: "kubectl", unit: "ms" },
    )
  }
}

/**
 * The set's server-side dry-run by itself, as moor's apply sends it before its first write (an
 * apply patch with dryRun=All per object, the answer unread), three times on one fresh cluster
 * whose only change is the set's Namespace: the share of a cold apply that the issue's
 * dry-run-first rule costs on this machine, whatever the writes after it.
 */
const dryRunAlone = async (cluster: Cluster, log: (m: string) => void): Promise<{ times: number[]; inFlight: number }> => {
  const s = scope()
  try {
    const c = await bareCluster(s, cluster)
    const kube = c.kube ?? KubeClient.fromFile(c.kubeconfig)
    s.after(() => kube.close())
    // as many in flight as moor's apply engine sends by default
    const inFlight = new ResourceManager(kube, { fieldManager: "moor-bench" }).concurrency
    await kube.applied(objects[0]!, { fieldManager: "bench" })
    const rest = objects.slice(1)
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      let next = 0
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < rest.length) await kube.applied(rest[next++]!, { fieldManager: "moor-bench", force: true, dryRun: true })
      }))
      times.push(performance.now() - t)
    }
    log(`dry-run alone of ${rest.length} objects: ${times.map((x) => x.toFixed(0)).join(", ")} ms`)
    return { times, inFlight }
  } finally {
    await s.close()
  }
}

type Rest = { label: string; rows: Row[]; extra: Record<string, unknown>; kubectlNoop: number; kubectlNoopWrites: number }

/** One cold apply by moor (pushed to `colds`); with `rest`, then the no-op reconciles and drift. */
const benchMoor = async (cluster: Cluster, s: ReturnType<typeof scope>, colds: number[], cpu: Cpu[], rest: Rest | undefined, log: (m: string) => void) => {
  const daemon = await startGitDaemon(gitRoot)
  s.after(() => daemon.stop())
  // No simulated kubelet: the cluster is the one kubectl gets (its pods stay Pending in both).
  const c = await startServices(s, { cluster, readyPods: false })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const gits = await c.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  const gitRepository = (name: string) => ({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name, namespace: "default" }, spec: { url: daemon.url(`${name}.git`), interval: "10m" } })
  const kustomization = (name: string, source: string, path: string): KubeObject => ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "default" },
    spec: { interval: "60m", path, prune: true, sourceRef: { kind: "GitRepository", name: source } },
  })

  // (a) 2,000 objects: the artifact first (fetch timed apart), then Kustomization → Ready.
  let t = performance.now()
  await c.kube.apply(gitRepository("apps"), { fieldManager: "bench" })
  await waitFor("apps artifact", async () => (await c.kube.get(gits, "default", "apps")).status?.artifact, 120_000, 20)
  const fetchMs = performance.now() - t
  const server = "real" in c && c.real ? serverCpu(c.real.dir) : undefined
  const s0 = server?.()
  const watch = await watchKustomization(c.kube, kss, "apps")
  s.after(() => watch.stop())
  const c0 = ownCpu()
  t = performance.now()
  await c.kube.apply(kustomization("apps", "apps", "./apps"), { fieldManager: "bench" })
  await watch.until("apps Ready", ready, 300_000)
  const moorCold = performance.now() - t
  colds.push(moorCold)
  if (server) cpu.push({ server: server() - s0!, client: ownCpu() - c0 })
  log(`moor: fetch ${fetchMs.toFixed(0)} ms, Kustomization to Ready ${moorCold.toFixed(0)} ms`)
  if (!rest) return
  const { label, rows, extra, kubectlNoop, kubectlNoopWrites } = rest

  // (b) no-op reconciles: requestedAt until handled, writes to the set counted.
  const writes = writeCounter(c)
  const noop: number[] = []
  let noopWrites = 0
  for (let i = 0; i < NOOP_RUNS; i++) {
    const token = `bench-${Date.now()}-${i}`
    const stop = await writes()
    t = performance.now()
    await c.kube.patch(kss, "default", "apps", "merge", { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": token } } })
    await watch.until("no-op handled", (o) => o.status?.lastHandledReconcileAt === token, 300_000)
    noop.push(performance.now() - t)
    noopWrites = Math.max(noopWrites, await stop())
  }
  log(`moor: no-op median ${median(noop).toFixed(0)} ms, ${noopWrites} writes`)

  // (c) drift: one ConfigMap field patched at a time through the raw API; time until the watch sees it back.
  const cms = await c.kube.resource("v1", "ConfigMap")
  const waiting = new Map<string, () => void>()
  const inf = new Informer(c.kube, cms, {
    upsert: (o) => {
      const d = o.data as Record<string, string> | undefined
      const done = waiting.get(o.metadata.name)
      if (done && d?.index === o.metadata.name.slice("app-".length)) done()
    },
    remove: () => undefined,
  }, { namespace: NS })
  await inf.start()
  s.after(() => inf.stop())
  const drift: number[] = []
  const cmCount = objects.filter((o) => o.kind === "ConfigMap").length
  for (let i = 0; i < DRIFTS; i++) {
    const name = `app-${1 + ((i * 13) % cmCount)}`
    const back = new Promise<void>((resolve) => waiting.set(name, resolve))
    const t0 = performance.now()
    await c.kube.patch(cms, NS, name, "merge", { data: { index: "drifted" } })
    await Promise.race([back, new Promise((_, reject) => setTimeout(() => reject(new Error(`${name} not reverted in 30 s`)), 30_000))])
    drift.push(performance.now() - t0)
    waiting.delete(name)
  }
  // Every revert was moor's: one DriftCorrected event per patch.
  await waitFor("DriftCorrected events", () => c.events.filter((e) => e.reason === "DriftCorrected").length >= DRIFTS, 30_000)
  log(`drift p50 ${median(drift).toFixed(0)} ms, p99 ${quantile(drift, 0.99).toFixed(0)} ms`)

  rows.push(
    { metric: `${label}: no-op reconcile (median of ${NOOP_RUNS})`, moor: median(noop), reference: kubectlNoop, referenceName: "kubectl apply --server-side", unit: "ms" },
    { metric: `${label}: no-op reconcile writes`, moor: noopWrites, reference: kubectlNoopWrites, referenceName: "kubectl apply --server-side", unit: "requests", target: "0", met: noopWrites === 0 },
    { metric: `${label}: drift revert p50 (${DRIFTS} patches)`, moor: median(drift), unit: "ms", target: "< 500", met: median(drift) < 500 },
    { metric: `${label}: drift revert p99`, moor: quantile(drift, 0.99), unit: "ms" },
  )
  extra[label] = { fetchMs, samples: { noop, drift } }
}

const benchFleet = async (cluster: Cluster, label: string, rows: Row[], extra: Record<string, unknown>, log: (m: string) => void) => {
  // (d) 1,000 Kustomizations of 10 objects on one GitRepository, on a fresh cluster and services.
  const s2 = scope()
  try {
    const daemon = await startGitDaemon(gitRoot)
    s2.after(() => daemon.stop())
    const c = await startServices(s2, { cluster, readyPods: false })
    const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
    const done = new Set<string>()
    c.events.length = 0
    const t = performance.now()
    await c.kube.apply({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "fleet", namespace: "default" }, spec: { url: daemon.url("fleet.git"), interval: "10m" } }, { fieldManager: "bench" })
    const names = Array.from({ length: KS }, (_, i) => kName(i))
    for (let i = 0; i < names.length; i += 25)
      await Promise.all(
        names.slice(i, i + 25).map((n) =>
          c.kube.apply({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: n, namespace: "default" }, spec: { interval: "60m", path: `./ks/${n}`, prune: true, sourceRef: { kind: "GitRepository", name: "fleet" } } }, { fieldManager: "bench" }),
        ),
      )
    const created = performance.now() - t
    let lastLog = 0
    await waitFor("all Kustomizations Ready", () => {
      for (const e of c.events) if (e.reason === "ReconciliationSucceeded") done.add(e.involvedObject.name)
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now()
        log(`${done.size}/${KS} Ready after ${((performance.now() - t) / 1000).toFixed(1)} s`)
      }
      return done.size >= KS
    }, 900_000, 50)
    const allReady = performance.now() - t
    const list = await c.kube.list(kss, "default")
    const readyCount = list.items.filter((o) => ready(o)).length
    log(`1,000 Ks: created in ${created.toFixed(0)} ms, all Ready in ${allReady.toFixed(0)} ms (${readyCount} Ready in the list)`)
    rows.push({ metric: `${label}: ${KS} Kustomizations x ${PER_K} objects, cold start to all Ready`, moor: allReady / 1000, reference: 253, referenceName: "Flux 2.9, 16 cores", unit: "s", target: "<= 60", met: allReady <= 60_000 && readyCount === KS })
    const reasons: Record<string, number> = {}
    for (const e of c.events) reasons[e.reason] = (reasons[e.reason] ?? 0) + 1
    log(`events: ${JSON.stringify(reasons)}`)
    extra[`${label}-fleet`] = { createdMs: created, readyCount, events: reasons }
  } finally {
    await s2.close()
  }
}

try {
  const rows: Row[] = []
  const extra: Record<string, unknown> = { objects: N, noopRuns: NOOP_RUNS, drifts: DRIFTS, kustomizations: KS }
  const clusters: Cluster[] = which === "both" ? ["embedded", "real"] : [which as Cluster]
  for (const cl of clusters) {
    if (cl === "real" && !kubeRealBinaries()) {
      console.error("kube-real is not built (../shared/tools/kube-real/build.sh): real server skipped")
      continue
    }
    const r = await benchCluster(cl)
    rows.push(...r.rows)
    Object.assign(extra, r.extra)
  }
  report("apply", rows, extra)
} finally {
  rmSync(work, { recursive: true, force: true })
}
