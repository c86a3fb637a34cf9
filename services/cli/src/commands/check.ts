// `moor check [--pre]`: what moor needs, as `flux check` checks it. --pre: the
// Kubernetes API (reachable, recent enough) and NATS (reachable, JetStream on).
// Then: Flux's CRDs installed at the versions moor serves, and each built
// service with a live replica in the lease bucket (that is, hosting actors), or
// for the apply service, which hosts none, an answer on moor.apply.<cluster>.
import { parseArgs } from "node:util"
import { green, red, type CliCommand } from "../Command.ts"
import { connect } from "../Kube.ts"
import { kubeconfigPath } from "../Target.ts"

/** The oldest Kubernetes moor supports (the CRDs load on 1.20; Flux 2.x wants a recent one). */
export const MIN_KUBE = [1, 28] as const

interface Result {
  readonly ok: boolean
  readonly line: string
}

const ok = (line: string): Result => ({ ok: true, line })
const bad = (line: string): Result => ({ ok: false, line })
const print = (r: Result) => process.stderr.write(`${r.ok ? green("✔") : red("✗")} ${r.line}\n`)

export const check: CliCommand = {
  path: ["check"],
  summary: "Check the prerequisites and that moor's services are running",
  help: `Usage: moor check [--pre] [--kubeconfig FILE] [--nats URL] [--cluster NAME]

Checks, as flux check does:
  --pre   only the prerequisites: the Kubernetes API is reachable and at least
          v${MIN_KUBE.join(".")}, NATS is reachable with JetStream enabled
  (none)  also Flux's CRDs (installed, serving the versions moor reads), the
          MOOR_EVENTS stream, and every built service with a live replica
Exits 1 when a check fails.

Flags:
  --kubeconfig FILE  cluster (default: $KUBECONFIG, then ~/.kube/config)
  --nats URL         NATS server (default: $MOOR_NATS_URL, then nats://127.0.0.1:4222)
  --cluster NAME     the cluster whose apply service answers moor.apply.NAME (default: hub)

Example:
  moor check --pre`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { pre: { type: "boolean" }, kubeconfig: { type: "string" }, nats: { type: "string" }, cluster: { type: "string" } }, strict: true })
    const results: Result[] = []
    const add = (r: Result) => {
      results.push(r)
      print(r)
    }
    process.stderr.write("► checking prerequisites\n")
    // Kubernetes.
    const kcPath = kubeconfigPath(values.kubeconfig)
    const kube = await connect(kcPath).catch((e: Error & { hint?: string }) => {
      add(bad(`${e.message}${e.hint ? ` (${e.hint})` : ""}`))
      return undefined
    })
    if (kube) {
      const v = await kube.request<{ gitVersion: string; major: string; minor: string }>("GET", "/version")
      const [maj, min] = [Number.parseInt(v.major, 10), Number.parseInt(v.minor, 10)]
      const recent = maj > MIN_KUBE[0] || (maj === MIN_KUBE[0] && min >= MIN_KUBE[1])
      add(recent ? ok(`Kubernetes ${v.gitVersion} >=${MIN_KUBE.join(".")}.0`) : bad(`Kubernetes ${v.gitVersion} is older than ${MIN_KUBE.join(".")}: upgrade the cluster`))
    }
    // NATS with JetStream.
    const url = values.nats ?? process.env.MOOR_NATS_URL ?? "nats://127.0.0.1:4222"
    const { connectNats } = await import("@moor/actors")
    const { jetstreamManager } = await import("@nats-io/jetstream")
    const nc = await connectNats(url, "moor-check").catch((e: Error) => {
      add(bad(`NATS at ${url} is not reachable: ${e.message} (pass --nats URL or set MOOR_NATS_URL)`))
      return undefined
    })
    let jsm
    if (nc) {
      try {
        jsm = await jetstreamManager(nc)
        await jsm.getAccountInfo()
        add(ok(`NATS ${nc.info?.version ?? "?"} at ${url} with JetStream`))
      } catch (e) {
        jsm = undefined
        add(bad(`NATS at ${url} has no JetStream: ${(e as Error).message} (start nats-server with -js)`))
      }
    }
    try {
      if (!values.pre) {
        if (kube) {
          process.stderr.write("► checking CRDs\n")
          const { allKinds } = await import("@moor/api")
          const crds = await kube.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition")
          for (const k of allKinds) {
            const crd = await kube.find(crds, undefined, `${k.plural}.${k.group}`)
            if (!crd) {
              add(bad(`${k.plural}.${k.group} is not installed (kubectl apply -k deploy/crds, or moor bootstrap)`))
              continue
            }
            const served = ((crd.spec?.versions ?? []) as { name: string; served?: boolean; storage?: boolean }[]).filter((v) => v.served)
            const storage = ((crd.spec?.versions ?? []) as { name: string; storage?: boolean }[]).find((v) => v.storage)?.name
            if (!served.some((v) => v.name === k.version)) add(bad(`${k.plural}.${k.group} does not serve ${k.version} (serves ${served.map((v) => v.name).join(", ") || "nothing"}): update the CRDs`))
            else add(ok(`${k.plural}.${k.group}: ${k.version}${storage && storage !== k.version ? ` (storage ${storage})` : ""}`))
          }
        }
        if (jsm && nc) {
          process.stderr.write("► checking services\n")
          const { EVENTS_STREAM, LEASES_BUCKET } = await import("@moor/protocol")
          try {
            await jsm.streams.info(EVENTS_STREAM)
            add(ok(`stream ${EVENTS_STREAM}`))
          } catch {
            add(bad(`stream ${EVENTS_STREAM} is missing: no moor service has started on this NATS`))
          }
          const { services } = await import("../services.ts")
          const { Kvm } = await import("@nats-io/kv")
          const live = new Map<string, string[]>()
          const partitions = new Map<string, number>()
          try {
            const kv = await new Kvm(nc).open(LEASES_BUCKET)
            const now = Date.now()
            // keys() may yield a key twice when it is written during the listing (the services
            // renew their leases every second), so each key is read once
            const seen = new Set<string>()
            for await (const key of await kv.keys()) {
              if (seen.has(key)) continue
              seen.add(key)
              const e = await kv.get(key)
              if (!e || e.operation !== "PUT") continue
              const [t, service] = key.split(".")
              const rec = e.json<{ expiresAt: number; replica?: string; owner?: string }>()
              if (rec.expiresAt <= now) continue
              if (t === "m") live.set(service!, [...(live.get(service!) ?? []), rec.replica ?? "?"])
              if (t === "p") partitions.set(service!, (partitions.get(service!) ?? 0) + 1)
            }
          } catch {
            // no bucket: no service has started; reported per service below
          }
          // The apply service hosts no actors of a kind (no leases): it is alive when something
          // answers on its subject; it answers any request, a malformed one with an error.
          const { applySubject } = await import("@moor/protocol")
          const cluster = values.cluster ?? "hub"
          const applyAlive = await nc
            .request(applySubject(cluster), new TextEncoder().encode("{}"), { timeout: 5_000 })
            .then(() => true)
            .catch(() => false)
          for (const s of services) {
            const replicas = live.get(s.name) ?? []
            if (!s.build) process.stderr.write(`  ${s.name}: not built yet in this version\n`)
            else if (s.name === "apply")
              add(applyAlive ? ok(`apply: answering on ${applySubject(cluster)}`) : bad(`apply: nothing answers on ${applySubject(cluster)} (start 'moor run --services apply', or check its Deployment in flux-system)`))
            else if (replicas.length) add(ok(`${s.name}: ${replicas.length} replica${replicas.length > 1 ? "s" : ""} (${replicas.join(", ")}), ${partitions.get(s.name) ?? 0} partitions leased`))
            else add(bad(`${s.name}: no live replica (start 'moor run --services ${s.name}', or check its Deployment in flux-system)`))
          }
        }
      }
    } finally {
      kube?.close()
      await nc?.close()
    }
    const failed = results.filter((r) => !r.ok).length
    if (failed) {
      process.stderr.write(`${red("✗")} ${failed} check${failed > 1 ? "s" : ""} failed\n`)
      return 1
    }
    process.stderr.write(`${green("✔")} all checks passed\n`)
    return 0
  },
}
