// `moor logs`: the lines `moor run` publishes on NATS, history and --follow,
// with the kind/name/level/service filters.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { join } from "node:path"
import { waitFor } from "@moor/testing"
import { repoRoot, startCluster, tempDir } from "../harness.ts"

const bin = join(repoRoot, "services", "cli", "bin", "moor.js")
const start = (args: string[]) => {
  const c = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: "1" } })
  const r = { out: "", err: "", code: undefined as number | null | undefined, child: c }
  c.stdout.on("data", (d) => (r.out += d))
  c.stderr.on("data", (d) => (r.err += d))
  const done = new Promise<typeof r>((resolve) => c.on("exit", (code) => resolve(Object.assign(r, { code }))))
  return Object.assign(r, { done })
}
const moor = (args: string[]) => start(args).done

test("moor logs shows the services' log lines from NATS: history, filters, --follow", { timeout: 400_000 }, async (t) => {
  const c = await startCluster(t)
  await c.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } }, { fieldManager: "test" })
  const nats = ["--nats", c.nats.url]
  const run = start(["run", "--services", "source", "--kubeconfig", c.kubeconfig, ...nats, "--state", tempDir(t)])
  // Stopped in the test body, before the cluster and NATS stop (t.after runs those first).
  try {
    await logsOf(c, run, nats)
  } finally {
    run.child.kill("SIGTERM")
    await run.done
  }
})

const logsOf = async (c: Awaited<ReturnType<typeof startCluster>>, run: ReturnType<typeof start>, nats: string[]) => {
  await waitFor("moor run to start", () => run.err.includes("actor host started"), 180_000)
  const broken = (name: string) =>
    c.kube.apply(
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name, namespace: "flux-system" }, spec: { url: "http://127.0.0.1:1/nothing.git", interval: "1h" } },
      { fieldManager: "test" },
    )
  await broken("broken")

  // History: the failed run of "broken", found by kind, name and level.
  const line = await waitFor("a warning about broken in the log history", async () => {
    const r = await moor(["logs", "--kind", "GitRepository", "--name", "broken", "--level", "warn", ...nats])
    assert.equal(r.code, 0, r.err)
    return r.out.split("\n").find((l) => l.includes("run failed"))
  }, 180_000, 500)
  assert.match(line, /^\S+Z warn  source gitrepository\/flux-system\/broken run failed .*reason=/)
  // Other filters leave it out; --service source keeps the host's start line.
  let r = await moor(["logs", "--level", "error", "--name", "broken", ...nats])
  assert.doesNotMatch(r.out, /run failed/)
  r = await moor(["logs", "--name", "other", ...nats])
  assert.equal(r.out, "")
  r = await moor(["logs", "--service", "source", "--tail", "50", ...nats])
  assert.match(r.out, /info  source - actor host started/)
  r = await moor(["logs", "--level", "loud", ...nats])
  assert.equal(r.code, 2)
  assert.match(r.err, /^✗ --level loud: use one of debug, info, warn, error\n  run 'moor logs --help'/)

  // --follow: a line about an object created after it started.
  const follow = start(["logs", "--follow", "--name", "broken2", ...nats])
  try {
    await broken("broken2")
    await waitFor("the followed line", () => follow.out.includes("gitrepository/flux-system/broken2 run failed"), 180_000)
  } finally {
    follow.child.kill("SIGINT")
  }
  assert.equal((await follow.done).code, 0)
}
