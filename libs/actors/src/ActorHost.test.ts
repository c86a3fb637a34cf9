// Actor logic on the in-memory transport: mailbox, supervision, schedules, commands.
import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { Codecs, type Event } from "@moor/protocol"
import { ActorHost } from "./ActorHost.ts"
import type { Behavior } from "./Behavior.ts"
import { MemoryCatalog } from "./Catalog.ts"
import { Client } from "./Client.ts"
import { Stalled, Waiting } from "./Errors.ts"
import { MemoryTransport } from "./MemoryTransport.ts"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const key = (name: string) => ({ kind: "widget", namespace: "default", name })

const setup = async (behavior: Behavior<any>, extra: Partial<ConstructorParameters<typeof ActorHost>[0]> = {}) => {
  const transport = new MemoryTransport()
  const catalog = new MemoryCatalog()
  // The debounce is explicit so these timings do not depend on the default.
  const host = new ActorHost({ service: "test", transport, catalog, behaviors: [behavior], debounce: { debounceMs: 200, maxWaitMs: 2_000 }, ...extra })
  const events: Event[] = []
  transport.subscribe("moor.evt.>", (m) => events.push(Codecs.event.decode(m.data)))
  await host.start()
  return { transport, catalog, host, events, client: new Client(transport) }
}

test("100 rapid spec updates lead to at most 2 runs, the last with the newest spec", async (t) => {
  for (const [label, runMs, gapMs] of [
    ["slow handler, synchronous burst", 50, 0],
    ["slow handler, spread burst", 50, 1],
    ["instant handler, spread burst", 0, 1],
  ] as const) {
    const seen: number[] = []
    const { catalog, host } = await setup({
      kind: "widget",
      run: (ctx) => Effect.sync(() => seen.push((ctx.spec as { v: number }).v)).pipe(Effect.andThen(Effect.sleep(runMs))),
    })
    for (let v = 1; v <= 100; v++) {
      catalog.put({ key: key("a"), generation: v, spec: { v } })
      if (gapMs) await sleep(gapMs)
    }
    await sleep(700)
    assert.ok(seen.length >= 1 && seen.length <= 2, `${label}: ${seen.length} runs`)
    assert.equal(seen.at(-1), 100, label)
    assert.equal(host.status(key("a"))!.observedGeneration, 100, label)
    await host.stop()
  }
})

test("a newer spec interrupts a stale run", async () => {
  let interrupted = 0
  const { catalog, host } = await setup({
    kind: "widget",
    run: () => Effect.sleep(5_000).pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++))),
  })
  catalog.put({ key: key("a"), generation: 1, spec: {} })
  await sleep(20)
  assert.equal(host.status(key("a"))!.phase, "running")
  catalog.put({ key: key("a"), generation: 2, spec: {} })
  await sleep(20)
  assert.equal(interrupted, 1)
  await host.stop()
})

test("a throwing handler is logged, published and retried with backoff; others keep running", async (t) => {
  const attempts: number[] = []
  let healthy = 0
  const { catalog, host, events } = await setup({
    kind: "widget",
    backoff: { baseMs: 20, factor: 2, capMs: 1_000, jitter: 0 },
    intervalMs: () => 30,
    run: (ctx) =>
      Effect.sync(() => {
        if (ctx.key.name === "good") return void healthy++
        attempts.push(Date.now())
        throw new Error("boom: the handler threw")
      }),
  })
  t.after(() => host.stop())
  catalog.put({ key: key("bad"), generation: 1, spec: {} })
  catalog.put({ key: key("good"), generation: 1, spec: {} })
  // About 300 ms on an idle machine; polled with a generous deadline for a loaded one.
  for (const end = Date.now() + 10_000; (attempts.length < 4 || healthy < 5) && Date.now() < end; ) await sleep(20)
  assert.ok(attempts.length >= 4, `attempts ${attempts.length}`)
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!)
  // 20, 40, 80, 160 ms: each gap at least the scheduled delay, and growing.
  for (const [i, g] of gaps.slice(0, 3).entries()) assert.ok(g >= 20 * 2 ** i - 2, `gap ${i}: ${g}`)
  assert.ok(gaps[2]! > gaps[0]!)
  const st = host.status(key("bad"))!
  assert.equal(st.phase, "backoff")
  assert.match(st.lastError!, /boom/)
  assert.ok(events.some((e) => e.involvedObject.name === "bad" && e.severity === "error" && /boom/.test(e.message)))
  assert.ok(healthy >= 5, `healthy ran ${healthy}`)
})

