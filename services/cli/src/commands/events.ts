// `moor events`: moor's events, history from the JetStream stream MOOR_EVENTS
// and, with --watch, live from NATS, as `flux events` prints them.
import { parseArgs } from "node:util"
import type { Event } from "@moor/protocol"
import { UsageError, type CliCommand } from "../Command.ts"
import { CliError } from "../Kube.ts"
import { defaultNamespace } from "../Target.ts"

const age = (ts: string) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(ts)) / 1000))
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`
}
const line = (e: Event, all: boolean) =>
  [...(all ? [e.involvedObject.namespace ?? ""] : []), age(e.timestamp), e.severity === "error" ? "Warning" : "Normal", e.reason, `${e.involvedObject.kind}/${e.involvedObject.name}`, e.message]

export const events: CliCommand = {
  path: ["events"],
  summary: "Show moor's events (history from JetStream, live with --watch)",
  help: `Usage: moor events [--for Kind/NAME] [-n NS | -A] [--watch] [--nats URL]

Example:
  moor events --for GitRepository/flux-system --watch`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        for: { type: "string" },
        namespace: { type: "string", short: "n" },
        "all-namespaces": { type: "boolean", short: "A" },
        watch: { type: "boolean", short: "w" },
        nats: { type: "string" },
      },
      strict: true,
    })
    let kind: string | undefined
    let name: string | undefined
    if (values.for) {
      const m = /^([A-Za-z]+)\/([a-z0-9.-]+)$/.exec(values.for)
      if (!m) throw new UsageError(`--for takes Kind/NAME, such as GitRepository/flux-system`)
      kind = m[1]!
      name = m[2]!
    }
    const all = values["all-namespaces"] === true
    const ns = values.namespace ?? defaultNamespace
    const url = values.nats ?? process.env.MOOR_NATS_URL ?? "nats://127.0.0.1:4222"
    const { connectNats, NatsTransport, Client } = await import("@moor/actors")
    const { jetstream } = await import("@nats-io/jetstream")
    const { Codecs, EVENTS_STREAM, evtWildcard } = await import("@moor/protocol")
    let nc
    try {
      nc = await connectNats(url, "moor-events")
    } catch (e) {
      throw new CliError(`cannot connect to NATS at ${url}: ${(e as Error).message}`, "pass --nats URL or set MOOR_NATS_URL")
    }
    const subject = kind ? evtWildcard(kind.toLowerCase(), all ? undefined : ns) : "moor.evt.>"
    const keep = (e: Event) => (all || (e.involvedObject.namespace ?? "") === ns) && (!name || e.involvedObject.name === name) && (!kind || e.involvedObject.kind.toLowerCase() === kind.toLowerCase())
    const rows: string[][] = []
    try {
      const js = jetstream(nc)
      const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: subject })
      const info = await consumer.info(true)
      let left = info.num_pending
      if (left > 0) {
        const it = await consumer.consume()
        for await (const m of it) {
          try {
            const e = Codecs.event.decode(m.data)
            if (keep(e)) rows.push(line(e, all))
          } catch {
            // not an event of ours
          }
          if (--left <= 0) break
        }
        await it.close()
      }
    } catch (e) {
      await nc.close()
      throw new CliError(`cannot read the event history: ${(e as Error).message}`, "is this moor's NATS (with JetStream)?")
    }
    const { table } = await import("../Kube.ts")
    const header = [...(all ? ["NAMESPACE"] : []), "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    process.stdout.write(table(header, rows))
    if (values.watch) {
      const client = new Client(new NatsTransport(nc))
      client.events((e) => keep(e) && process.stdout.write(table(header, [line(e, all)]).split("\n").slice(1).join("\n")))
      await new Promise<void>((res) => {
        process.once("SIGINT", res)
        process.once("SIGTERM", res)
      })
    }
    await nc.drain()
    return 0
  },
}
