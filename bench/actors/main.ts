// bench/actors: the actor runtime on a real nats-server over loopback.
// - command round trip (p50/p99) vs a raw NATS request/reply echo;
// - events/s published by 1,000 actors vs raw publishes of the same bytes;
// - resident memory per idle actor at 10,000 actors.
import { performance } from "node:perf_hooks"
import { Effect } from "effect"
import { ActorHost, Client, connectNats, ensureJetStream, MemoryCatalog, NatsTransport } from "@moor/actors"
import { startNatsServer } from "@moor/testing"
import { median, quantile, report, type Row } from "../report.ts"

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 50))
  }
}

const nats = await startNatsServer()
const rows: Row[] = []
try {
  const hostConn = await connectNats(nats.url, "bench-host")
  const clientConn = await connectNats(nats.url, "bench-client")
  const { leases } = await ensureJetStream(hostConn)

  // ---- command round trip ----
  {
    const catalog = new MemoryCatalog()
    for (let i = 0; i < 1_000; i++) catalog.put({ key: { kind: "widget", namespace: "bench", name: `w${i}` }, generation: 1, spec: {} })
    const host = new ActorHost({ service: "rtt", transport: new NatsTransport(hostConn), leases, catalog, behaviors: [{ kind: "widget", run: () => Effect.void }] })
    await host.start()
    while (host.size < 1_000) await new Promise((r) => setTimeout(r, 10))
    const client = new Client(new NatsTransport(clientConn))
    const echo = hostConn.subscribe("bench.echo", { callback: (_e, m) => void m.respond(m.data) })
    await hostConn.flush()
    const N = 5_000
    const measure = async (f: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < 300; i++) await f(i)
      const xs: number[] = []
      for (let i = 0; i < N; i++) {
        const t0 = performance.now()
        await f(i)
        xs.push(performance.now() - t0)
      }
      return xs
    }
    const payload = new TextEncoder().encode(JSON.stringify({ type: "status" }))
    const raw = await measure(() => clientConn.request("bench.echo", payload, { timeout: 2_000 }))
    const moor = await measure(async (i) => {
      const r = await client.command({ kind: "widget", namespace: "bench", name: `w${(i * 7919) % 1_000}` }, { type: "status" }, 2_000)
      if (!r.ok) throw new Error(JSON.stringify(r))
    })
    echo.unsubscribe()
    const p50 = quantile(moor, 0.5)
    rows.push({ metric: "command round trip p50", moor: p50, reference: quantile(raw, 0.5), referenceName: "raw NATS echo", unit: "ms", target: "<= 1 ms", met: p50 <= 1 })
    rows.push({ metric: "command round trip p99", moor: quantile(moor, 0.99), reference: quantile(raw, 0.99), referenceName: "raw NATS echo", unit: "ms" })
    await host.stop()
  }

  // ---- events per second from 1,000 actors (median of 5 rounds, each against its raw reference) ----
  {
    const ACTORS = 1_000
    const PER = 50
    const total = ACTORS * PER
    const counter = (subject: string) => {
      let n = 0
      let done: () => void
      const all = new Promise<void>((r) => (done = r))
      const sub = clientConn.subscribe(subject, { callback: () => void (++n === total && done()) })
      return { all, sub }
    }
    const sample = new TextEncoder().encode(
      JSON.stringify({
        involvedObject: { kind: "Widget", namespace: "bench", name: "w1" },
        severity: "info",
        timestamp: new Date().toISOString(),
        message: "reconciliation finished, next run in 10m",
        reason: "ReconciliationSucceeded",
        reportingController: "moor-events",
        reportingInstance: "bench",
      }),
    )
    const moorRates: number[] = []
    const refRates: number[] = []
    for (let round = 0; round < 5; round++) {
      // Reference: the same number of raw publishes of an event-sized payload.
      const ref = counter("moor.evt.rawref.>")
      await clientConn.flush()
      let t0 = performance.now()
      for (let i = 0; i < total; i++) hostConn.publish(`moor.evt.rawref.bench.w${i % ACTORS}`, sample)
      await ref.all
      refRates.push(total / ((performance.now() - t0) / 1_000))
      ref.sub.unsubscribe()

      const got = counter(`moor.evt.widget${round}.>`)
      await clientConn.flush()
      const catalog = new MemoryCatalog()
      const kind = `widget${round}`
      const host = new ActorHost({
        service: `events${round}`,
        transport: new NatsTransport(hostConn),
        leases,
        catalog,
        maxConcurrentRuns: 1_000,
        behaviors: [
          {
            kind,
            kindName: "Widget",
            run: (ctx) =>
              Effect.sync(() => {
                for (let i = 0; i < PER; i++) ctx.event({ reason: "ReconciliationSucceeded", message: "reconciliation finished, next run in 10m" })
              }),
          },
        ],
      })
      await host.start()
      t0 = performance.now()
      for (let i = 0; i < ACTORS; i++) catalog.put({ key: { kind, namespace: "bench", name: `w${i}` }, generation: 1, spec: {} })
      await got.all
      moorRates.push(total / ((performance.now() - t0) / 1_000))
      got.sub.unsubscribe()
      await host.stop()
    }
    const rate = median(moorRates)
    rows.push({ metric: `events/s from ${ACTORS} actors (${total} events, median of 5)`, moor: rate, reference: median(refRates), referenceName: "raw publish", unit: "events/s", target: ">= 20,000", met: rate >= 20_000 })
  }

  // ---- memory per idle actor at 10,000 ----
  {
    const N = 10_000
    const catalog = new MemoryCatalog()
    await settle()
    const m0 = process.memoryUsage()
    for (let i = 0; i < N; i++) catalog.put({ key: { kind: "widget", namespace: `team-${i % 50}`, name: `app-${i}` }, generation: 1, spec: { interval: "10m", path: `./apps/app-${i}` } })
    await settle()
    const m1 = process.memoryUsage()
    const host = new ActorHost({
      service: "memory",
      transport: new NatsTransport(hostConn),
      leases,
      catalog,
      maxConcurrentRuns: 256,
      behaviors: [{ kind: "widget", intervalMs: () => 3_600_000, run: () => Effect.void }],
    })
    await host.start()
    while (host.size < N || host.running > 0) await new Promise((r) => setTimeout(r, 20))
    await new Promise((r) => setTimeout(r, 200))
    await settle()
    const m2 = process.memoryUsage()
    const rss = (m2.rss - m1.rss) / N
    const heap = (m2.heapUsed - m1.heapUsed) / N
    rows.push({ metric: "resident memory per idle actor (RSS delta / 10,000)", moor: rss / 1024, unit: "KB", target: "<= 10 KB", met: rss / 1024 <= 10 })
    rows.push({ metric: "heap per idle actor", moor: heap / 1024, reference: (m1.heapUsed - m0.heapUsed) / N / 1024, referenceName: "its catalog entry", unit: "KB" })
    await host.stop()
  }
  await hostConn.drain()
  await clientConn.drain()
} finally {
  await nats.stop()
}
report("actors", rows)