test("stalled errors wait for a spec change; waiting errors retry after their delay", async () => {
  const runs: string[] = []
  const { catalog, host, events } = await setup({
    kind: "widget",
    run: (ctx) =>
      Effect.suspend((): Effect.Effect<void, Stalled | Waiting> => {
        runs.push(`${ctx.key.name}@${ctx.generation}`)
        if (ctx.key.name === "stalled" && ctx.generation === 1) return Effect.fail(new Stalled({ reason: "InvalidURL", message: "bad url" }))
        if (ctx.key.name === "waiting" && runs.filter((r) => r.startsWith("waiting")).length < 3)
          return Effect.fail(new Waiting({ reason: "DependencyNotReady", message: "dep", retryAfterMs: 30, metadata: { revision: "main@sha1:1" } }))
        return Effect.void
      }),
  })
  catalog.put({ key: key("stalled"), generation: 1, spec: {} })
  catalog.put({ key: key("waiting"), generation: 1, spec: {} })
  await sleep(250)
  assert.deepEqual(runs.filter((r) => r.startsWith("stalled")), ["stalled@1"])
  assert.equal(runs.filter((r) => r.startsWith("waiting")).length, 3)
  assert.equal(host.status(key("waiting"))!.failures, 0)
  // Waiting is told as info (as Flux's DependencyNotReady), a stalled run as an error.
  const severities = (name: string) => [...new Set(events.filter((e) => e.involvedObject.name === name).map((e) => `${e.severity} ${e.reason}`))]
  assert.deepEqual(severities("waiting"), ["info DependencyNotReady"])
  assert.deepEqual(severities("stalled"), ["error InvalidURL"])
  // A run's error carries the event's metadata (the revision it is about).
  assert.ok(events.filter((e) => e.involvedObject.name === "waiting").every((e) => e.metadata?.revision === "main@sha1:1"))
  catalog.put({ key: key("stalled"), generation: 2, spec: {} })
  await sleep(50)
  assert.deepEqual(runs.filter((r) => r.startsWith("stalled")), ["stalled@1", "stalled@2"])
  await host.stop()
})

test("a run past its timeout fails and is retried", async () => {
  let n = 0
  const { catalog, host, events } = await setup({
    kind: "widget",
    timeoutMs: () => 30,
    backoff: { baseMs: 10, factor: 1, capMs: 10, jitter: 0 },
    run: () => Effect.suspend(() => (++n < 3 ? Effect.sleep(1_000) : Effect.void)),
  })
  catalog.put({ key: key("slow"), generation: 1, spec: {} })
  await sleep(250)
  assert.equal(n, 3)
  assert.equal(events.filter((e) => /timeout of 30 ms/.test(e.message)).length, 2)
  assert.equal(host.status(key("slow"))!.failures, 0)
  await host.stop()
})

test("an invalid spec stalls the actor with the decoder's message", async () => {
  let runs = 0
  const { catalog, host, events } = await setup({
    kind: "widget",
    decode: (u) => {
      const s = u as { interval?: unknown }
      if (typeof s.interval !== "string") throw new Error(`spec.interval: Expected string, got ${JSON.stringify(s.interval)}`)
      return s
    },
    run: () => Effect.sync(() => void runs++),
  })
  catalog.put({ key: key("w"), generation: 1, spec: { interval: 5 } })
  await sleep(30)
  assert.equal(runs, 0)
  const ev = events.find((e) => e.reason === "InvalidSpec")
  assert.equal(ev?.message, "spec.interval: Expected string, got 5")
  assert.equal(host.status(key("w"))!.lastError, "spec.interval: Expected string, got 5")
  catalog.put({ key: key("w"), generation: 2, spec: { interval: "1m" } })
  await sleep(400)
  assert.equal(runs, 1)
  await host.stop()
})

test("commands: status, reconcile, suspend, resume, deleted; unknown actors and bad commands", async () => {
  let runs = 0
  const { catalog, host, client } = await setup({ kind: "widget", intervalMs: () => 60_000, run: () => Effect.sync(() => void runs++) })
  catalog.put({ key: key("c"), generation: 1, spec: {} })
  await sleep(20)
  let r = await client.command(key("c"), { type: "status" })
  assert.ok(r.ok && r.status.runs === 1 && r.status.phase === "idle" && r.status.nextRunAt !== undefined)
  r = await client.command(key("c"), { type: "reconcile" })
  await sleep(20)
  assert.equal(runs, 2)
  r = await client.command(key("c"), { type: "suspend" })
  assert.ok(r.ok && r.status.phase === "suspended" && r.status.nextRunAt === undefined)
  catalog.put({ key: key("c"), generation: 2, spec: {} })
  await sleep(150)
  assert.equal(runs, 2, "a suspended actor does not run on spec change")
  r = await client.command(key("c"), { type: "resume" })
  await sleep(20)
  assert.equal(runs, 3)
  assert.equal(host.status(key("c"))!.observedGeneration, 2)
  r = await client.command(key("nope"), { type: "status" })
  assert.ok(!r.ok && r.error.reason === "NotFound")
  const raw = Codecs.commandReply.decode(await new MemoryTransport().request.call(
    (client as unknown as { transport: MemoryTransport }).transport,
    "moor.cmd.widget.default.c",
    new TextEncoder().encode(JSON.stringify({ type: "explode" })),
    1_000,
  ))
  assert.ok(!raw.ok && raw.error.reason === "BadCommand")
  r = await client.command(key("c"), { type: "deleted" })
  await sleep(10)
  assert.equal(host.size, 0)
  await host.stop()
})

