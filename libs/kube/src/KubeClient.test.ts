// KubeClient, Informer and KubeCatalog against a real API server: the same
// code the services run. The real kube-apiserver is used when built; the
// embedded one joins this table when it exists.
import { test } from "node:test"
import assert from "node:assert/strict"
import { kubeRealBinaries, startKubeReal, waitFor } from "@moor/testing"
import { FLUX_FINALIZER, KubeCatalog } from "./KubeCatalog.ts"
import { KubeClient, KubeError, type KubeObject } from "./KubeClient.ts"

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.moor.dev" },
  spec: {
    group: "example.moor.dev",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", properties: { size: { type: "integer" } } },
              status: { type: "object", properties: { observedGeneration: { type: "integer" }, note: { type: "string" } } },
            },
          },
        },
      },
    ],
  },
}

test("client, informer and catalog against the real kube-apiserver", { skip: kubeRealBinaries() ? false : "kube-real is not built (../shared/tools/kube-real/build.sh)", timeout: 180_000 }, async (t) => {
  const real = await startKubeReal({ controllerManager: false })
  t.after(() => real.stop())
  const kube = KubeClient.fromFile(real.kubeconfig)
  t.after(() => kube.close())

  const crds = await kube.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition")
  await kube.apply(crd as KubeObject, { fieldManager: "moor-test" })
  const widgets = await waitFor("the CRD to be served", () => kube.resource("example.moor.dev/v1", "Widget").catch(() => undefined), 30_000, 200)
  assert.deepEqual(widgets, { apiVersion: "example.moor.dev/v1", plural: "widgets", namespaced: true, kind: "Widget" })
  assert.equal((await kube.get(crds, undefined, "widgets.example.moor.dev")).metadata.name, "widgets.example.moor.dev")

  // The catalog delivers existing objects, then changes, with generations.
  const seen: { name: string; generation: number }[] = []
  const removed: string[] = []
  const orphaned: string[] = []
  const lasts: KubeObject[] = []
  const mk = (name: string, size: unknown) => ({ apiVersion: "example.moor.dev/v1", kind: "Widget", metadata: { name, namespace: "default" }, spec: { size } })
  await waitFor("the first apply", () => kube.apply(mk("one", 1) as KubeObject, { fieldManager: "moor-test" }).catch(() => undefined), 20_000, 200)
  const catalog = new KubeCatalog(kube, new Map([["widget", widgets]]))
  const stop = await catalog.watch("widget", {
    upsert: (e) => seen.push({ name: e.key.name, generation: e.generation }),
    remove: (k, last, o) => {
      removed.push(k.name)
      if (o?.orphan) orphaned.push(k.name)
      if (last !== undefined) lasts.push(last as KubeObject)
      return Promise.resolve(true)
    },
  })
  t.after(stop)
  // (then again when the catalog's finalizer lands: same generation)
  assert.deepEqual(seen[0], { name: "one", generation: 1 })
  // moor puts Flux's finalizer on the objects it watches
  await waitFor("the finalizer on one", async () => (await kube.get(widgets, "default", "one")).metadata.finalizers?.includes(FLUX_FINALIZER), 20_000, 100)
  assert.ok(seen.every((s) => s.name === "one" && s.generation === 1))
  await kube.apply(mk("one", 2) as KubeObject, { fieldManager: "moor-test" })
  await kube.apply(mk("two", 5) as KubeObject, { fieldManager: "moor-test" })
  await waitFor("the watch events", () => seen.some((s) => s.name === "one" && s.generation === 2) && seen.some((s) => s.name === "two"))

  // Status goes through the status subresource and does not bump generation.
  const st = await kube.patchStatus(widgets, "default", "one", { observedGeneration: 2, note: "ready" })
  assert.equal(st.status.note, "ready")
  assert.equal(st.metadata.generation, 2)

  // Errors carry the Status reason.
  await assert.rejects(kube.get(widgets, "default", "nope"), (e: unknown) => e instanceof KubeError && e.code === 404 && e.reason === "NotFound")
  // A wrong type under server-side apply: current Kubernetes answers 400 BadRequest
  // ("failed to create typed patch object"), 1.20 answers 500 with the same
  // message; either way the message names the field and nothing is written.
  await assert.rejects(
    kube.apply(mk("bad", "not a number") as KubeObject, { fieldManager: "moor-test", dryRun: true }),
    (e: unknown) => e instanceof KubeError && e.code >= 400 && /\.spec\.size: expected numeric/.test(e.message),
  )
  await assert.rejects(
    kube.create(widgets, mk("bad", "not a number") as KubeObject),
    (e: unknown) => e instanceof KubeError && e.code === 422 && e.reason === "Invalid" && /spec\.size/.test(e.message),
  )
  assert.equal(await kube.find(widgets, "default", "bad"), undefined, "a failed dry-run writes nothing")

  // An apply whose answer is not wanted: nothing back on success, the same error on failure.
  await assert.rejects(
    kube.applied(mk("bad", "not a number") as KubeObject, { fieldManager: "moor-test", dryRun: true }),
    (e: unknown) => e instanceof KubeError && e.code >= 400 && /\.spec\.size: expected numeric/.test(e.message),
  )
  const three = { ...mk("three", 3), metadata: { name: "three", namespace: "default", labels: { tier: "a" } } }
  assert.equal(await kube.applied(three as KubeObject, { fieldManager: "moor-test" }), undefined)
  assert.equal((await kube.get(widgets, "default", "three")).spec.size, 3)
  // Query values are encoded (a set-based selector has spaces, parentheses and commas).
  const picked = await kube.list(widgets, "default", { labelSelector: "tier in (x,y), !other" })
  assert.deepEqual(picked.items.map((o) => o.metadata.name), [])
  await kube.applied({ ...three, metadata: { ...three.metadata, labels: { tier: "y" } } } as KubeObject, { fieldManager: "moor-test" })
  assert.deepEqual((await kube.list(widgets, "default", { labelSelector: "tier in (x,y), !other" })).items.map((o) => o.metadata.name), ["three"])

  await kube.delete(widgets, "default", "two")
  await waitFor("the delete", () => removed.includes("two"))

  // An object from a Flux install carries Flux's finalizer: on delete it is released once (with its
  // last state), then the finalizer is removed and the delete completes; another finalizer is kept.
  const withFinalizers = (name: string, finalizers: string[]) => ({ ...mk(name, 1), metadata: { ...mk(name, 1).metadata, finalizers } }) as KubeObject
  await kube.apply(withFinalizers("flux", [FLUX_FINALIZER]), { fieldManager: "moor-test" })
  await kube.apply(withFinalizers("both", [FLUX_FINALIZER, "example.moor.dev/keep"]), { fieldManager: "moor-test" })
  await waitFor("the watch events", () => seen.some((s) => s.name === "flux") && seen.some((s) => s.name === "both"))
  const upserts = () => seen.filter((s) => s.name === "both").length
  await kube.delete(widgets, "default", "flux")
  await waitFor("the Flux finalizer removed and the object gone", async () => (await kube.find(widgets, "default", "flux")) === undefined, 20_000, 100)
  assert.deepEqual(removed.filter((n) => n === "flux"), ["flux"], "released once")
  assert.ok(lasts.some((o) => o.metadata.name === "flux" && o.metadata.deletionTimestamp), "released with its last state")
  const before = upserts()
  await kube.delete(widgets, "default", "both")
  const both = await waitFor("only Flux's finalizer removed", async () => {
    const o = await kube.find(widgets, "default", "both")
    return o && !(o.metadata.finalizers ?? []).includes(FLUX_FINALIZER) ? o : undefined
  }, 20_000, 100)
  assert.deepEqual(both.metadata.finalizers, ["example.moor.dev/keep"])
  assert.equal(upserts(), before, "an object being deleted is not handed back to its actor")
  await kube.patch(widgets, "default", "both", "merge", { metadata: { finalizers: null } })
  await waitFor("the other finalizer's delete", async () => (await kube.find(widgets, "default", "both")) === undefined, 20_000, 100)
  await new Promise((r) => setTimeout(r, 200))
  assert.deepEqual(removed.filter((n) => n === "both"), ["both"], "released once, not again when it is gone")
  // An object with another controller's finalizer gets Flux's beside it; taken off again by hand and
  // then deleted, the object is orphaned (released without cleanup) and the finalizer is not put back.
  await kube.apply(withFinalizers("other", ["example.moor.dev/keep"]), { fieldManager: "moor-test" })
  const other = await waitFor("Flux's finalizer beside the other", async () => {
    const o = await kube.get(widgets, "default", "other")
    return o.metadata.finalizers?.includes(FLUX_FINALIZER) ? o : undefined
  }, 20_000, 100)
  assert.deepEqual(other.metadata.finalizers, ["example.moor.dev/keep", FLUX_FINALIZER])
  await kube.patch(widgets, "default", "other", "merge", { metadata: { finalizers: null } })
  await new Promise((r) => setTimeout(r, 500))
  assert.equal((await kube.get(widgets, "default", "other")).metadata.finalizers, undefined, "not put back")
  await kube.delete(widgets, "default", "other")
  await waitFor("the orphaned delete", () => removed.includes("other"), 20_000, 50)
  assert.deepEqual(orphaned, ["other"], "only the object whose finalizer was taken off is orphaned")

  // Deleted before the watch starts (moor was down): the first list releases it and the delete completes.
  await kube.apply(withFinalizers("early", [FLUX_FINALIZER]), { fieldManager: "moor-test" })
  stop()
  await kube.delete(widgets, "default", "early")
  assert.ok((await kube.get(widgets, "default", "early")).metadata.deletionTimestamp, "held by the finalizer while nothing watches")
  const stop2 = await catalog.watch("widget", { upsert: () => undefined, remove: (k) => (removed.push(k.name), Promise.resolve(true)) })
  t.after(stop2)
  await waitFor("the terminating object released at start", async () => (await kube.find(widgets, "default", "early")) === undefined, 20_000, 100)
  assert.deepEqual(removed.filter((n) => n === "early"), ["early"])
})
