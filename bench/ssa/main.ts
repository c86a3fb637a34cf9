// bench/ssa: the apply engine alone (no Git, no build) on the embedded API server: 2,000
// objects applied by @moor/ssa versus `kubectl apply --server-side -f` of the same
// manifests, cold (every object new) and no-op (nothing changed: writes counted from the
// server's audit log, target 0). Each tool gets a fresh server.
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { stringify } from "yaml"
import { KubeClient, type KubeObject } from "@moor/kube"
import { startServer, type EmbeddedServer } from "@moor/kube-embedded"
import { ResourceManager } from "@moor/ssa"
import { median, report } from "../report.ts"

const run = promisify(execFile)
const N = Number(process.env.BENCH_OBJECTS ?? 2000)
const noopRuns = Number(process.env.BENCH_RUNS ?? 3)
const work = mkdtempSync(join(tmpdir(), "moor-bench-ssa-"))

const objects: KubeObject[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } }]
for (let i = 1; objects.length < N; i++) {
  const name = `app-${i}`
  objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "bench" }, data: { index: String(i), payload: "x".repeat(200) } })
  if (objects.length < N) {
    objects.push({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "bench" }, spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] } })
  }
  if (objects.length < N) {
    objects.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "bench" },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } },
    })
  }
}
const manifest = join(work, "all.yaml")
writeFileSync(manifest, objects.map((o) => stringify(o)).join("---\n"))

const writes = (s: EmbeddedServer, from: number) => s.audit().slice(from).filter((a) => ["PATCH", "POST", "PUT", "DELETE"].includes(a.method) && !a.path.includes("dryRun")).length

const server = async (name: string) => startServer({ kubeconfigPath: join(work, `${name}.kubeconfig`) })

try {
  // moor
  const s1 = await server("moor")
  const kube = KubeClient.fromFile(s1.kubeconfigPath)
  const rm = new ResourceManager(kube, { fieldManager: "moor" })
  let t = performance.now()
  const cold = await rm.apply(objects)
  const moorCold = performance.now() - t
  const moorNoop: number[] = []
  let moorNoopWrites = 0
  for (let i = 0; i < noopRuns; i++) {
    const at = s1.audit().length
    t = performance.now()
    const cs = await rm.apply(objects)
    moorNoop.push(performance.now() - t)
    moorNoopWrites = Math.max(moorNoopWrites, writes(s1, at), cs.writes)
  }
  kube.close()
  await s1.close()

  // kubectl, same manifests (async exec: the server runs in this process)
  const s2 = await server("kubectl")
  const kubectl = () => run("kubectl", ["--kubeconfig", s2.kubeconfigPath, "apply", "--server-side", "--field-manager", "kubectl-bench", "-f", manifest], { maxBuffer: 1 << 28 })
  t = performance.now()
  await kubectl()
  const kubectlCold = performance.now() - t
  const at = s2.audit().length
  t = performance.now()
  await kubectl()
  const kubectlNoop = performance.now() - t
  const kubectlNoopWrites = writes(s2, at)
  await s2.close()

  report(
    "ssa",
    [
      { metric: `cold apply of ${N} objects`, moor: moorCold, reference: kubectlCold, referenceName: "kubectl apply --server-side", unit: "ms", target: "<= 0.5x kubectl", met: moorCold <= 0.5 * kubectlCold },
      { metric: "no-op reconcile (median)", moor: median(moorNoop), reference: kubectlNoop, referenceName: "kubectl apply --server-side", unit: "ms" },
      { metric: "no-op reconcile writes", moor: moorNoopWrites, reference: kubectlNoopWrites, referenceName: "kubectl apply --server-side", unit: "requests", target: "0", met: moorNoopWrites === 0 },
    ],
    { objects: N, noopRuns, created: cold.entries.filter((e) => e.action === "created").length, samples: { moorNoop } },
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
