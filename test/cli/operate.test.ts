// Operating moor with its CLI, as with Flux's: create, get, reconcile,
// suspend, resume, export and events against a cluster that moor reconciles.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { join } from "node:path"
import { parse, parseAllDocuments } from "yaml"
import { ActorHost, NatsTransport, ensureJetStream, silentLog } from "@moor/actors"
import { sourceService } from "@moor/source"
import { startGitDaemon } from "@moor/testing"
import { makeRepo, repoRoot, startCluster, tempDir } from "../harness.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
/** Runs moor asynchronously (the actors in this process must keep running meanwhile). */
const moorAsync = (args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: "1" } })
    let out = ""
    let err = ""
    c.stdout.on("data", (d) => (out += d))
    c.stderr.on("data", (d) => (err += d))
    c.on("exit", (code) => resolve({ code, out, err }))
  })

test("create, get, reconcile, suspend, resume, export and events", { timeout: 120_000 }, async (t) => {
  const c = await startCluster(t)
  const { leases } = await ensureJetStream(c.nc)
  const { behaviors, catalog } = await sourceService({ kube: c.kube, nc: c.nc, cacheRoot: tempDir(t), log: silentLog })
  const host = new ActorHost({ service: "source", transport: new NatsTransport(c.nc), leases, catalog, behaviors })
  await host.start()
  t.after(() => host.stop())
  await c.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } }, { fieldManager: "test" })
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "apps/a.yaml": "a: 1\n" })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  const kc = ["--kubeconfig", c.kubeconfig]

  // create --export prints what a repository would hold, touching nothing.
  let r = await moorAsync(["create", "source", "git", "fleet", "--url", daemon.url("fleet.git"), "--branch", "master", "--interval", "1h", "--export"])
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(parse(r.out.replace(/^---\n/, "")), {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "fleet", namespace: "flux-system" },
    spec: { url: daemon.url("fleet.git"), interval: "1h", ref: { branch: "master" } },
  })
  // create applies and waits for Ready.
  r = await moorAsync(["create", "source", "git", "fleet", "--url", daemon.url("fleet.git"), "--branch", "master", "--interval", "1h", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, new RegExp(`fetched revision: master@sha1:${repo.first}`))

  // get: Flux's columns.
  r = await moorAsync(["get", "sources", "git", ...kc])
  assert.equal(r.code, 0, r.err)
  const [head, line] = r.out.trim().split("\n")
  assert.deepEqual(head!.split(/\s+/), ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"])
  assert.match(line!, new RegExp(`^fleet\\s+master@sha1:${repo.first}\\s+False\\s+True\\s+stored artifact`))
  r = await moorAsync(["get", "sources", "git", "-A", "-o", "json", ...kc])
  assert.equal(JSON.parse(r.out).items[0].status.artifact.revision, `master@sha1:${repo.first}`)

  // reconcile: a new commit is fetched now (the interval is an hour).
  const second = repo.commit({ "apps/a.yaml": "a: 2\n" })
  r = await moorAsync(["reconcile", "source", "git", "fleet", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, new RegExp(`fetched revision master@sha1:${second}`))

  // suspend: spec.suspend, shown by get; reconcile refuses; resume clears it.
  r = await moorAsync(["suspend", "source", "git", "fleet", ...kc])
  assert.equal(r.code, 0, r.err)
  r = await moorAsync(["get", "sources", "git", "fleet", ...kc])
  assert.match(r.out, /fleet\s+\S+\s+True\s+True/)
  r = await moorAsync(["reconcile", "source", "git", "fleet", ...kc])
  assert.equal(r.code, 1)
  assert.match(r.err, /is suspended/)
  const third = repo.commit({ "apps/a.yaml": "a: 3\n" })
  r = await moorAsync(["resume", "source", "git", "fleet", ...kc])
  assert.equal(r.code, 0, r.err)
  r = await moorAsync(["reconcile", "source", "git", "fleet", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, new RegExp(`master@sha1:${third}`))

  // export: no status, no server fields, no request annotation.
  r = await moorAsync(["export", "source", "git", "--all", ...kc])
  const docs = parseAllDocuments(r.out).map((d) => d.toJS()) as { spec: { url: string; suspend?: boolean } }[]
  assert.equal(docs.length, 1)
  assert.deepEqual(docs[0], { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "fleet", namespace: "flux-system" }, spec: docs[0]!.spec })
  assert.equal(docs[0]!.spec.url, daemon.url("fleet.git"))
  assert.equal(docs[0]!.spec.suspend, undefined, "resume removed spec.suspend")

  // events: history from JetStream.
  r = await moorAsync(["events", "--for", "GitRepository/fleet", "--nats", c.nats.url])
  assert.equal(r.code, 0, r.err)
  assert.equal(r.out.match(/Normal\s+ArtifactUpdated\s+GitRepository\/fleet/g)?.length, 3, r.out)

  // Bad input: one line and a hint, non-zero exit.
  r = await moorAsync(["reconcile", "source", "git", "nope", ...kc])
  assert.equal(r.code, 1)
  assert.match(r.err, /GitRepository flux-system\/nope not found/)
  r = await moorAsync(["get", "sources", "git", "--kubeconfig", "/nonexistent"])
  assert.equal(r.code, 1)
  assert.match(r.err, /kubeconfig \/nonexistent does not exist\n  pass --kubeconfig/)
})
