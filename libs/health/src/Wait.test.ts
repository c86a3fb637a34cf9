// waitFor against the embedded API server with simulated workloads: a healthy Deployment
// and Job become Current; an image tagged `fail` ends Failed after its progress deadline.
import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { KubeClient, type KubeObject } from "@moor/kube"
import { startServer } from "@moor/kube-embedded"
import { kubeRealBinaries, startKubeReal } from "@moor/testing"
import { describe, waitFor } from "./Wait.ts"

const deployment = (name: string, image: string, deadline = 600): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default" },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: deadline,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } },
  },
})

const job: KubeObject = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "migrate", namespace: "default" },
  spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "busybox:1" }] } } },
}

const ref = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })

test("waitFor: healthy workloads become Current, a failing image ends Failed after its deadline", { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "moor-health-"))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer({ kubeconfigPath: join(dir, "kubeconfig"), simulateWorkloads: { delayMs: 200 } })
  t.after(() => server.close())
  const kube = KubeClient.fromFile(server.kubeconfigPath)
  t.after(() => kube.close())

  const web = deployment("web", "nginx:1.27")
  for (const o of [web, job]) await kube.apply(o, { fieldManager: "moor-test" })
  const start = Date.now()
  const ok = await waitFor(kube, [ref(web), ref(job)], { timeout: 10_000, interval: 100 })
  assert.deepEqual(ok, { ok: true, unhealthy: [], timedOut: false })
  assert.ok(Date.now() - start >= 150, "the simulated delay was waited for")

  // A missing object is reported as not found within the timeout.
  const missing = await waitFor(kube, [{ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "nope" }], { timeout: 300, interval: 100 })
  assert.equal(missing.ok, false)
  assert.equal(missing.timedOut, true)
  assert.match(describe(missing.unhealthy), /^ConfigMap\/default\/nope: InProgress: not found/)

  // The failing image: InProgress until the deadline (2 s), then Failed (fail fast).
  const bad = deployment("bad", "nginx:fail", 2)
  await kube.apply(bad, { fieldManager: "moor-test" })
  const early = await waitFor(kube, [ref(bad)], { timeout: 800, interval: 100 })
  assert.equal(early.timedOut, true)
  assert.equal(early.unhealthy[0]?.status, "InProgress")
  assert.match(early.unhealthy[0]!.message, /0 of 2 replicas ready/)
  const failed = await waitFor(kube, [ref(bad), ref(web)], { timeout: 10_000, interval: 100 })
  assert.equal(failed.ok, false)
  assert.equal(failed.timedOut, false)
  assert.equal(failed.unhealthy.length, 1)
  assert.match(describe(failed.unhealthy), /^Deployment\/default\/bad: Failed: progress deadline exceeded: ReplicaSet "bad-[0-9a-f]+" has timed out progressing/)
})

test("waitFor on the real kube-apiserver 1.20: Available, then a rollout past its deadline", { skip: kubeRealBinaries() ? false : "kube-real is not built", timeout: 180_000 }, async (t) => {
  const real = await startKubeReal()
  t.after(() => real.stop())
  const kube = KubeClient.fromFile(real.kubeconfig)
  t.after(() => kube.close())

  const web = deployment("web", "nginx:1.27")
  await kube.apply(web, { fieldManager: "moor-test" })
  // No kubelet: mark pods ready in a loop while waiting, as the real cluster's kubelet would.
  let pods = true
  const loop = (async () => {
    while (pods) {
      await real.readyPods().catch(() => undefined)
      await new Promise((r) => setTimeout(r, 500))
    }
  })()
  const ok = await waitFor(kube, [ref(web)], { timeout: 90_000, interval: 250 })
  pods = false
  await loop
  assert.deepEqual(ok, { ok: true, unhealthy: [], timedOut: false })

  // Pods of this one never become ready: the deployment controller gives up after 3 s.
  const bad = deployment("bad", "nginx:never", 3)
  await kube.apply(bad, { fieldManager: "moor-test" })
  const failed = await waitFor(kube, [ref(bad)], { timeout: 60_000, interval: 250 })
  assert.equal(failed.ok, false)
  assert.equal(failed.timedOut, false)
  assert.match(describe(failed.unhealthy), /^Deployment\/default\/bad: Failed: progress deadline exceeded: ReplicaSet "bad-[0-9a-z]+" has timed out progressing/)
})
