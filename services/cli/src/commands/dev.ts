// `moor dev`: the whole system on this machine. An embedded API server with
// simulated workloads, a nats-server, every built service in this process, a
// git daemon serving the sample fleet (examples/fleet) or --repo DIR, and a
// bootstrap from it; then events as they arrive until Ctrl-C.
import { spawn, execFile, type ChildProcess } from "node:child_process"
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { basename, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { dim, fail, green, red, UsageError, type CliCommand } from "../Command.ts"
import { CliError } from "../Kube.ts"

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..")
const sampleFleet = join(repoRoot, "examples", "fleet")

const git = (args: string[], cwd?: string): Promise<string> =>
  new Promise((res, rej) =>
    execFile("git", args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: "moor dev", GIT_AUTHOR_EMAIL: "dev@moor.invalid", GIT_COMMITTER_NAME: "moor dev", GIT_COMMITTER_EMAIL: "dev@moor.invalid", GIT_TERMINAL_PROMPT: "0" } }, (e, out, err) =>
      e ? rej(new CliError(`git ${args[0]} failed: ${String(err).trim() || e.message}`)) : res(String(out)),
    ),
  )

const freePort = async (prefer?: number): Promise<number> => {
  const { createServer } = await import("node:net")
  const tryPort = (p: number) =>
    new Promise<number | undefined>((res) => {
      const s = createServer()
      s.once("error", () => res(undefined))
      s.listen(p, "127.0.0.1", () => {
        const got = (s.address() as { port: number }).port
        s.close(() => res(got))
      })
    })
  return (prefer ? await tryPort(prefer) : undefined) ?? (await tryPort(0))!
}

const canConnect = async (port: number) => {
  const { connect } = await import("node:net")
  return new Promise<boolean>((res) => {
    const c = connect({ host: "127.0.0.1", port })
    c.once("connect", () => (c.destroy(), res(true)))
    c.once("error", () => res(false))
  })
}

/** A child in its own process group, stopped with the group (git daemon forks per connection). */
const stopGroup = async (child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise<void>((r) => child.once("exit", () => r()))
  try {
    process.kill(-child.pid!, signal)
  } catch {
    return
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL")
    } catch {
      // gone
    }
  }, 5_000)
  await gone
  clearTimeout(timer)
}

/**
 * Children are recorded in <state>/<name>.pid; one left by a `moor dev` that was
 * killed outright (no chance to clean up) is stopped at the next start, when its
 * command line still names the state directory.
 */
const reapStale = (state: string, name: string) => {
  const file = join(state, `${name}.pid`)
  if (!existsSync(file)) return
  const pid = Number(readFileSync(file, "utf8"))
  try {
    if (Number.isInteger(pid) && pid > 1 && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(state)) process.kill(-pid, "SIGKILL")
  } catch {
    // not running any more
  }
  rmSync(file, { force: true })
}
const recordPid = (state: string, name: string, child: ChildProcess) => writeFileSync(join(state, `${name}.pid`), String(child.pid))

