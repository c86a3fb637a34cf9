// `moor logs`: the log lines of moor's services, read from NATS (see
// LogSink.ts for why NATS rather than pod logs): the last hour from the
// MOOR_LOGS stream, then live with --follow. Filters as flux logs has them.
import { parseArgs } from "node:util"
import { parseDuration } from "@moor/api"
import { dim, red, UsageError, type CliCommand } from "../Command.ts"
import { CliError } from "../Kube.ts"
import type { LogLine } from "../LogSink.ts"

const levels = ["debug", "info", "warn", "error"] as const
type Level = (typeof levels)[number]

/** "kustomization/flux-system/apps" from a line's key field, split. */
const keyOf = (l: LogLine) => {
  const [kind, namespace, name] = typeof l.key === "string" ? l.key.split("/") : []
  return { kind, namespace, name }
}

/** One line: time, level, service, the actor (Kind/namespace/name) if any, message, other fields. */
export const formatLine = (l: LogLine): string => {
  const { ts, level, msg, service, replica: _r, key, component: _c, ...rest } = l
  const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")
  const lv = level === "error" ? red(level) : level
  return [ts, lv.padEnd(5), service, key ?? "-", msg, extra ? dim(extra) : ""].filter((x) => x !== "").join(" ")
}

export const logs: CliCommand = {
  path: ["logs"],
  summary: "Show the log lines of moor's services (from NATS; live with --follow)",
  help: `Usage: moor logs [--follow] [--kind KIND] [--name NAME] [-n NS | -A] [--level LEVEL]
                 [--service NAME] [--since 10m] [--tail N] [--nats URL]

moor's services write JSON log lines to stderr and publish a copy on NATS
(moor.log.<service>.<replica>); the stream MOOR_LOGS keeps the last hour.
This prints them, oldest first, and with --follow keeps printing new ones.

Flags:
  -f, --follow        keep streaming new lines
  --kind KIND         only lines about actors of this kind (Kustomization, GitRepository...)
  --name NAME         only lines about actors with this name
  -n, --namespace NS  only lines about actors in this namespace
  -A                  lines about every namespace, and lines about no actor (default)
  --level LEVEL       debug, info, warn or error: that level and above (default: all)
  --service NAME      only lines of this service (source, kustomize...)
  --since DURATION    only lines newer than this (default: the stream's hour)
  --tail N            only the last N lines of the history
  --nats URL          NATS server (default: $MOOR_NATS_URL, then nats://127.0.0.1:4222)

Example:
  moor logs --kind Kustomization --name apps --level warn --follow`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        follow: { type: "boolean", short: "f" },
        kind: { type: "string" },
        name: { type: "string" },
        namespace: { type: "string", short: "n" },
        "all-namespaces": { type: "boolean", short: "A" },
        level: { type: "string" },
        service: { type: "string" },
        since: { type: "string" },
        tail: { type: "string" },
        nats: { type: "string" },
      },
      strict: true,
    })
    const level = values.level as Level | undefined
    if (level !== undefined && !levels.includes(level)) throw new UsageError(`--level ${level}: use one of ${levels.join(", ")}`)
    let sinceMs: number | undefined
    if (values.since !== undefined) {
      try {
        sinceMs = parseDuration(values.since)
      } catch (e) {
        throw new UsageError(`--since: ${(e as Error).message}`)
      }
    }
    const tail = values.tail === undefined ? undefined : Number(values.tail)
    if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0)) throw new UsageError(`--tail ${values.tail}: give a number of lines`)
    const kind = values.kind?.toLowerCase()
    const keep = (l: LogLine) => {
      const k = keyOf(l)
      if (level && levels.indexOf(l.level as Level) < levels.indexOf(level)) return false
      if (kind && k.kind !== kind) return false
      if (values.name && k.name !== values.name) return false
      if (values.namespace && !values["all-namespaces"] && k.namespace !== values.namespace) return false
      if (values.service && l.service !== values.service) return false
      return true
    }

    const url = values.nats ?? process.env.MOOR_NATS_URL ?? "nats://127.0.0.1:4222"
    const { connectNats } = await import("@moor/actors")
    const { jetstream, DeliverPolicy } = await import("@nats-io/jetstream")
    const { LOG_STREAM, serviceLogSubjects } = await import("../LogSink.ts")
    let nc
    try {
      nc = await connectNats(url, "moor-logs")
    } catch (e) {
      throw new CliError(`cannot connect to NATS at ${url}: ${(e as Error).message}`, "pass --nats URL or set MOOR_NATS_URL")
    }
    const subject = values.service ? serviceLogSubjects(values.service) : "moor.log.>"
    const decode = (data: Uint8Array): LogLine | undefined => {
      try {
        return JSON.parse(new TextDecoder().decode(data)) as LogLine
      } catch {
        return undefined
      }
    }
    const out = (l: LogLine) => process.stdout.write(formatLine(l) + "\n")
    try {
      const js = jetstream(nc)
      let consumer
      try {
        consumer = await js.consumers.get(LOG_STREAM, {
          filter_subjects: subject,
          ...(sinceMs !== undefined ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Date.now() - sinceMs).toISOString() } : {}),
        })
      } catch (e) {
        throw new CliError(`cannot read the log stream ${LOG_STREAM}: ${(e as Error).message}`, "it is created by 'moor run'; is a moor service running on this NATS?")
      }
      // History: what is pending now; then, with --follow, whatever arrives (the same ordered consumer).
      let left = (await consumer.info(true)).num_pending
      const history: LogLine[] = []
      if (left > 0 || values.follow) {
        const it = await consumer.consume()
        const stop = () => void it.close()
        process.once("SIGINT", stop)
        process.once("SIGTERM", stop)
        for await (const m of it) {
          const l = decode(m.data)
          if (left > 0) {
            left--
            if (l && keep(l)) history.push(l)
            if (left === 0) {
              for (const h of tail === undefined ? history : history.slice(Math.max(0, history.length - tail))) out(h)
              if (!values.follow) break
            }
            continue
          }
          if (l && keep(l)) out(l)
        }
        await it.close()
      }
      return 0
    } finally {
      await nc.close()
    }
  },
}