test("concurrency is bounded and every actor still runs", async () => {
  let inFlight = 0
  let peak = 0
  let done = 0
  const { catalog, host } = await setup(
    {
      kind: "widget",
      run: () =>
        Effect.sync(() => {
          inFlight++
          peak = Math.max(peak, inFlight)
        }).pipe(
          Effect.andThen(Effect.sleep(2)),
          Effect.ensuring(Effect.sync(() => (inFlight--, done++))),
        ),
    },
    { maxConcurrentRuns: 8 },
  )
  for (let i = 0; i < 200; i++) catalog.put({ key: key(`n${i}`), generation: 1, spec: {} })
  const end = Date.now() + 5_000
  while (done < 200 && Date.now() < end) await sleep(10)
  assert.equal(done, 200)
  assert.equal(peak, 8)
  await host.stop()
})

test("a new request token runs the actor at once; the same generation otherwise only refreshes the object", async () => {
  const runs: { gen: number; label: string }[] = []
  const { catalog, host } = await setup({
    kind: "widget",
    intervalMs: () => 60_000,
    run: (ctx) => Effect.sync(() => void runs.push({ gen: ctx.generation, label: (ctx.spec as { label: string }).label })),
  })
  catalog.put({ key: key("r"), generation: 1, spec: { label: "a" } })
  await sleep(20)
  catalog.put({ key: key("r"), generation: 1, spec: { label: "b" } })
  await sleep(150)
  assert.deepEqual(runs, [{ gen: 1, label: "a" }], "a label change alone does not run")
  catalog.put({ key: key("r"), generation: 1, spec: { label: "c" }, requestToken: "2026-11-25T00:00:00Z" })
  await sleep(20)
  assert.deepEqual(runs.at(-1), { gen: 1, label: "c" }, "the request runs with the refreshed object")
  catalog.put({ key: key("r"), generation: 1, spec: { label: "d" }, requestToken: "2026-11-25T00:00:00Z" })
  await sleep(150)
  assert.equal(runs.length, 2, "the same token does not run again")
  await host.stop()
})

test("deleting a resource stops its actor and calls the behaviour's cleanup", async () => {
  const deleted: string[] = []
  const { catalog, host } = await setup({ kind: "widget", run: () => Effect.sleep(1_000), deleted: async (k) => void deleted.push(k.name) })
  catalog.put({ key: key("gone"), generation: 1, spec: {} })
  await sleep(20)
  assert.equal(host.status(key("gone"))!.phase, "running")
  catalog.remove(key("gone"))
  await sleep(20)
  assert.equal(host.size, 0)
  assert.deepEqual(deleted, ["gone"])
  await host.stop()
})

test("serialRuns: a run interrupted by a newer spec is waited for before the next starts", async (t) => {
  const { serialRuns } = await import("./Runs.ts")
  let active = 0
  let maxActive = 0
  const aborted: boolean[] = []
  const { catalog, host } = await setup({
    kind: "widget",
    // A promise that ignores interruption for 500 ms (longer than the 200 ms debounce after which
    // the newer spec runs), as a reconcile mid-request would.
    run: serialRuns(async (_ctx, signal) => {
      active++
      maxActive = Math.max(maxActive, active)
      await sleep(500)
      aborted.push(signal.aborted)
      active--
    }),
  })
  t.after(() => host.stop())
  catalog.put({ key: key("a"), generation: 1, spec: {} })
  await sleep(30)
  catalog.put({ key: key("a"), generation: 2, spec: {} })
  for (const end = Date.now() + 5_000; aborted.length < 2 && Date.now() < end; ) await sleep(20)
  assert.deepEqual(aborted, [true, false], "the first run saw its abort; the second ran to the end")
  assert.equal(maxActive, 1, "never two runs of one actor at once")
})