const natsBinary = (): string | undefined => {
  for (const d of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin"]) if (d && existsSync(join(d, "nats-server"))) return join(d, "nats-server")
  return undefined
}

/** Starts `nats-server -js` on a free port with its store under `dir`. */
const startNats = async (dir: string): Promise<{ url: string; child: ChildProcess }> => {
  const bin = natsBinary()
  if (!bin) throw new CliError("nats-server is not installed", "install it: sudo apt-get install nats-server (./moor does it for you), or pass --nats URL of a server with JetStream")
  const port = await freePort()
  mkdirSync(dir, { recursive: true })
  const child = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { stdio: ["ignore", "ignore", "pipe"], detached: true })
  let log = ""
  child.stderr!.on("data", (d: Buffer) => void (log.length < 20_000 && (log += d.toString())))
  const end = Date.now() + 15_000
  while (!log.includes("Server is ready")) {
    if (child.exitCode !== null) throw new CliError(`nats-server exited with ${child.exitCode}: ${log.trim().split("\n").slice(-1)[0] ?? ""}`)
    if (Date.now() > end) {
      await stopGroup(child, "SIGKILL")
      throw new CliError("nats-server did not start within 15 s", log.trim().split("\n").slice(-1)[0])
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { url: `nats://127.0.0.1:${port}`, child }
}

/** Serves every repository under `base` with git daemon, pushes allowed; reuses the port of the last run when free. */
const startGitDaemon = async (base: string, stateDir: string): Promise<{ port: number; child: ChildProcess }> => {
  const portFile = join(stateDir, "git-daemon.port")
  const port = await freePort(existsSync(portFile) ? Number(readFileSync(portFile, "utf8")) : undefined)
  const child = spawn("git", ["daemon", "--export-all", "--enable=receive-pack", `--base-path=${base}`, `--port=${port}`, "--listen=127.0.0.1", "--reuseaddr", base], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  })
  let log = ""
  child.stderr!.on("data", (d: Buffer) => void (log.length < 10_000 && (log += d.toString())))
  const end = Date.now() + 10_000
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new CliError(`git daemon exited with ${child.exitCode}: ${log.trim()}`, "git daemon comes with Debian's git package")
    if (Date.now() > end) {
      await stopGroup(child, "SIGKILL")
      throw new CliError("git daemon did not listen within 10 s", log.trim())
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  writeFileSync(portFile, String(port))
  return { port, child }
}

/** The served bare repository: the sample fleet committed once, or --repo DIR's branch brought up to date. */
const prepareRepo = async (gitRoot: string, source: string | undefined, branch: string): Promise<string> => {
  mkdirSync(gitRoot, { recursive: true })
  if (source === undefined) {
    const bare = join(gitRoot, "fleet.git")
    if (existsSync(bare)) return "fleet.git" // pushes made to it since the last run are kept
    const work = mkdtempSync(join(tmpdir(), "moor-fleet-"))
    try {
      cpSync(sampleFleet, work, { recursive: true })
      await git(["init", "-q", "-b", branch, work])
      await git(["add", "-A"], work)
      await git(["commit", "-q", "-m", "Sample fleet from moor's examples/fleet"], work)
      await git(["init", "-q", "--bare", "-b", branch, bare])
      await git(["push", "-q", bare, `HEAD:refs/heads/${branch}`], work)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
    return "fleet.git"
  }
  const name = basename(resolve(source)).replace(/\.git$/, "") + ".git"
  const bare = join(gitRoot, name)
  if (!existsSync(bare)) await git(["init", "-q", "--bare", "-b", branch, bare])
  // the user's commits win: their branch replaces ours unless ours already contains it (the bootstrap commit on top)
  await git(["fetch", "-q", "--no-tags", resolve(source), `+refs/heads/${branch}:refs/moor/incoming`], bare)
  const incoming = (await git(["rev-parse", "refs/moor/incoming"], bare)).trim()
  const ours = await git(["rev-parse", "--verify", "-q", `refs/heads/${branch}`], bare).then((s) => s.trim(), () => "")
  const contained = ours !== "" && (await git(["merge-base", "--is-ancestor", incoming, ours], bare).then(() => true, () => false))
  if (!contained) await git(["update-ref", `refs/heads/${branch}`, incoming], bare)
  return name
}

const time = () => new Date().toTimeString().slice(0, 8)

export const dev: CliCommand = {
  path: ["dev"],
  summary: "Run everything locally: embedded cluster, NATS, services, a sample fleet",
  help: `Usage: moor dev [--repo DIR] [--path DIR] [--branch NAME] [--state DIR] [--nats URL] [--port N]

Starts an embedded Kubernetes API server (workloads simulated: no pod runs),
a nats-server with JetStream, all of moor's services in this process, and a
git daemon serving the sample fleet of examples/fleet (or your --repo); then
bootstraps from it and prints moor's events as they arrive. kubectl works
against the kubeconfig it prints. Ctrl-C stops everything.

Flags:
  --repo DIR      serve this repository (its --branch) instead of the sample fleet
  --path DIR      the cluster's path in the repository (default: clusters/dev when it exists, else the root)
  --branch NAME   branch to sync (default: main for the sample, the checked-out branch of --repo)
  --state DIR     where the cluster, NATS and git state live (default: .moor/dev)
  --nats URL      use this NATS server (default: $MOOR_NATS_URL, else start nats-server on a free port)
  --port N        API server port (default: a free one)
  --timeout D     how long bootstrap waits (default 5m)

Example:
  moor dev
  kubectl --kubeconfig .moor/dev/kubeconfig get deployments -A`,
  async run(argv) {
    const { values: v } = parseArgs({
      args: argv,
      options: {
        repo: { type: "string" },
        path: { type: "string" },
        branch: { type: "string" },
        state: { type: "string", default: ".moor/dev" },
        nats: { type: "string" },
        port: { type: "string" },
        timeout: { type: "string", default: "5m" },
      },
      strict: true,
      allowPositionals: false,
    })
    const { parseDuration } = await import("@moor/api")
    let timeoutMs: number
    try {
      timeoutMs = parseDuration(v.timeout!)
    } catch (e) {
      throw new UsageError(`--timeout: ${(e as Error).message}`)
    }
    if (v.repo !== undefined && !existsSync(v.repo)) throw new UsageError(`--repo ${v.repo} does not exist`)
    const port = v.port === undefined ? undefined : Number(v.port)
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError("--port takes a port number")
    const branch = v.branch ?? (v.repo ? (await git(["rev-parse", "--abbrev-ref", "HEAD"], v.repo)).trim() : "main")
    const repoDir = v.repo ?? sampleFleet
    const path = v.path ?? (existsSync(join(repoDir, "clusters", "dev")) ? "clusters/dev" : "")
    const state = resolve(v.state!)
    mkdirSync(state, { recursive: true })
    const say = (l: string) => process.stderr.write(l + "\n")

    // Everything started is stopped in reverse order, on Ctrl-C and on failure.
    const stops: (() => Promise<void>)[] = []
    const stopAll = async () => {
      for (const s of stops.reverse()) await s().catch(() => undefined)
      stops.length = 0
    }
    let signalled = false
    const stopped = new Promise<void>((res) => {
      const on = () => {
        if (!signalled) say(`\n${dim("stopping...")}`)
        signalled = true
        res()
      }
      process.once("SIGINT", on)
      process.once("SIGTERM", on)
    })
    try {
      reapStale(state, "nats-server")
      reapStale(state, "git-daemon")
      // NATS
      let natsUrl = v.nats ?? process.env.MOOR_NATS_URL
      if (!natsUrl) {
        const n = await startNats(join(state, "nats"))
        recordPid(state, "nats-server", n.child)
        stops.push(() => stopGroup(n.child).then(() => rmSync(join(state, "nats-server.pid"), { force: true })))
        natsUrl = n.url
        say(`${green("✔")} nats-server with JetStream on ${natsUrl}`)
      } else say(`${green("✔")} using NATS at ${natsUrl}`)
      const { connectNats, jsonLog, Client, NatsTransport } = await import("@moor/actors")
      let nc: Awaited<ReturnType<typeof connectNats>>
      try {
        nc = await connectNats(natsUrl, `moor-dev-${process.pid}`)
      } catch (e) {
        throw new CliError(`cannot connect to NATS at ${natsUrl}: ${(e as Error).message}`, "pass --nats URL of a running nats-server -js, or leave it out to start one")
      }
      stops.push(() => nc.drain().catch(() => nc.close()))

      // the embedded cluster
      const { startServer } = await import("@moor/kube-embedded")
      const server = await startServer({ dataDir: join(state, "cluster"), kubeconfigPath: join(state, "kubeconfig"), simulateWorkloads: true, ...(port ? { port } : {}) })
      stops.push(() => server.close())
      say(`${green("✔")} embedded API server on ${server.url} (workloads simulated)`)
      const { KubeClient } = await import("@moor/kube")
      const kube = KubeClient.fromFile(server.kubeconfigPath)
      stops.push(async () => kube.close())

      // CRDs first: the services watch their kinds from the start
      const { componentObjects, defaultComponents, extraComponents } = await import("../bootstrap/Manifests.ts")
      const { applyAll, bootstrap } = await import("../bootstrap/Bootstrap.ts")
      const { deployDir } = await import("./bootstrap.ts")
      const { moorVersion } = await import("./version.ts")
      const components = [...defaultComponents, ...extraComponents]
      await applyAll(kube, componentObjects({ deployDir, namespace: "flux-system", components, networkPolicy: false, version: moorVersion() }).filter((o) => o.kind === "CustomResourceDefinition" || o.kind === "Namespace"))

      // the services, logging to a file so the screen shows events
      const logStream = createWriteStream(join(state, "moor.log"), { flags: "a" })
      stops.push(() => new Promise<void>((r) => logStream.end(() => r())))
      const log = jsonLog("moor-dev", "info", (l) => void logStream.write(l + "\n"))
      const { hostServices } = await import("../Host.ts")
      const hosted = await hostServices({ kube, nc, stateDir: state, log, replica: `${hostname()}-${process.pid}` })
      stops.push(() => hosted.stop())
      say(`${green("✔")} services ${hosted.names.join(", ")} (log: ${join(state, "moor.log")})`)
      const unsubscribe = new Client(new NatsTransport(nc)).events((e) => {
        const o = e.involvedObject
        const mark = e.severity === "error" ? red("✗") : green("•")
        say(`${dim(time())} ${mark} ${o.kind}/${o.namespace ? o.namespace + "/" : ""}${o.name} ${e.reason}: ${e.message.split("\n")[0]}`)
      })
      stops.push(async () => unsubscribe())

      // the fleet repository over git://
      const gitRoot = join(state, "git")
      const name = await prepareRepo(gitRoot, v.repo, branch)
      const daemon = await startGitDaemon(gitRoot, state)
      recordPid(state, "git-daemon", daemon.child)
      stops.push(() => stopGroup(daemon.child).then(() => rmSync(join(state, "git-daemon.pid"), { force: true })))
      const url = `git://127.0.0.1:${daemon.port}/${name}`
      say(`${green("✔")} ${v.repo ? v.repo : "the sample fleet (examples/fleet)"} served at ${url} (branch ${branch}, path ./${path})`)

      try {
        const running = bootstrap({
            kube,
            url,
            branch,
            path,
            namespace: "flux-system",
            secretName: "flux-system",
            interval: "1m0s",
            components,
            networkPolicy: false,
            pushAuth: {},
            secret: { kind: "none" },
            author: { name: "moor", email: "moor@users.noreply" },
            timeoutMs,
            deployDir,
            version: moorVersion(),
            out: (l) => say(`  ${l}`),
          })
        running.catch(() => undefined) // a Ctrl-C during bootstrap leaves it to fail quietly
        const r = await Promise.race([running, stopped.then(() => undefined)])
        if (r) {
          say(`${green("✔")} bootstrapped at ${r.commit.slice(0, 12)}`)
          say(`
moor dev is running. In another terminal:
  export KUBECONFIG=${server.kubeconfigPath}
  kubectl get deployments -A
  ./moor get kustomizations -A
  git clone ${url} fleet     # edit, commit, git push: the cluster follows
Ctrl-C stops everything. Events:`)
          process.stdout.write(`kubeconfig ${server.kubeconfigPath}\n`)
        }
      } catch (e) {
        if (!(e instanceof CliError)) throw e
        fail(`bootstrap failed: ${e.message}`, e.hint ?? "")
        say(`the cluster keeps running (KUBECONFIG=${server.kubeconfigPath}); fix the repository and push, or Ctrl-C`)
        process.stdout.write(`kubeconfig ${server.kubeconfigPath}\n`)
      }
      await stopped
      await stopAll()
      say(`${green("✔")} stopped`)
      return 0
    } catch (e) {
      await stopAll()
      throw e
    }
  },
}
