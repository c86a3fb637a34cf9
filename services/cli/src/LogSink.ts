// moor's log lines on NATS, so `moor logs` can show them wherever the services
// run (pods, `moor dev`, several machines) without access to their stdout.
//
// Why NATS and not pod logs (flux logs reads the controllers' pod logs): moor's
// services are often not pods (`moor dev`, `moor run` on a laptop against the
// embedded API server), while they always share a NATS. Each line is still
// written to stderr as JSON for the platform's log collector; the copy goes to
// `moor.log.<service>.<replica>` (core NATS: never blocks the service) and a
// small JetStream stream MOOR_LOGS keeps the last hour (bounded in bytes) for
// `moor logs` without --follow. Log fields never carry secrets (see Log).
import type { NatsConnection } from "@nats-io/transport-node"
import type { Level, Log } from "@moor/actors"

export const LOG_STREAM = "MOOR_LOGS"
export const LOG_SUBJECTS = "moor.log.>"

/** Any string as one NATS token (replica names come from host names: any case, any character). */
const token = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "x"

/** The subject of one replica's log lines. */
export const logSubject = (service: string, replica: string): string => `moor.log.${token(service)}.${token(replica)}`

/** The subjects of every replica of a service. */
export const serviceLogSubjects = (service: string): string => `moor.log.${token(service)}.>`

/** One log line as published: the JSON line of jsonLog plus service and replica. */
export interface LogLine {
  readonly ts: string
  readonly level: Level
  readonly msg: string
  readonly service: string
  readonly replica: string
  readonly key?: string
  readonly [field: string]: unknown
}

/** Creates MOOR_LOGS when missing (1 hour, 64 MiB, oldest dropped first). Idempotent. */
export const ensureLogStream = async (nc: NatsConnection): Promise<void> => {
  const { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } = await import("@nats-io/jetstream")
  const jsm = await jetstreamManager(nc)
  try {
    await jsm.streams.info(LOG_STREAM)
  } catch {
    await jsm.streams.add({
      name: LOG_STREAM,
      subjects: [LOG_SUBJECTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 3600 * 1_000_000_000,
      max_bytes: 64 * 1024 * 1024,
      max_msg_size: 64 * 1024,
    })
  }
}

const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** A Log that writes to `base` and publishes each line at or above `level` on the replica's subject. */
export const natsLog = (base: Log, nc: NatsConnection, service: string, replica: string, level: Level = "info"): Log => {
  const subject = logSubject(service, replica)
  const at = (lv: Level) => (msg: string, fields?: Record<string, unknown>) => {
    base[lv](msg, fields)
    if (order[lv] < order[level]) return
    try {
      nc.publish(subject, JSON.stringify({ ts: new Date().toISOString(), level: lv, msg, ...fields, service, replica }))
    } catch {
      // a closed connection at shutdown: the line is on stderr anyway
    }
  }
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }
}
