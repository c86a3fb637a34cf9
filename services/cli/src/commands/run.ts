// `moor run`: hosts a subset of moor's services in one process, against the
// cluster of a kubeconfig, with actors placed over replicas through NATS.
import { existsSync } from "node:fs"
import { homedir, hostname } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import type { ActorHost as Host } from "@moor/actors"
import { fail, UsageError, type CliCommand } from "../Command.ts"
import { services } from "../services.ts"

/** `moor run`'s flags (deploy/ is checked against them). */
export const runOptions = {
  kubeconfig: { type: "string" },
  nats: { type: "string" },
  services: { type: "string" },
  replica: { type: "string" },
  state: { type: "string" },
} as const

export const run: CliCommand = {
  path: ["run"],
  summary: "Host moor's services (all by default) in one process",
  help: `Usage: moor run [--kubeconfig FILE] [--nats URL] [--services LIST] [--replica ID] [--state DIR]

Hosts the actors of the chosen services against the cluster of the kubeconfig
(an embedded one from 'moor cluster serve', or a real one). Run it several
times, on one machine or many, and the actors spread over the replicas.

Flags:
  --kubeconfig FILE   cluster to reconcile (default: $KUBECONFIG, then ~/.kube/config,
                      then the pod's ServiceAccount when run in a cluster)
  --nats URL          NATS server with JetStream (default: $MOOR_NATS_URL, then nats://127.0.0.1:4222)
  --services LIST     comma-separated subset of: ${services.map((s) => s.name).join(", ")} (default: all built)
  --replica ID        this replica's name (default: <host>-<pid>)
  --state DIR         local caches (default: .moor)

Example:
  moor run --kubeconfig ./kubeconfig --services source,kustomize`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: runOptions,
      strict: true,
      allowPositionals: false,
    })
    const known = new Map(services.map((s) => [s.name, s]))
    const wanted = values.services?.split(",").map((s) => s.trim()).filter(Boolean)
    for (const w of wanted ?? []) if (!known.has(w)) throw new UsageError(`unknown service "${w}"; services are ${[...known.keys()].join(", ")}`)
    const chosen = (wanted ?? [...known.keys()]).map((n) => known.get(n)!)
    const notBuilt = chosen.filter((s) => !s.build)
    if (wanted && notBuilt.length) return fail(`service ${notBuilt.map((s) => s.name).join(", ")} is not built yet in this version of moor`, "see 'moor run --help' for the services; later releases add them")
    if (!wanted && notBuilt.length) process.stderr.write(`moor run: not built yet, not hosted: ${notBuilt.map((s) => s.name).join(", ")}\n`)
    const hosted = chosen.filter((s) => s.build)
    if (hosted.length === 0) return fail("no service to host: none of moor's services is built yet in this version", "this release has the runtime and 'moor cluster serve'; services arrive with their issues")

    const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG ?? join(homedir(), ".kube", "config")
    // In a pod (deploy/manifests) there is no kubeconfig: use the ServiceAccount, as client-go does.
    const inCluster = !values.kubeconfig && !process.env.KUBECONFIG && !existsSync(kubeconfig) && !!process.env.KUBERNETES_SERVICE_HOST
    if (!inCluster && !existsSync(kubeconfig)) return fail(`kubeconfig ${kubeconfig} does not exist`, "pass --kubeconfig FILE, or start a cluster with 'moor cluster serve'")
    const natsUrl = values.nats ?? process.env.MOOR_NATS_URL ?? "nats://127.0.0.1:4222"
    const replica = values.replica ?? `${hostname()}-${process.pid}`
    // Loaded here, not at the top: `moor --help` should not pay for NATS and Effect.
    const { ActorHost, connectNats, ensureJetStream, jsonLog, NatsTransport } = await import("@moor/actors")
    const { KubeClient } = await import("@moor/kube")
    const log = jsonLog("moor-run")
    let kube
    try {
      if (inCluster) {
        const { KubeConfig } = await import("@kubernetes/client-node")
        const kc = new KubeConfig()
        kc.loadFromCluster()
        kube = new KubeClient(kc)
      } else kube = KubeClient.fromFile(kubeconfig)
      await kube.request("GET", "/version")
    } catch (e) {
      return fail(`cannot reach the cluster of ${kubeconfig}: ${(e as Error).message}`, "is the API server running? 'moor cluster serve' starts an embedded one")
    }
    let nc
    try {
      nc = await connectNats(natsUrl, `moor-run-${replica}`)
    } catch (e) {
      return fail(`cannot connect to NATS at ${natsUrl}: ${(e as Error).message}`, "start one with 'nats-server -js' or pass --nats URL")
    }
    const { leases } = await ensureJetStream(nc)
    // Log lines also go to NATS for `moor logs` (see LogSink.ts); a failure to set up the stream is not fatal.
    const { ensureLogStream, natsLog } = await import("../LogSink.ts")
    await ensureLogStream(nc).catch((e: Error) => log.warn("no MOOR_LOGS stream: moor logs shows live lines only", { error: e.message }))
    const transport = new NatsTransport(nc)
    const hosts: Host[] = []
    for (const s of hosted) {
      const slog = natsLog(jsonLog(`moor-${s.name}`), nc, s.name, replica)
      const { behaviors, catalog } = await s.build!({ kube, nc, stateDir: values.state ?? ".moor", log: slog })
      const h = new ActorHost({ service: s.name, replica, transport, leases, catalog, behaviors, log: slog })
      await h.start()
      hosts.push(h)
    }
    log.info("moor run started", { replica, services: hosted.map((s) => s.name), nats: natsUrl, kubeconfig })
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve)
      process.once("SIGTERM", resolve)
    })
    // A clean stop hands partitions over; if NATS or the API server is gone it could
    // wait forever: give up after 20 s (a second signal ends it at once).
    const giveUp = setTimeout(() => {
      log.warn("shutdown did not finish in 20 s: exiting")
      process.exit(1)
    }, 20_000)
    giveUp.unref()
    process.once("SIGINT", () => process.exit(130))
    process.once("SIGTERM", () => process.exit(143))
    await Promise.all(hosts.map((h) => h.stop(10_000)))
    await nc.drain()
    kube.close()
    return 0
  },
}
