// Test helpers: an embedded server per test (always closed), the real kubectl binary,
// and a raw HTTPS client that reads a kubeconfig (used to compare with a real server).
import { execFile, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { request } from "node:https"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { TestContext } from "node:test"
import { type EmbeddedServer, type ServerOptions, startServer } from "@moor/kube-embedded"
import { parse } from "yaml"

/** Why kubectl tests cannot run here (no kubectl on PATH), or undefined when they can. */
export const noKubectl: string | undefined = (() => {
  const dirs = (process.env.PATH ?? "").split(":")
  return dirs.some((d) => existsSync(join(d, "kubectl"))) ? undefined : "kubectl is not on PATH"
})()

/** A temp directory removed when the test ends. */
export const tempDir = (t: TestContext, prefix = "kube-embedded-"): string => {
  const d = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(d, { recursive: true, force: true }))
  return d
}

/** Start an embedded server for one test; it is closed when the test ends, pass or fail. */
export const embedded = async (t: TestContext, options: ServerOptions = {}): Promise<EmbeddedServer> => {
  const s = await startServer({ ...options, kubeconfigPath: options.kubeconfigPath ?? join(tempDir(t), "kubeconfig") })
  t.after(() => s.close())
  return s
}

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Run kubectl against a kubeconfig (asynchronously: the server may live in this process). */
export const kubectl = (kubeconfig: string, args: string[], input?: string, timeoutMs = 30_000): Promise<Run> =>
  new Promise((resolve) => {
    // kubectl's discovery cache lives beside the kubeconfig (a temp dir removed after the test).
    const cache = join(dirname(kubeconfig), ".kube-cache")
    const child = execFile(
      "kubectl",
      ["--kubeconfig", kubeconfig, "--cache-dir", cache, ...args],
      { timeout: timeoutMs, env: { ...process.env, KUBECONFIG: "" } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? ((err as unknown as { code: number }).code) : 1
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      },
    )
    if (input !== undefined) child.stdin?.end(input)
  })

/** kubectl that must succeed; returns stdout. */
export const kubectlOk = async (kubeconfig: string, args: string[], input?: string): Promise<string> => {
  const r = await kubectl(kubeconfig, args, input)
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`)
  return r.stdout
}

/** A long-running kubectl (e.g. get --watch): its output so far, and a way to stop it. */
export const kubectlStream = (t: TestContext, kubeconfig: string, args: string[]) => {
  const child = spawn("kubectl", ["--kubeconfig", kubeconfig, ...args], { env: { ...process.env, KUBECONFIG: "" } })
  let out = ""
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString()
  })
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString()
  })
  t.after(() => {
    child.kill()
  })
  return { output: () => out, stop: () => child.kill() }
}

/** Poll until `f` returns a truthy value, or fail after `ms`. */
export const eventually = async <T>(f: () => T | Promise<T>, ms = 10_000, what = "condition"): Promise<T> => {
  const end = Date.now() + ms
  let last: unknown
  while (Date.now() < end) {
    try {
      const v = await f()
      if (v) return v
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? "" : `: ${String(last)}`}`)
}

/** A minimal HTTPS client built from a kubeconfig (server, CA, token). */
export interface Raw {
  (method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any; headers: Record<string, unknown> }>
  readonly server: string
}

export const rawClient = (kubeconfigPath: string): Raw => {
  const kc = parse(readFileSync(kubeconfigPath, "utf8"))
  const cluster = kc.clusters[0].cluster
  const token = kc.users[0].user.token
  const ca = cluster["certificate-authority-data"] === undefined ? undefined : Buffer.from(cluster["certificate-authority-data"], "base64")
  const base = new URL(cluster.server)
  const fn = (method: string, path: string, body?: unknown, contentType = "application/json") =>
    new Promise<{ status: number; body: any; headers: Record<string, unknown> }>((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body)
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          path,
          method,
          ca,
          headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...(data !== undefined ? { "Content-Type": contentType } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8")
            let parsed: unknown = text
            try {
              parsed = JSON.parse(text)
            } catch {
              // not JSON (a watch stream or plain text)
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers })
          })
        },
      )
      req.on("error", reject)
      if (data !== undefined) req.write(data)
      req.end()
    })
  return Object.assign(fn, { server: cluster.server as string })
}
