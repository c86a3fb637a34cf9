// Real Git servers for tests, on random loopback ports, always stoppable:
// `git daemon`, `git http-backend` behind a Node HTTP server with basic auth,
// and OpenSSH's sshd with a throwaway host key and one authorized key.
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import { createServer as createNetServer, connect } from "node:net"
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A free TCP port on 127.0.0.1 (bound, then released). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createNetServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect({ host: "127.0.0.1", port })
    c.once("connect", () => (c.destroy(), resolve(true)))
    c.once("error", () => resolve(false))
  })

const waitListening = async (port: number, child: ChildProcess, what: string, log: () => string) => {
  const end = Date.now() + 10_000
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${log()}`)
    if (await canConnect(port)) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`${what} did not listen on ${port} within 10 s:\n${log()}`)
}

/** Stops a server started `detached` (its own process group): the group is killed, so per-connection children go too. */
const stopper = (child: ChildProcess, cleanup: () => void) => {
  const gone = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())))
  return async () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
    } catch {
      // already gone
    }
    await gone
    child.stderr?.destroy()
    cleanup()
  }
}

export interface GitDaemon {
  readonly port: number
  /** git://127.0.0.1:<port>/<name> for a repository under the base path. */
  url(name: string): string
  stop(): Promise<void>
}

/** Serves every repository under `basePath` with `git daemon` (read-only unless `push`: anonymous pushes allowed). */
export const startGitDaemon = async (basePath: string, options: { push?: boolean } = {}): Promise<GitDaemon> => {
  const port = await freePort()
  let log = ""
  const child = spawn("git", ["daemon", "--export-all", ...(options.push ? ["--enable=receive-pack"] : []), `--base-path=${basePath}`, `--port=${port}`, "--listen=127.0.0.1", "--reuseaddr", basePath], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  })
  child.stderr!.on("data", (d: Buffer) => void (log.length < 10_000 && (log += d.toString())))
  const stop = stopper(child, () => {})
  try {
    await waitListening(port, child, "git daemon", () => log)
  } catch (e) {
    await stop()
    throw e
  }
  return { port, url: (name) => `git://127.0.0.1:${port}/${name}`, stop }
}

export interface GitHttpServer {
  readonly port: number
  /** http://127.0.0.1:<port>/<name>. */
  url(name: string): string
  /** Requests seen (method and path), for tests that count round trips. */
  readonly requests: string[]
  /** The server's self-signed certificate (PEM) when started with `tls`. */
  readonly caCert: string | undefined
  stop(): Promise<void>
}

const httpBackend = ["/usr/lib/git-core/git-http-backend", "/usr/libexec/git-core/git-http-backend"].find((p) => existsSync(p)) ?? "git-http-backend"

/** A self-signed certificate for 127.0.0.1 made with Debian's openssl: its PEM is also the CA to trust. */
const selfSignedCert = (): { key: string; cert: string } => {
  const dir = mkdtempSync(join(tmpdir(), "moor-tls-"))
  try {
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")])
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`)
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * `git http-backend` (CGI) behind a Node HTTP server. With `auth`, basic auth
 * (or, with `token`, a bearer token) is required; with `tls`, it serves HTTPS
 * with a self-signed certificate, returned as `caCert`.
 */
export const startGitHttp = async (
  projectRoot: string,
  auth?: { username: string; password: string } | { token: string },
  options: { tls?: boolean } = {},
): Promise<GitHttpServer> => {
  const requests: string[] = []
  const tls = options.tls ? selfSignedCert() : undefined
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? "/", "http://x")
    requests.push(`${req.method} ${u.pathname}`)
    if (auth) {
      const want = "token" in auth ? `Bearer ${auth.token}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`
      if (req.headers.authorization !== want) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="git"' }).end("unauthorized\n")
        return
      }
    }
    const cgi = spawn(httpBackend, [], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_USER: auth && "username" in auth ? auth.username : "",
        REMOTE_ADDR: "127.0.0.1",
        GIT_HTTP_MAX_REQUEST_BUFFER: "100M",
      },
      stdio: ["pipe", "pipe", "ignore"],
    })
    req.pipe(cgi.stdin!)
    let head = Buffer.alloc(0)
    let started = false
    cgi.stdout!.on("data", (d: Buffer) => {
      if (started) return void res.write(d)
      head = Buffer.concat([head, d])
      const end = head.indexOf("\r\n\r\n")
      if (end < 0) return
      started = true
      let status = 200
      const headers: Record<string, string> = {}
      for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
        const i = line.indexOf(":")
        const k = line.slice(0, i).trim()
        const v = line.slice(i + 1).trim()
        if (k.toLowerCase() === "status") status = Number.parseInt(v, 10)
        else headers[k] = v
      }
      res.writeHead(status, headers)
      res.write(head.subarray(end + 4))
    })
    cgi.on("close", () => {
      if (!started) res.writeHead(500).end("cgi failed\n")
      else res.end()
    })
  }
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler)
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as { port: number }).port
  return {
    port,
    requests,
    url: (name) => `${tls ? "https" : "http"}://127.0.0.1:${port}/${name}`,
    caCert: tls?.cert,
    stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  }
}

