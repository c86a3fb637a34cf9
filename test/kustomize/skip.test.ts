// The skip rule: a new source revision that changes no file the build reads
// (nor the listing of a directory it reads) is recorded as applied with no
// rebuild, no bundle and no write to the cluster; a change inside spec.path,
// or a file added there, is built and applied as usual.
import { test } from "node:test"
import assert from "node:assert/strict"
import type { KubeObject } from "@moor/kube"
import { startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, tempDir } from "../harness.ts"
import { gitRepository, kustomization, startServices } from "./services.ts"

const cm = (name: string, v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  k: ${v}\n`
const ready = (o: KubeObject) => (o.status?.conditions as { type: string; status: string; message: string }[] | undefined)?.find((x) => x.type === "Ready")

test("a commit outside spec.path is recorded as applied without a rebuild or a write; one inside is applied", { timeout: 90_000 }, async (t) => {
  const c = await startServices(t)
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "apps/cm.yaml": cm("one", "a"), "docs/readme.yaml": "note: outside the path\n" })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  await c.kube.apply(gitRepository(daemon.url("fleet.git")), { fieldManager: "test" })
  await c.kube.apply(kustomization("apps", { path: "./apps" }), { fieldManager: "test" })
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  const cms = await c.kube.resource("v1", "ConfigMap")
  const until = (what: string, pred: (o: KubeObject) => boolean) =>
    waitFor(what, async () => {
      const o = await c.kube.get(kss, "default", "apps")
      return pred(o) ? o : undefined
    }, 30_000, 100)
  await until("Ready", (o) => ready(o)?.status === "True" && o.status?.lastAppliedRevision === `master@sha1:${repo.first}`)
  const rv = (await c.kube.get(cms, "default", "one")).metadata.resourceVersion

  // Outside spec.path: no bundle is sent, nothing but the two sources' statuses is written.
  const applies: string[] = []
  const sub = c.nc.subscribe("moor.apply.hub", { callback: (_e, m) => void applies.push(m.subject) })
  t.after(() => sub.unsubscribe())
  await c.nc.flush()
  const mark = c.server!.audit().length
  const second = repo.commit({ "docs/readme.yaml": "note: changed, still outside\n", "docs/more.yaml": "x: 1\n" })
  let o = await until("outside commit recorded", (o) => o.status?.lastAppliedRevision === `master@sha1:${second}`)
  assert.equal(o.status.lastAttemptedRevision, `master@sha1:${second}`)
  assert.equal(ready(o)?.status, "True")
  assert.match(ready(o)!.message, new RegExp(`Applied revision: master@sha1:${second} \\(no change in the files the build reads`))
  const writes = c.server!
    .audit()
    .slice(mark)
    .filter((a) => a.method !== "GET" && !/\/(kustomizations|gitrepositories)\//.test(a.path))
  assert.deepEqual(writes.map((a) => `${a.method} ${a.path}`), [], "no write to the cluster's objects")
  assert.deepEqual(applies, [], "no bundle sent to the apply actor")
  assert.equal((await c.kube.get(cms, "default", "one")).metadata.resourceVersion, rv)

  // A file added in spec.path changes the directory the build lists: built and applied.
  const third = repo.commit({ "apps/cm2.yaml": cm("two", "b") })
  await until("added file applied", (o) => o.status?.lastAppliedRevision === `master@sha1:${third}`)
  assert.ok(await c.kube.find(cms, "default", "two"))
  // A changed file in spec.path: applied.
  const fourth = repo.commit({ "apps/cm.yaml": cm("one", "changed") })
  o = await until("changed file applied", (o) => o.status?.lastAppliedRevision === `master@sha1:${fourth}`)
  assert.equal(((await c.kube.get(cms, "default", "one")).data as Record<string, string>).k, "changed")
  assert.equal(ready(o)!.message, `Applied revision: master@sha1:${fourth}`)
})
