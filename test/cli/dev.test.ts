// `moor dev` as a user runs it: it starts everything, the sample fleet becomes
// Ready, kubectl sees the Deployment, and Ctrl-C stops it all with exit 0.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process"
import { cpSync } from "node:fs"
import { join } from "node:path"
import { waitFor } from "@moor/testing"
import { repoRoot, tempDir } from "../harness.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
const hasKubectl = spawnSync("kubectl", ["version", "--client"]).status === 0
const kubectl = (kubeconfig: string, ...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile("kubectl", ["--kubeconfig", kubeconfig, ...args], (e, out, err) => (e ? reject(new Error(`kubectl ${args.join(" ")}: ${err}`)) : resolve(out))),
  )
/** Processes whose command line names `dir` (nats-server -sd, git daemon --base-path). */
const processesUsing = (dir: string) =>
  spawnSync("pgrep", ["-af", dir], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((l) => l.trim() && !l.includes("moor.js"))
    .join("\n")

/** Starts `moor dev ARGS` with its own nats-server; resolves once it prints its kubeconfig. */
const startDev = async (t: { after: (f: () => unknown) => void }, args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
  delete env.MOOR_NATS_URL
  const child = spawn(process.execPath, [bin, "dev", ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGKILL")
  })
  const dev = { child, out: "", err: "", kubeconfig: "", exited: new Promise<number | null>((r) => child.once("exit", (code) => r(code))) }
  child.stdout.on("data", (d) => (dev.out += d))
  child.stderr.on("data", (d) => (dev.err += d))
  const kubeconfig = await waitFor("moor dev to print its kubeconfig", () => {
    if (child.exitCode !== null) throw new Error(`moor dev exited with ${child.exitCode}: ${dev.err}`)
    return /^kubeconfig (\S+)$/m.exec(dev.out)?.[1]
  }, 90_000, 100).catch((e) => assert.fail(`${e.message}\n${dev.err}`))
  // the same object, so dev.out and dev.err keep growing as the listeners append
  return Object.assign(dev, { kubeconfig })
}

/** A stopped moor dev must exit, not linger on a timer or socket (a health wait once held it for 2 minutes). */
const promptly = <T>(p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("moor dev did not exit within 30 s of the signal")), 30_000).unref())])

test("moor dev: the sample fleet becomes Ready, kubectl sees it, Ctrl-C stops everything", { skip: hasKubectl ? false : "kubectl is not installed", timeout: 240_000 }, async (t) => {
  const state = join(tempDir(t, "moor-dev-"), "state")
  const dev = await startDev(t, ["--state", state])
  const { child, kubeconfig, exited } = dev
  assert.match(dev.err, /bootstrapped at [0-9a-f]{12}/, dev.err)
  assert.match(dev.err, /nats-server with JetStream on nats:\/\/127\.0\.0\.1:\d+/)

  // The fleet: flux-system, infrastructure, then apps (dependsOn), all Ready; the Deployment available.
  await waitFor("every Kustomization Ready", async () => {
    const list = JSON.parse(await kubectl(kubeconfig, "get", "kustomizations.kustomize.toolkit.fluxcd.io", "-n", "flux-system", "-o", "json")).items
    const names = list.filter((k: any) => k.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")).map((k: any) => k.metadata.name).sort()
    return JSON.stringify(names) === JSON.stringify(["apps", "flux-system", "infrastructure"])
  }, 60_000, 250).catch((e) => assert.fail(`${e.message}\n${dev.err}`))
  const deploy = JSON.parse(await kubectl(kubeconfig, "get", "deployment", "podinfo", "-n", "podinfo", "-o", "json"))
  assert.equal(deploy.spec.replicas, 1, "the dev overlay's patch")
  assert.equal(deploy.status.availableReplicas, 1)
  const cm = JSON.parse(await kubectl(kubeconfig, "get", "configmap", "podinfo-config", "-n", "podinfo", "-o", "json"))
  assert.equal(cm.data.PODINFO_UI_MESSAGE, "Hello from the dev cluster")
  // events arrive on screen
  await waitFor("an event line for apps", () => /Kustomization\/flux-system\/apps ReconciliationSucceeded/.test(dev.err), 30_000, 100)
  const children = processesUsing(state)
  assert.match(children, /nats-server/)
  assert.match(children, /git daemon/)

  child.kill("SIGINT")
  assert.equal(await promptly(exited), 0, dev.err)
  assert.match(dev.err, /stopped/)
  assert.equal(processesUsing(state), "", "no process left behind")
})

test("moor dev --repo DIR serves your repository (its checked-out branch) instead of the sample", { skip: hasKubectl ? false : "kubectl is not installed", timeout: 240_000 }, async (t) => {
  const dir = tempDir(t, "moor-dev-")
  const repo = join(dir, "my-fleet")
  cpSync(join(repoRoot, "examples", "fleet"), repo, { recursive: true })
  const git = (...a: string[]) => execFileSync("git", a, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" } })
  git("init", "-q", "-b", "trunk")
  git("add", "-A")
  git("commit", "-q", "-m", "mine")
  const state = join(dir, "state")
  const dev = await startDev(t, ["--state", state, "--repo", repo])
  const { child, kubeconfig, exited } = dev
  assert.match(dev.err, /bootstrapped at/, dev.err)
  const source = JSON.parse(await kubectl(kubeconfig, "get", "gitrepositories.source.toolkit.fluxcd.io", "flux-system", "-n", "flux-system", "-o", "json"))
  assert.match(source.spec.url, /^git:\/\/127\.0\.0\.1:\d+\/my-fleet\.git$/)
  assert.deepEqual(source.spec.ref, { branch: "trunk" })
  await waitFor("the Deployment from my repository", async () => JSON.parse(await kubectl(kubeconfig, "get", "deployment", "podinfo", "-n", "podinfo", "-o", "json")).status?.availableReplicas === 1, 60_000, 250).catch((e) =>
    assert.fail(`${e.message}\n${dev.err}`),
  )
  assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: repo, encoding: "utf8" }), "", "your working copy is left alone")
  child.kill("SIGTERM")
  assert.equal(await promptly(exited), 0, dev.err)
  assert.equal(processesUsing(state), "", "no process left behind")
})
