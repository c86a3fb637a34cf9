// `moor uninstall`, as `flux uninstall`: components, finalizers, CRDs, namespace, while moor's
// services still run (the worst case: one that saw the Kustomization deleted could prune). What
// the Kustomization applied stays. On both servers.
import { test, type TestContext } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { join } from "node:path"
import { FLUX_FINALIZER, type KubeObject } from "@moor/kube"
import { kubeRealBinaries, startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, repoRoot, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "../kustomize/services.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
const moor = (args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    c.stdout.on("data", (d) => (out += d))
    c.stderr.on("data", (d) => (err += d))
    c.on("exit", (code) => resolve({ code, out, err }))
  })

const partOf = { "app.kubernetes.io/part-of": "moor" }

const scenario = async (t: TestContext, cluster: "embedded" | "real") => {
  const c = await startServices(t, { cluster })
  const root = tempDir(t)
  makeRepo(root, "fleet", { "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: workload\n  namespace: default\ndata:\n  key: value\n" })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  const fm = { fieldManager: "test" }
  // An install's namespace and components (labelled), and an object of someone else's beside them.
  await c.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system", labels: partOf } }, fm)
  await c.kube.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "moor-kustomize", namespace: "flux-system", labels: partOf } }, fm)
  await c.kube.apply({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "moor-test-role", labels: partOf }, rules: [] }, fm)
  await c.kube.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "someone-else", namespace: "default" } }, fm)
  await c.kube.apply(kustomization("apps", { path: "./apps" }), fm)
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), fm)
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const gits = await c.kube.resource("source.toolkit.fluxcd.io/v1", "GitRepository")
  const crds = await c.kube.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition")
  const cms = await c.kube.resource("v1", "ConfigMap")
  const sas = await c.kube.resource("v1", "ServiceAccount")
  const roles = await c.kube.resource("rbac.authorization.k8s.io/v1", "ClusterRole")
  const nss = await c.kube.resource("v1", "Namespace")
  const hasFinalizer = async (r: typeof kss, name: string) => ((await c.kube.find(r, "default", name))?.metadata.finalizers ?? []).includes(FLUX_FINALIZER)
  await waitFor("apps Ready with moor's finalizer", async () => {
    const k = await c.kube.find(kss, "default", "apps")
    return (k?.status?.conditions as { type: string; status: string }[] | undefined)?.some((x) => x.type === "Ready" && x.status === "True") && (await hasFinalizer(kss, "apps"))
  }, 60_000, 100)
  await waitFor("the GitRepository's finalizer", () => hasFinalizer(gits, "fleet"), 10_000, 100)
  const kc = ["--kubeconfig", c.kubeconfig]

  // Without a terminal it asks for --silent, and changes nothing.
  let r = await moor(["uninstall", ...kc])
  assert.equal(r.code, 2, r.err)
  assert.match(r.err, /pass --silent/)
  // --dry-run lists what would go, and changes nothing.
  r = await moor(["uninstall", "--dry-run", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, /\(dry run\) ServiceAccount\/flux-system\/moor-kustomize deleted/)
  assert.match(r.err, /\(dry run\) ClusterRole\/moor-test-role deleted/)
  assert.match(r.err, /\(dry run\) Kustomization\/default\/apps finalizer removed/)
  assert.match(r.err, /\(dry run\) CustomResourceDefinition\/kustomizations\.kustomize\.toolkit\.fluxcd\.io deleted/)
  assert.match(r.err, /\(dry run\) Namespace\/flux-system deleted/)
  assert.ok(await hasFinalizer(kss, "apps"), "dry run: the finalizer stays")
  assert.ok(await c.kube.find(sas, "flux-system", "moor-kustomize"), "dry run: the component stays")

  r = await moor(["uninstall", "--silent", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, /uninstall finished/)
  for (const crd of ["kustomizations.kustomize.toolkit.fluxcd.io", "gitrepositories.source.toolkit.fluxcd.io"]) assert.equal(await c.kube.find(crds, undefined, crd), undefined, `${crd} deleted`)
  assert.equal(await c.kube.find(sas, "flux-system", "moor-kustomize"), undefined)
  assert.equal(await c.kube.find(roles, undefined, "moor-test-role"), undefined)
  assert.ok(await c.kube.find(sas, "default", "someone-else"), "an unlabelled object stays")
  const ns = await c.kube.find<KubeObject>(nss, undefined, "flux-system")
  assert.ok(ns === undefined || ns.metadata.deletionTimestamp, "the namespace is deleted (or terminating)")
  // The running services saw the Kustomization go without its finalizer: orphaned, nothing pruned.
  await new Promise((res) => setTimeout(res, 2_000))
  assert.equal(((await c.kube.find(cms, "default", "workload"))?.data as Record<string, string> | undefined)?.key, "value", "what the Kustomization applied stays")
}

test("moor uninstall on the embedded API server", { timeout: 120_000 }, (t) => scenario(t, "embedded"))

test("moor uninstall on the real kube-apiserver 1.20", { skip: kubeRealBinaries() ? false : "kube-real is not built (../shared/tools/kube-real/build.sh)", timeout: 180_000 }, (t) => scenario(t, "real"))
