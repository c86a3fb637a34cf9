// End-to-end fixtures shared by test/: a real nats-server, moor's embedded
// Kubernetes API server with moor's CRDs installed, and git repositories made
// with the git CLI. Everything is released by t.after, also on failure.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseAllDocuments } from "yaml"
import { connectNats } from "@moor/actors"
import { KubeClient, type KubeObject } from "@moor/kube"
import { startServer } from "@moor/kube-embedded"
import { startKubeReal, startNatsServer, waitFor } from "@moor/testing"

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..")

type After = { after: (f: () => unknown) => void }

/**
 * A cleanup scope that runs last-registered first when the test ends (node:test runs t.after hooks
 * in registration order), so services stop before the nats-server and API server they use.
 */
export const lifo = (t: After): After => {
  const fs: (() => unknown)[] = []
  t.after(async () => {
    for (const f of fs.reverse()) await f()
  })
  return { after: (f) => void fs.push(f) }
}

/** A temporary directory removed after the test. */
export const tempDir = (t: After, prefix = "moor-e2e-"): string => {
  const d = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(d, { recursive: true, force: true }))
  return d
}

/** nats-server + connection, the embedded API server with CRDs + a KubeClient. */
export const startCluster = async (t: After) => {
  const nats = await startNatsServer()
  t.after(() => nats.stop())
  const nc = await connectNats(nats.url, "e2e")
  t.after(() => nc.close())
  const dir = tempDir(t, "moor-kube-")
  const server = await startServer({ kubeconfigPath: join(dir, "kubeconfig"), simulateWorkloads: true })
  t.after(() => server.close())
  const kube = KubeClient.fromFile(server.kubeconfigPath)
  t.after(() => kube.close())
  await installCrds(kube)
  return { nats, nc, server, kube, kubeconfig: server.kubeconfigPath }
}

/**
 * nats-server + the real kube-apiserver 1.20 with its controller-manager (skip the test when
 * `kubeRealBinaries()` is undefined), moor's CRDs installed, and a simulated kubelet (see readyPods)
 * unless `readyPods: false` (a benchmark comparing with a cluster that has none).
 */
export const startRealCluster = async (t: After, o: { readyPods?: boolean } = {}) => {
  const nats = await startNatsServer()
  t.after(() => nats.stop())
  const nc = await connectNats(nats.url, "e2e")
  t.after(() => nc.close())
  const real = await startKubeReal()
  t.after(() => real.stop())
  const kube = KubeClient.fromFile(real.kubeconfig)
  t.after(() => kube.close())
  await installCrds(kube)
  if (o.readyPods !== false) t.after(readyPods(kube))
  return { nats, nc, server: undefined, real, kube, kubeconfig: real.kubeconfig }
}

/**
 * No kubelet runs beside kube-real: every 250 ms, Pending pods are bound to a node and marked
 * Running and Ready (as ../shared/tools/kube-real/ready-pods.sh does, without a kubectl process
 * per pod), except pods with an image tagged `fail`, which never start, as on the embedded
 * server's simulated workloads. Returns the stop function.
 */
export const readyPods = (kube: KubeClient): (() => Promise<void>) => {
  let running = true
  const failing = (p: KubeObject) =>
    [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].some((c: { image?: string }) => /:fail(@|$)/.test(c.image ?? ""))
  const once = async () => {
    const pods = await kube.resource("v1", "Pod")
    const pending = await kube.list(pods, undefined, { fieldSelector: "status.phase=Pending" })
    for (const p of pending.items) {
      if (failing(p)) continue
      const { namespace, name } = p.metadata as { namespace: string; name: string }
      const path = KubeClient.path(pods, namespace, name)
      if (!p.spec?.nodeName)
        await kube.request("POST", `${path}/binding`, { body: { apiVersion: "v1", kind: "Binding", metadata: { name }, target: { apiVersion: "v1", kind: "Node", name: "fake-node" } } })
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z")
      const conditions = ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({ type, status: "True", lastTransitionTime: now }))
      await kube.patchStatus(pods, namespace, name, { phase: "Running", conditions })
    }
  }
  const loop = (async () => {
    while (running) {
      await once().catch(() => undefined)
      await new Promise((r) => setTimeout(r, 250))
    }
  })()
  return async () => {
    running = false
    await loop
  }
}

/** Applies deploy/crds/*.yaml and waits until every kind is served. */
export const installCrds = async (kube: KubeClient) => {
  const dir = join(repoRoot, "deploy", "crds")
  const crds: KubeObject[] = []
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml"))
    for (const d of parseAllDocuments(readFileSync(join(dir, f), "utf8"))) crds.push(d.toJS() as KubeObject)
  for (const c of crds) await kube.apply(c, { fieldManager: "moor-test", force: true })
  for (const c of crds) {
    const spec = c.spec as { group: string; names: { kind: string }; versions: { name: string }[] }
    for (const v of spec.versions) await waitFor(`${spec.names.kind} served`, () => kube.resource(`${spec.group}/${v.name}`, spec.names.kind).catch(() => undefined), 10_000, 50)
  }
}

/** A bare repository `<root>/<name>.git` with one commit on `branch`, and a work tree to push from. */
export const makeRepo = (root: string, name: string, files: Record<string, string>, branch = "master") => {
  const bare = join(root, `${name}.git`)
  const work = join(root, `${name}-work`)
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" } }).trim()
  execFileSync("git", ["init", "-q", "--bare", "-b", branch, bare])
  execFileSync("git", ["init", "-q", "-b", branch, work])
  const commit = (fs: Record<string, string>, message = "change") => {
    for (const [p, c] of Object.entries(fs)) {
      mkdirSync(dirname(join(work, p)), { recursive: true })
      writeFileSync(join(work, p), c)
    }
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", message)
    git(work, "push", "-q", bare, `HEAD:refs/heads/${branch}`)
    return git(work, "rev-parse", "HEAD")
  }
  const first = commit(files, "initial")
  return { bare, work, commit, head: () => git(bare, "rev-parse", branch), first, git: (...a: string[]) => git(work, ...a) }
}
