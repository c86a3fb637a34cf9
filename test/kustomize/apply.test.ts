// The apply actor and its protocol: request/reply on moor.apply.<cluster>
// with a bundle by digest in the object store; kubeConfig.secretRef targets
// (two embedded clusters: objects land only on the target); and
// serviceAccountName impersonation (recorded by the embedded server, which
// does not enforce RBAC; enforced by the real kube-apiserver).
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { applyService } from "@moor/apply-service"
import { ArtifactStore } from "@moor/artifact"
import type { KubeObject } from "@moor/kube"
import { startServer } from "@moor/kube-embedded"
import { ApplyClient, ApplyUnavailable, encodeBundle } from "@moor/kustomize-service"
import { applySubject, Codecs, type ApplyBundle, type ApplyReply } from "@moor/protocol"
import { kubeRealBinaries, startGitDaemon, startKubeReal, waitFor } from "@moor/testing"
import { makeRepo, startCluster, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "./services.ts"

const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } }
const cm = (name: string, namespace = "apps"): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { k: "v" } })
const owner = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "default", name: "apps" }
const cmYaml = (name: string, namespace: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n  k: v\n`
type Ready = { type: string; status: string; reason: string; message: string }
const ready = (o: KubeObject) => (o.status?.conditions as Ready[] | undefined)?.find((x) => x.type === "Ready")

test("the apply protocol: a bundle by digest is applied, re-applied without writes, pruned; bad requests get a reason", { timeout: 60_000 }, async (t) => {
  const c = await startCluster(t)
  const svc = await applyService({ kube: c.kube, nc: c.nc })
  t.after(() => svc.stop())
  const store = await ArtifactStore.open(c.nc)
  const put = async (objs: KubeObject[], rev: string) => (await store.put({ kind: "kustomization", namespace: "default", name: "apps" }, encodeBundle(objs), rev)).digest
  const send = async (req: unknown): Promise<ApplyReply> => Codecs.applyReply.decode((await c.nc.request(applySubject("hub"), new TextEncoder().encode(JSON.stringify(req)), { timeout: 30_000 })).data)
  const bundle = (digest: string, inventory?: ApplyBundle["inventory"]): ApplyBundle => ({
    op: "apply",
    owner,
    revision: "main@sha1:1",
    digest,
    ...(inventory ? { inventory } : {}),
    options: { force: false, prune: true, wait: false, healthChecks: [{ apiVersion: "v1", kind: "ConfigMap", name: "a", namespace: "apps" }], timeoutMs: 10_000 },
  })

  const first = await send(bundle(await put([ns, cm("a"), cm("b")], "r1")))
  assert.ok(first.ok, JSON.stringify(first))
  assert.deepEqual(first.result.counts, { created: 3, configured: 0, unchanged: 0, deleted: 0, skipped: 0 })
  assert.deepEqual(first.result.inventory?.entries.map((e) => e.id), ["_apps__Namespace", "apps_a__ConfigMap", "apps_b__ConfigMap"])
  assert.deepEqual(first.result.health, { ok: true, checked: 1, message: "Health check passed" })
  const cms = await c.kube.resource("v1", "ConfigMap")
  assert.ok(await c.kube.find(cms, "apps", "b"))

  const again = await send(bundle(await put([ns, cm("a"), cm("b")], "r1")))
  assert.ok(again.ok && again.result.writes === 0 && again.result.counts.unchanged === 3, JSON.stringify(again))

  const pruned = await send(bundle(await put([ns, cm("a")], "r2"), first.result.inventory))
  assert.ok(pruned.ok, JSON.stringify(pruned))
  assert.deepEqual(pruned.result.changes, [{ object: "ConfigMap/apps/b", action: "deleted" }])
  assert.equal(await c.kube.find(cms, "apps", "b"), undefined)

  // Bad input: a reason and a message, never silence.
  const garbage = await send({ op: "apply", owner })
  assert.ok(!garbage.ok && garbage.error.reason === "ReconciliationFailed" && /apply request/.test(garbage.error.message), JSON.stringify(garbage))
  const missing = await send(bundle(`sha256:${"0".repeat(64)}`))
  assert.ok(!missing.ok && missing.error.reason === "ArtifactFailed", JSON.stringify(missing))
  const invalid = await send(bundle(await put([{ ...cm("c"), data: { k: 1 } } as KubeObject], "r3")))
  assert.ok(!invalid.ok && invalid.error.reason === "ReconciliationFailed" && /ConfigMap\/apps\/c/.test(invalid.error.message), JSON.stringify(invalid))

  // Suspend answers; delete with prune removes the last inventory.
  assert.ok((await send({ op: "suspend", owner })).ok)
  const del = await send({ op: "delete", owner, prune: true, inventory: pruned.result.inventory })
  assert.ok(del.ok, JSON.stringify(del))
  await waitFor("pruned on delete", async () => (await c.kube.find(cms, "apps", "a")) === undefined, 10_000)

  // Nobody serves a cluster: the client says so instead of a bare timeout.
  await assert.rejects(new ApplyClient(c.nc, "nowhere").request({ op: "resume", owner }, 5_000), (e: unknown) => e instanceof ApplyUnavailable && /no apply service for cluster 'nowhere'/.test((e as Error).message))
})

test("kubeConfig.secretRef applies to the remote cluster only, and serviceAccountName impersonates", { timeout: 120_000 }, async (t) => {
  const c = await startServices(t)
  const remote = await startServer({ kubeconfigPath: join(tempDir(t, "moor-remote-"), "kubeconfig") })
  t.after(() => remote.close())
  await c.kube.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name: "remote-kc", namespace: "default" }, data: { value: Buffer.from(readFileSync(remote.kubeconfigPath, "utf8")).toString("base64") } },
    { fieldManager: "test" },
  )
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "remote/cm.yaml": cmYaml("remote-only", "default"), "local/cm.yaml": cmYaml("as-sa", "default") })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), { fieldManager: "test" })
  await c.kube.apply(kustomization("remote", { path: "./remote", kubeConfig: { secretRef: { name: "remote-kc" } } }), { fieldManager: "test" })
  await c.kube.apply(kustomization("as-sa", { path: "./local", serviceAccountName: "deployer" }), { fieldManager: "test" })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  for (const n of ["remote", "as-sa"])
    await waitFor(`${n} Ready`, async () => ready(await c.kube.get(kss, "default", n))?.status === "True", 30_000, 100)

  // Remote: on the target, not on the hub; drift there is corrected too.
  const cms = await c.kube.resource("v1", "ConfigMap")
  const { KubeClient } = await import("@moor/kube")
  const rk = KubeClient.fromFile(remote.kubeconfigPath)
  t.after(() => rk.close())
  const rcms = await rk.resource("v1", "ConfigMap")
  assert.ok(await rk.find(rcms, "default", "remote-only"))
  assert.equal(await c.kube.find(cms, "default", "remote-only"), undefined, "nothing of the remote Kustomization on the hub")
  assert.equal(await rk.find(rcms, "default", "as-sa"), undefined)
  await rk.patch(rcms, "default", "remote-only", "merge", { data: { k: "edited" } })
  await waitFor("remote drift reverted", async () => ((await rk.get(rcms, "default", "remote-only")).data as Record<string, string>).k === "v", 10_000, 50)

  // serviceAccountName: every request for its objects impersonates the service account.
  assert.ok(await c.kube.find(cms, "default", "as-sa"))
  const writes = c.server!.audit().filter((a) => a.path.includes("/configmaps/as-sa") && a.method === "PATCH")
  assert.ok(writes.length > 0)
  for (const w of writes) assert.equal(w.impersonatedUser, "system:serviceaccount:default:deployer", `${w.method} ${w.path}`)
})

test("serviceAccountName on a real kube-apiserver with RBAC: denied is Ready=False with the server's message, allowed applies", { timeout: 240_000, skip: kubeRealBinaries() ? false : "kube-real binaries not built (../shared/tools/kube-real/build.sh)" }, async (t) => {
  const { jsonLog } = await import("@moor/actors")
  const c = await startServices(t, process.env.DEBUG_LOG ? { log: jsonLog("t", "debug") } : {})
  const kr = await startKubeReal({ controllerManager: false })
  t.after(() => kr.stop())
  await c.kube.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name: "real-kc", namespace: "default" }, data: { "value.yaml": Buffer.from(readFileSync(kr.kubeconfig, "utf8")).toString("base64") } },
    { fieldManager: "test" },
  )
  const root = tempDir(t)
  makeRepo(root, "fleet", { "apps/cm.yaml": cmYaml("rbac", "default") })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), { fieldManager: "test" })
  await c.kube.apply(kustomization("real", { retryInterval: "2s", path: "./apps", serviceAccountName: "deployer", kubeConfig: { secretRef: { name: "real-kc" } } }), { fieldManager: "test" })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const denied = await waitFor("denied", async () => {
    const r = ready(await c.kube.get(kss, "default", "real"))
    return r?.status === "False" && r.reason === "ReconciliationFailed" ? r : undefined
  }, 60_000, 200)
  assert.match(denied.message, /system:serviceaccount:default:deployer.*forbidden|forbidden.*system:serviceaccount:default:deployer/s)

  // Granted what an apply needs in its namespace: the next retry applies.
  const { KubeClient } = await import("@moor/kube")
  const admin = KubeClient.fromFile(kr.kubeconfig)
  t.after(() => admin.close())
  await admin.apply({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "deployer", namespace: "default" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create", "patch", "update", "delete"] }] }, { fieldManager: "test" })
  await admin.apply(
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "deployer", namespace: "default" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployer" }, subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "default" }] },
    { fieldManager: "test" },
  )
  let last: Ready | undefined
  await waitFor("applied once allowed", async () => (last = ready(await c.kube.get(kss, "default", "real")))?.status === "True", 60_000, 200).catch((e: Error) => {
    throw new Error(`${e.message}; Ready: ${JSON.stringify(last)}`)
  })
  assert.ok(await admin.find(await admin.resource("v1", "ConfigMap"), "default", "rbac"))
})
