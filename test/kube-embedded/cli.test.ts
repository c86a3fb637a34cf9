// `moor cluster serve`: the ready line, a kubeconfig that works, clean exit on SIGTERM,
// objects kept across a restart with --data, and clear errors for bad flags or a busy port.
import assert from "node:assert/strict"
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import { dirname, join, resolve } from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"
import { rawClient, tempDir } from "./helpers.ts"

const moor = resolve(dirname(fileURLToPath(import.meta.url)), "../../services/cli/bin/moor.js")

const serve = (args: string[]) => {
  const child = spawn(process.execPath, [moor, "cluster", "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  let err = ""
  child.stdout.on("data", (d: Buffer) => (out += d.toString()))
  child.stderr.on("data", (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)))
  const ready = new Promise<string>((res, rej) => {
    const check = () => {
      const m = /^ready (.+)$/m.exec(out)
      if (m !== null) res(m[1]!)
    }
    child.stdout.on("data", check)
    void exited.then((code) => rej(new Error(`exited ${code}: ${err}`)))
  })
  ready.catch(() => {}) // awaited only by tests that expect the server to start
  return { child, ready, exited, stderr: () => err }
}

const stopOnEnd = (t: import("node:test").TestContext, c: ChildProcess) => t.after(() => void (c.exitCode === null && c.kill("SIGKILL")))

test("moor cluster serve: ready line, working kubeconfig, SIGTERM, restart with --data", async (t) => {
  const dir = tempDir(t)
  const s1 = serve(["--data", join(dir, "data"), "--kubeconfig", join(dir, "kc")])
  stopOnEnd(t, s1.child)
  assert.equal(await s1.ready, join(dir, "kc"))
  const raw = rawClient(join(dir, "kc"))
  const created = await raw("POST", "/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kept" }, data: { a: "1" } })
  assert.equal(created.status, 201)
  s1.child.kill("SIGTERM")
  assert.equal(await s1.exited, 0)

  const s2 = serve(["--data", join(dir, "data"), "--kubeconfig", join(dir, "kc")])
  stopOnEnd(t, s2.child)
  await s2.ready
  const got = await rawClient(join(dir, "kc"))("GET", "/api/v1/namespaces/default/configmaps/kept")
  assert.equal(got.status, 200)
  assert.deepEqual(got.body.data, { a: "1" })
  s2.child.kill("SIGINT")
  assert.equal(await s2.exited, 0)
})

test("moor cluster serve: bad flags and a busy port fail with a clear message", async (t) => {
  const bad = serve(["--port", "http"])
  stopOnEnd(t, bad.child)
  assert.equal(await bad.exited, 2)
  assert.match(bad.stderr(), /--port must be an integer between 0 and 65535, got "http"/)
  const unknown = serve(["--frobnicate"])
  stopOnEnd(t, unknown.child)
  assert.equal(await unknown.exited, 2)
  assert.match(unknown.stderr(), /Unknown option '--frobnicate'/)

  const blocker = createServer()
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()))
  t.after(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  const busy = serve(["--port", String(port), "--kubeconfig", join(tempDir(t), "kc")])
  stopOnEnd(t, busy.child)
  assert.equal(await busy.exited, 1)
  assert.match(busy.stderr(), new RegExp(`port ${port} is already in use on 127.0.0.1`))
})
