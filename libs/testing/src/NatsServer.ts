// Starts Debian's nats-server with JetStream on a random port and a temporary
// store directory; `stop()` kills it and removes the directory.
import { spawn, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface NatsServer {
  readonly url: string
  readonly port: number
  readonly process: ChildProcess
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

const binary = (): string => {
  for (const p of [process.env.NATS_SERVER_BIN, "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"])
    if (p && existsSync(p)) return p
  return "nats-server"
}

/** Starts a JetStream-enabled nats-server on 127.0.0.1 and a random port. */
export const startNatsServer = (options: { args?: string[] } = {}): Promise<NatsServer> => {
  const dir = mkdtempSync(join(tmpdir(), "moor-nats-"))
  const child = spawn(binary(), ["-a", "127.0.0.1", "-p", "-1", "-js", "-sd", dir, ...(options.args ?? [])], {
    stdio: ["ignore", "ignore", "pipe"],
  })
  let exited = false
  const gone = new Promise<void>((r) => child.once("exit", () => ((exited = true), r())))
  const stop = async () => {
    if (!exited) {
      child.kill("SIGKILL")
      await gone
    }
    rmSync(dir, { recursive: true, force: true })
  }
  return new Promise((resolve, reject) => {
    let log = ""
    let started = false
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000)
    const fail = (e: Error) => {
      if (started) return
      clearTimeout(timer)
      void stop().then(() => reject(e))
    }
    child.once("error", (e) => fail(new Error(`cannot run nats-server (install Debian's nats-server package): ${e.message}`)))
    child.once("exit", (code) => fail(new Error(`nats-server exited with ${code}:\n${log}`)))
    child.stderr!.setEncoding("utf8")
    child.stderr!.on("data", (chunk: string) => {
      if (log.length < 20_000) log += chunk
      const m = /Listening for client connections on [\d.]+:(\d+)/.exec(log)
      if (m && log.includes("Server is ready")) {
        if (started) return
        started = true
        clearTimeout(timer)
        const port = Number(m[1])
        const server: NatsServer = { url: `nats://127.0.0.1:${port}`, port, process: child, stop, [Symbol.asyncDispose]: stop }
        resolve(server)
      }
    })
  })
}
