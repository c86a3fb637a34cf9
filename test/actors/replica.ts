// A replica process for the placement tests: hosts "widget" actors from a
// KV catalog, leases partitions in moor-leases, and logs every run's start
// and end (CLOCK_MONOTONIC, shared by all processes on the machine) so the
// test can check that no actor ever ran on two replicas at once.
import { appendFileSync } from "node:fs"
import { Effect } from "effect"
import { ActorHost, connectNats, ensureJetStream, KvCatalog, NatsTransport } from "@moor/actors"

const [url, replica, logFile] = process.argv.slice(2) as [string, string, string]
const nc = await connectNats(url, replica)
const { leases } = await ensureJetStream(nc)
const catalog = await KvCatalog.open(nc, "moor-test-catalog")
const now = () => process.hrtime.bigint().toString()

const host = new ActorHost({
  service: "widgets",
  replica,
  transport: new NatsTransport(nc),
  leases,
  catalog,
  placement: { tickMs: 500, leaseTtlMs: 3_000, takeoverGraceMs: 500 },
  behaviors: [
    {
      kind: "widget",
      kindName: "Widget",
      intervalMs: () => 150,
      run: (ctx) =>
        Effect.gen(function* () {
          const id = `${ctx.key.namespace}/${ctx.key.name}`
          appendFileSync(logFile, `start ${id} ${now()}\n`)
          yield* Effect.sleep(20 + Math.random() * 30)
          ctx.event({ reason: "Ran", message: `ran on ${replica}`, metadata: { replica } })
        }).pipe(Effect.onExit(() => Effect.sync(() => appendFileSync(logFile, `end ${ctx.key.namespace}/${ctx.key.name} ${now()}\n`)))),
    },
  ],
})
await host.start()
process.stdout.write(`ready ${replica}\n`)
const shutdown = async () => {
  await host.stop(5_000)
  await nc.drain()
  process.exit(0)
}
process.on("SIGTERM", () => void shutdown())
process.on("SIGINT", () => void shutdown())
