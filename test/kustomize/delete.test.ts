// Deleting a Kustomization with prune deletes what it applied, end to end (git daemon, source and
// kustomize services, API server), on both servers. moor puts Flux's finalizer on what it
// reconciles (one Kustomization here carries it from the start, as an object made by a Flux install
// does): moor prunes, then removes the finalizer, and the delete completes instead of hanging in
// Terminating; one deleted while moor is down is pruned when moor is back. A Kustomization whose
// finalizer is taken off before the delete is orphaned, as in Flux: its objects stay and are no
// longer corrected.
import { test, type TestContext } from "node:test"
import assert from "node:assert/strict"
import { dropFinalizer, FLUX_FINALIZER, type KubeObject } from "@moor/kube"
import { kubeRealBinaries, startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "./services.ts"

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  key: value\n`
const ready = (o: KubeObject | undefined) => (o?.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === "Ready" && c.status === "True") === true

const scenario = async (t: TestContext, cluster: "embedded" | "real") => {
  const c = await startServices(t, { cluster })
  const root = tempDir(t)
  makeRepo(root, "fleet", { "plain/cm.yaml": configMap("from-plain"), "flux/cm.yaml": configMap("from-flux"), "kept/cm.yaml": configMap("from-kept"), "orphan/cm.yaml": configMap("from-orphan"), "down/cm.yaml": configMap("from-down") })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  const withFinalizer = (k: KubeObject): KubeObject => ({ ...k, metadata: { ...k.metadata, finalizers: [FLUX_FINALIZER] } })
  await c.kube.apply(kustomization("plain", { path: "./plain" }), { fieldManager: "test" })
  await c.kube.apply(withFinalizer(kustomization("flux", { path: "./flux" })), { fieldManager: "test" })
  await c.kube.apply(withFinalizer(kustomization("kept", { path: "./kept", prune: false })), { fieldManager: "test" })
  await c.kube.apply(kustomization("orphan", { path: "./orphan" }), { fieldManager: "test" })
  await c.kube.apply(kustomization("down", { path: "./down" }), { fieldManager: "test" })
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), { fieldManager: "test" })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const cms = await c.kube.resource("v1", "ConfigMap")
  for (const name of ["plain", "flux", "kept", "orphan", "down"]) await waitFor(`${name} Ready`, async () => ready(await c.kube.find(kss, "default", name)), 60_000, 100)
  for (const name of ["from-plain", "from-flux", "from-kept", "from-orphan", "from-down"]) assert.ok(await c.kube.find(cms, "default", name), name)
  // moor put the finalizer on the ones created without it, as Flux's controllers do
  for (const name of ["plain", "orphan", "down"]) {
    const k = await waitFor(`${name}'s finalizer`, async () => {
      const o = await c.kube.find(kss, "default", name)
      return o?.metadata.finalizers?.includes(FLUX_FINALIZER) ? o : undefined
    }, 10_000, 100)
    assert.deepEqual(k.metadata.finalizers, [FLUX_FINALIZER])
  }

  // prune: true, finalizer added by moor: its ConfigMap goes, then the Kustomization.
  await c.kube.delete(kss, "default", "plain")
  await waitFor("from-plain pruned", async () => (await c.kube.find(cms, "default", "from-plain")) === undefined, 20_000, 100)
  // prune: true with Flux's finalizer: pruned first, then the finalizer removed and the delete done.
  await c.kube.delete(kss, "default", "flux")
  await waitFor("flux gone", async () => (await c.kube.find(kss, "default", "flux")) === undefined, 20_000, 100)
  assert.equal(await c.kube.find(cms, "default", "from-flux"), undefined, "pruned before the finalizer went")
  // prune: false with Flux's finalizer: the delete completes and the ConfigMap stays.
  await c.kube.delete(kss, "default", "kept")
  await waitFor("kept gone", async () => (await c.kube.find(kss, "default", "kept")) === undefined, 20_000, 100)
  assert.ok(await c.kube.find(cms, "default", "from-kept"), "prune: false leaves the objects")
  // The finalizer taken off first, then deleted: gone at once, nothing pruned, not added back.
  await dropFinalizer(c.kube, kss, (await c.kube.find(kss, "default", "orphan"))!)
  await new Promise((r) => setTimeout(r, 500))
  assert.deepEqual((await c.kube.find(kss, "default", "orphan"))?.metadata.finalizers ?? [], [], "moor did not put it back")
  await c.kube.delete(kss, "default", "orphan")
  await waitFor("orphan gone", async () => (await c.kube.find(kss, "default", "orphan")) === undefined, 20_000, 100)
  // and no longer corrected: a change to its ConfigMap stays (drift is reverted within ~2 s otherwise)
  await new Promise((r) => setTimeout(r, 1_000))
  await c.kube.patch(cms, "default", "from-orphan", "merge", { data: { key: "changed by hand" } })
  await new Promise((r) => setTimeout(r, 3_000))
  const orphaned = await c.kube.find(cms, "default", "from-orphan")
  // Deleted while moor is down: the finalizer holds it, and moor prunes when it is back.
  await c.services.stop()
  await c.kube.delete(kss, "default", "down")
  await new Promise((r) => setTimeout(r, 1_000))
  assert.ok((await c.kube.find(kss, "default", "down"))?.metadata.deletionTimestamp, "held by the finalizer while moor is down")
  assert.ok(await c.kube.find(cms, "default", "from-down"), "nothing pruned while moor is down")
  await c.services.start()
  await waitFor("down gone", async () => (await c.kube.find(kss, "default", "down")) === undefined, 60_000, 100)
  assert.equal(await c.kube.find(cms, "default", "from-down"), undefined, "pruned once moor was back")
  assert.equal((orphaned?.data as Record<string, string> | undefined)?.key, "changed by hand", "orphaned objects stay, uncorrected")
}

test("deleting Kustomizations (with and without Flux's finalizer) on the embedded API server", { timeout: 120_000 }, (t) => scenario(t, "embedded"))

test("deleting Kustomizations (with and without Flux's finalizer) on the real kube-apiserver 1.20", { skip: kubeRealBinaries() ? false : "kube-real is not built (../shared/tools/kube-real/build.sh)", timeout: 180_000 }, (t) => scenario(t, "real"))
