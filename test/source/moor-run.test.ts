// The source service as a user runs it: `moor cluster serve`, `moor run
// --services source`, kubectl creating a GitRepository and waiting for Ready.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { join } from "node:path"
import { startGitDaemon, startNatsServer } from "@moor/testing"
import { makeRepo, repoRoot, tempDir } from "../harness.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
const hasKubectl = spawnSync("kubectl", ["version", "--client"]).status === 0

/** Starts `moor ...` and resolves once a stdout line matches. */
const startMoor = (args: string[], ready: RegExp, t: { after: (f: () => unknown) => void }) =>
  new Promise<{ child: ChildProcess; match: RegExpExecArray; stderr: () => string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } })
    let err = ""
    let out = ""
    child.stderr!.on("data", (d) => (err += d))
    child.stdout!.on("data", (d) => {
      out += d
      const m = ready.exec(out)
      if (m) resolve({ child, match: m, stderr: () => err })
    })
    child.once("exit", (code) => reject(new Error(`moor ${args.join(" ")} exited with ${code}: ${err}`)))
    t.after(() => {
      if (child.exitCode === null) child.kill("SIGKILL")
    })
  })

test("moor run --services source reconciles a GitRepository that kubectl creates", { skip: hasKubectl ? false : "kubectl is not installed", timeout: 120_000 }, async (t) => {
  const dir = tempDir(t)
  const nats = await startNatsServer()
  t.after(() => nats.stop())
  const cluster = await startMoor(["cluster", "serve", "--data", join(dir, "cluster")], /ready (\S+)\n/, t)
  const kubeconfig = cluster.match[1]!
  const kubectl = (...args: string[]) => {
    const r = spawnSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" })
    assert.equal(r.status, 0, `kubectl ${args.join(" ")}: ${r.stderr}`)
    return r.stdout
  }
  kubectl("apply", "-k", join(repoRoot, "deploy", "crds"))
  kubectl("wait", "--for=condition=Established", "crd/gitrepositories.source.toolkit.fluxcd.io", "--timeout=30s")

  const root = tempDir(t)
  const repo = makeRepo(root, "fleet", { "apps/app.yaml": "kind: ConfigMap\n" })
  const daemon = await startGitDaemon(root)
  t.after(() => daemon.stop())

  const run = spawn(process.execPath, [bin, "run", "--kubeconfig", kubeconfig, "--nats", nats.url, "--services", "source", "--state", join(dir, "state")], {
    stdio: ["ignore", "pipe", "pipe"],
  })
  let runLog = ""
  run.stderr!.on("data", (d) => (runLog += d))
  const runExit = new Promise<number | null>((r) => run.once("exit", (c) => r(c)))
  t.after(() => {
    if (run.exitCode === null) run.kill("SIGKILL")
  })

  const manifest = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: fleet, namespace: default}
spec: {url: "${daemon.url("fleet.git")}", interval: 1m}
`
  const applied = spawnSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "-f", "-"], { input: manifest, encoding: "utf8" })
  assert.equal(applied.status, 0, applied.stderr)
  const waited = spawnSync("kubectl", ["--kubeconfig", kubeconfig, "wait", "--for=condition=Ready", "gitrepository/fleet", "--timeout=60s"], { encoding: "utf8" })
  assert.equal(waited.status, 0, `${waited.stderr}\n${runLog}`)
  const rev = kubectl("get", "gitrepository", "fleet", "-o", "jsonpath={.status.artifact.revision}")
  assert.equal(rev, `master@sha1:${repo.first}`)
  // kubectl prints Flux's columns for our CRD.
  assert.match(kubectl("get", "gitrepositories"), /NAME\s+URL\s+AGE\s+READY\s+STATUS[\s\S]*fleet\s+git:\/\/.*True\s+stored artifact for revision 'master@sha1:/)

  run.kill("SIGTERM")
  assert.equal(await runExit, 0, runLog)
  assert.match(runLog, /"msg":"moor run started"/)
})
