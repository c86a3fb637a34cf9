// The Kustomization side of the CLI against a cluster that moor reconciles:
// create kustomization, build, diff (exit codes, masked secrets, prune), tree
// of nested Kustomizations, and check.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { cpSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parse, parseAllDocuments } from "yaml"
import { startGitDaemon, waitFor } from "@moor/testing"
import { makeRepo, repoRoot, tempDir } from "../harness.ts"
import { startServices } from "../kustomize/services.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
const moorAsync = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: "1", ...env } })
    let out = ""
    let err = ""
    c.stdout.on("data", (d) => (out += d))
    c.stderr.on("data", (d) => (err += d))
    c.on("exit", (code) => resolve({ code, out, err }))
  })

const SECRET = "s3cr3t-value"
const cm = (name: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"\n`).join("")}`
const secret = (password: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: ${password}\n`
const appsKs = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  targetNamespace: default
  sourceRef:
    kind: GitRepository
    name: fleet
  postBuild:
    substitute:
      greeting: hello
`

test("create kustomization, build, diff, tree and check on a reconciled cluster", { timeout: 600_000 }, async (t) => {
  const c = await startServices(t)
  await c.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } }, { fieldManager: "test" })
  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", {
    "clusters/apps.yaml": appsKs,
    "apps/settings.yaml": cm("settings", { greeting: "${greeting}", mode: "a" }),
    "apps/old.yaml": cm("old", { k: "v" }),
    "apps/secret.yaml": secret(SECRET),
  })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())
  const kc = ["--kubeconfig", c.kubeconfig]

  // create kustomization --export: Flux's object, nothing applied.
  let r = await moorAsync(["create", "kustomization", "fleet", "--source", "GitRepository/fleet", "--path", "./clusters", "--prune", "--interval", "10m",
    "--depends-on", "infra,other/base", "--health-check", "Deployment/web.default", "--target-namespace", "default", "--export"])
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(parse(r.out.replace(/^---\n/, "")), {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "fleet", namespace: "flux-system" },
    spec: {
      interval: "10m",
      path: "./clusters",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "fleet" },
      dependsOn: [{ name: "infra" }, { name: "base", namespace: "other" }],
      targetNamespace: "default",
      healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "default" }],
    },
  })
  r = await moorAsync(["create", "kustomization", "fleet", "--source", "GitRepository/fleet", "--health-check", "web", "--export"])
  assert.equal(r.code, 2)
  assert.match(r.err, /^✗ --health-check web: use Kind\/name\.namespace/)
  r = await moorAsync(["create", "kustomization", "fleet", "--path", "./x", "--export"])
  assert.equal(r.code, 2)
  assert.match(r.err, /--source is required/)
  r = await moorAsync(["create", "kustomization", "fleet", "--source", "fleet", "--url", "http://x", "--export"])
  assert.equal(r.code, 2)
  assert.match(r.err, /--url is not a flag of moor create kustomization/)

  // The real thing: a source, then a Kustomization that applies another one (apps).
  r = await moorAsync(["create", "source", "git", "fleet", "--url", daemon.url("fleet.git"), "--branch", "master", "--interval", "1h", "--timeout", "5m", ...kc])
  assert.equal(r.code, 0, r.err)
  r = await moorAsync(["create", "kustomization", "fleet", "--source", "GitRepository/fleet", "--path", "./clusters", "--prune", "--interval", "10m", "--timeout", "5m", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, new RegExp(`Kustomization created[\\s\\S]*applied revision master@sha1:${repo.first}`))
  const cms = await c.kube.resource("v1", "ConfigMap")
  const settings = await waitFor("apps to apply settings", () => c.kube.find(cms, "default", "settings"), 120_000)
  assert.equal((settings.data as Record<string, string>).greeting, "hello")
  const kss = await c.kube.resource("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
  await waitFor("apps Ready with an inventory", async () => (await c.kube.get(kss, "flux-system", "apps")).status?.inventory?.entries?.length === 3, 120_000)

  // build: what apps applies from a directory: targetNamespace, substitution, Secret masked.
  const local = join(tempDir(t), "apps")
  cpSync(join(repo.work, "apps"), local, { recursive: true })
  r = await moorAsync(["build", "kustomization", "apps", "--path", local, ...kc])
  assert.equal(r.code, 0, r.err)
  const built = parseAllDocuments(r.out).map((d) => d.toJS())
  assert.deepEqual(built.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort(), ["ConfigMap/default/old", "ConfigMap/default/settings", "Secret/default/creds"])
  assert.equal(built.find((o) => o.metadata.name === "settings").data.greeting, "hello")
  assert.equal(built.find((o) => o.kind === "Secret").stringData.password, "*****")
  assert.ok(!r.out.includes(SECRET))
  r = await moorAsync(["build", "kustomization", "apps", "--path", local, "--show-secrets", ...kc])
  assert.ok(r.out.includes(SECRET))
  // --kustomization-file: a local Kustomization, no cluster needed (none reachable here).
  const ksFile = join(tempDir(t), "apps-ks.yaml")
  writeFileSync(ksFile, appsKs.replace("targetNamespace: default", "targetNamespace: staging"))
  r = await moorAsync(["build", "kustomization", "apps", "--path", local, "--kustomization-file", ksFile, "--kubeconfig", join(local, "no-kubeconfig")])
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(parseAllDocuments(r.out).map((d) => d.toJS().metadata.namespace), ["staging", "staging", "staging"])

  // diff: the same directory makes no difference (exit 0).
  r = await moorAsync(["diff", "kustomization", "apps", "--path", local, ...kc])
  assert.equal(r.code, 0, r.out + r.err)
  assert.equal(r.out, "")

  // A local change: a drifted field, a new object, a removed one (pruned), a changed Secret.
  writeFileSync(join(local, "settings.yaml"), cm("settings", { greeting: "${greeting}", mode: "b" }))
  writeFileSync(join(local, "new.yaml"), cm("new", { k: "v" }))
  writeFileSync(join(local, "secret.yaml"), secret("other-value"))
  rmSync(join(local, "old.yaml"))
  r = await moorAsync(["diff", "kustomization", "apps", "--path", local, ...kc])
  assert.equal(r.code, 1, r.err)
  assert.match(r.out, /► ConfigMap\/default\/settings drifted\n  data\.mode\n    - a\n    \+ b\n/)
  assert.match(r.out, /► ConfigMap\/default\/new created/)
  assert.match(r.out, /► ConfigMap\/default\/old deleted/)
  assert.match(r.out, /► Secret\/default\/creds drifted/)
  assert.ok(!r.out.includes(SECRET) && !r.out.includes("other-value") && !r.err.includes(SECRET), r.out)
  // Nothing was written.
  assert.equal(((await c.kube.get(cms, "default", "settings")).data as Record<string, string>).mode, "a")
  assert.ok(await c.kube.find(cms, "default", "old"))
  assert.equal(await c.kube.find(cms, "default", "new"), undefined)

  // Errors exit above 1: a missing directory, a broken manifest, an unknown Kustomization.
  r = await moorAsync(["diff", "kustomization", "apps", "--path", join(local, "nope"), ...kc])
  assert.equal(r.code, 2)
  assert.match(r.err, /^✗ moor diff failed: --path .* is not a directory\n  point --path/)
  writeFileSync(join(local, "bad.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n")
  r = await moorAsync(["diff", "kustomization", "apps", "--path", local, ...kc])
  assert.equal(r.code, 2)
  assert.match(r.err, /kustomize build failed/)
  r = await moorAsync(["diff", "kustomization", "nope", "--path", local, ...kc])
  assert.equal(r.code, 2)
  assert.match(r.err, /Kustomization flux-system\/nope not found/)

  // tree: fleet manages apps, which manages three objects.
  r = await moorAsync(["tree", "kustomization", "fleet", ...kc])
  assert.equal(r.code, 0, r.err)
  assert.equal(
    r.out,
    ["Kustomization/flux-system/fleet", "└── Kustomization/flux-system/apps", "    ├── Secret/default/creds", "    ├── ConfigMap/default/old", "    └── ConfigMap/default/settings", ""].join("\n"),
  )
  r = await moorAsync(["tree", "kustomization", "fleet", "-o", "json", ...kc])
  assert.equal(JSON.parse(r.out).children[0].children.length, 3)

  // check: prerequisites, CRDs, and the three services alive.
  const nats = ["--nats", c.nats.url]
  r = await moorAsync(["check", "--pre", ...kc, ...nats])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, /✔ Kubernetes v1\.\d+\.\d+\S* >=1\.28\.0\n✔ NATS \S+ at nats:\/\/\S+ with JetStream\n✔ all checks passed/)
  r = await moorAsync(["check", ...kc, ...nats])
  assert.equal(r.code, 0, r.err)
  assert.match(r.err, /✔ kustomizations\.kustomize\.toolkit\.fluxcd\.io: v1/)
  assert.match(r.err, /✔ source: 1 replica/)
  assert.match(r.err, /✔ kustomize: 1 replica/)
  assert.match(r.err, /✔ apply: answering on moor\.apply\.hub/)
  assert.match(r.err, /helm: not built yet/)
  r = await moorAsync(["check", "--pre", ...kc, "--nats", "nats://127.0.0.1:1"])
  assert.equal(r.code, 1)
  assert.match(r.err, /✗ NATS at nats:\/\/127\.0\.0\.1:1 is not reachable/)
  assert.doesNotMatch(r.err, /\x1b\[/)
})