export interface Sshd {
  readonly port: number
  /** A known_hosts line for this server's host key ("[127.0.0.1]:port ssh-ed25519 AAAA..."). */
  readonly knownHosts: string
  /** The client's private key (OpenSSH format), authorized for `user`. */
  readonly clientKey: string
  /** The user to log in as (the current user). */
  readonly user: string
  /** Authorizes one more public key (an OpenSSH line), e.g. a deploy key a fake provider API received. */
  authorize(publicKey: string): void
  stop(): Promise<void>
}

const sshdBinary = () => ["/usr/sbin/sshd", "/usr/bin/sshd"].find((p) => existsSync(p))

/** True when OpenSSH's sshd is installed (Debian openssh-server). */
export const hasSshd = (): boolean => sshdBinary() !== undefined

const keygen = (file: string, type: string, passphrase = "") => {
  const r = spawnSync("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", "moor-test", "-f", file])
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`)
}

/** Starts sshd on a random loopback port with a throwaway host key; the client key is authorized. */
export const startSshd = async (options: { clientKeyPassphrase?: string } = {}): Promise<Sshd> => {
  const bin = sshdBinary()
  if (!bin) throw new Error("sshd is not installed (Debian package openssh-server; scripts/deps.sh installs it)")
  const dir = mkdtempSync(join(tmpdir(), "moor-sshd-"))
  const cleanup = () => rmSync(dir, { recursive: true, force: true })
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 })
  keygen(join(dir, "host_ed25519"), "ed25519")
  keygen(join(dir, "client"), "ed25519", options.clientKeyPassphrase ?? "")
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client.pub")), { mode: 0o600 })
  const port = await freePort()
  const user = process.env.USER ?? (spawnSync("id", ["-un"]).stdout.toString().trim() || "root")
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_ed25519")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin prohibit-password",
      "UsePAM no",
      "StrictModes no",
      "UseDNS no",
      "PrintMotd no",
      "PrintLastLog no",
      `PidFile ${join(dir, "sshd.pid")}`,
      "",
    ].join("\n"),
  )
  let log = ""
  const child = spawn(bin, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"], detached: true })
  child.stderr!.on("data", (d: Buffer) => void (log.length < 20_000 && (log += d.toString())))
  const stop = stopper(child, cleanup)
  try {
    await waitListening(port, child, "sshd", () => log)
  } catch (e) {
    await stop()
    throw e
  }
  const [type, key] = readFileSync(join(dir, "host_ed25519.pub"), "utf8").trim().split(/\s+/)
  const authorize = (publicKey: string) => appendFileSync(join(dir, "authorized_keys"), publicKey.trim() + "\n")
  return { port, knownHosts: `[127.0.0.1]:${port} ${type} ${key}\n`, clientKey: readFileSync(join(dir, "client"), "utf8"), user, authorize, stop }
}
