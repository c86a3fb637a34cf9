// The actor host on a real nats-server: many actors, commands over NATS,
// events kept in the MOOR_EVENTS stream, spec bursts over the wire.
import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { jetstream, jetstreamManager } from "@nats-io/jetstream"
import { ActorHost, Client, connectNats, ensureJetStream, MemoryCatalog, NatsTransport } from "@moor/actors"
import { Codecs, EVENTS_STREAM } from "@moor/protocol"
import { startNatsServer, waitFor } from "@moor/testing"

const setup = async (t: { after: (f: () => unknown) => void }) => {
  const nats = await startNatsServer()
  t.after(() => nats.stop())
  const nc = await connectNats(nats.url, "host-test")
  t.after(() => nc.close())
  const { leases } = await ensureJetStream(nc)
  return { nats, nc, leases, transport: new NatsTransport(nc) }
}

test("one process hosts 10,000 actors; each runs and answers commands", { timeout: 60_000 }, async (t) => {
  const { transport, leases } = await setup(t)
  const catalog = new MemoryCatalog()
  const ran = new Set<string>()
  const host = new ActorHost({
    service: "many",
    transport,
    leases,
    catalog,
    maxConcurrentRuns: 256,
    behaviors: [{ kind: "widget", intervalMs: () => 600_000, run: (ctx) => Effect.sync(() => void ran.add(ctx.key.name)) }],
  })
  t.after(() => host.stop())
  for (let i = 0; i < 10_000; i++) catalog.put({ key: { kind: "widget", namespace: `team-${i % 20}`, name: `app-${i}.example` }, generation: 1, spec: { i } })
  await host.start()
  await waitFor("10,000 actors to run", () => ran.size === 10_000, 30_000)
  assert.equal(host.size, 10_000)
  assert.equal(host.heldPartitions().length, 64)
  const client = new Client(transport)
  for (const i of [0, 4_321, 9_999]) {
    const r = await client.command({ kind: "widget", namespace: `team-${i % 20}`, name: `app-${i}.example` }, { type: "status" })
    assert.ok(r.ok, JSON.stringify(r))
    assert.equal(r.status.runs, 1)
    assert.equal(r.status.name, `app-${i}.example`)
  }
})

test("events go to moor.evt.<kind>.<ns>.<name> and stay in MOOR_EVENTS", { timeout: 30_000 }, async (t) => {
  const { nc, transport, leases } = await setup(t)
  const catalog = new MemoryCatalog()
  const host = new ActorHost({
    service: "ev",
    transport,
    leases,
    catalog,
    behaviors: [
      {
        kind: "gitrepository",
        kindName: "GitRepository",
        apiVersion: "source.toolkit.fluxcd.io/v1",
        run: (ctx) => Effect.sync(() => ctx.event({ reason: "ArtifactUpdated", message: "stored artifact for revision main@sha1:abc", metadata: { revision: "main@sha1:abc" } })),
      },
    ],
  })
  t.after(() => host.stop())
  await host.start()
  catalog.put({ key: { kind: "gitrepository", namespace: "flux-system", name: "podinfo" }, generation: 1, spec: {} })
  const jsm = await jetstreamManager(nc)
  await waitFor("the event in the stream", async () => (await jsm.streams.info(EVENTS_STREAM)).state.messages >= 1)
  const msg = await jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: "moor.evt.gitrepository.flux-system.podinfo" })
  const e = Codecs.event.decode(msg!.data)
  assert.deepEqual(e.involvedObject, { kind: "GitRepository", namespace: "flux-system", name: "podinfo", apiVersion: "source.toolkit.fluxcd.io/v1" })
  assert.equal(e.reason, "ArtifactUpdated")
  assert.equal(e.metadata?.revision, "main@sha1:abc")
  assert.equal(e.reportingController, "moor-ev")
  assert.match(e.timestamp, /^\d{4}-\d\d-\d\dT/)
  // A durable consumer reads history after the fact (what the notify service will do).
  const js = jetstream(nc)
  await jsm.consumers.add(EVENTS_STREAM, { durable_name: "test-reader", ack_policy: "explicit" as never })
  const c = await js.consumers.get(EVENTS_STREAM, "test-reader")
  const m = await c.next({ expires: 2_000 })
  assert.equal(Codecs.event.decode(m!.data).involvedObject.name, "podinfo")
  m!.ack()
})

test("100 rapid spec updates over NATS lead to at most 2 runs, the last with the newest spec", { timeout: 30_000 }, async (t) => {
  const { transport, leases } = await setup(t)
  const specs: number[] = []
  const host = new ActorHost({
    service: "burst",
    transport,
    leases,
    behaviors: [{ kind: "widget", run: (ctx) => Effect.sync(() => void specs.push((ctx.spec as { v: number }).v)).pipe(Effect.andThen(Effect.sleep(30))) }],
  })
  t.after(() => host.stop())
  await host.start()
  const client = new Client(transport)
  const key = { kind: "widget", namespace: "default", name: "burst" }
  // A burst: 100 updates sent back to back (NATS keeps one publisher's order),
  // as a controller sees them when someone edits a resource in a loop.
  const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => client.command(key, { type: "spec", generation: i + 1, spec: { v: i + 1 } })))
  assert.ok(replies.every((r) => r.ok))
  await waitFor("the newest spec to be observed", async () => {
    const r = await client.command(key, { type: "status" })
    return r.ok && r.status.observedGeneration === 100 && r.status.phase === "idle"
  })
  assert.ok(specs.length <= 2, `${specs.length} runs: ${specs.join(",")}`)
  assert.equal(specs.at(-1), 100)
})

test("a command to an actor nobody hosts times out rather than hanging", { timeout: 10_000 }, async (t) => {
  const { transport } = await setup(t)
  const client = new Client(transport)
  await assert.rejects(client.command({ kind: "widget", namespace: "x", name: "y" }, { type: "status" }, 300))
})

test("the lease bucket lists live entries by prefix from the stream's subjects, deleted keys left out", async (t) => {
  const { leases } = await setup(t)
  const enc = (s: string) => new TextEncoder().encode(s)
  await leases.put("m.svc.a", enc("a"))
  const rb = await leases.put("m.svc.b", enc("b"))
  await leases.put("m.other.c", enc("c"))
  await leases.put("m.svc.d", enc("d"))
  assert.equal(await leases.delete("m.svc.d"), true)
  const got = (await leases.entries("m.svc.")).sort((x, y) => x.key.localeCompare(y.key))
  assert.deepEqual(got.map((e) => [e.key, new TextDecoder().decode(e.value)]), [["m.svc.a", "a"], ["m.svc.b", "b"]])
  assert.equal(got[1]!.revision, rb)
  // the same answer as the KV's own listing, which creates a consumer
  assert.deepEqual((await leases.keys("m.svc.")).sort(), ["m.svc.a", "m.svc.b"])
})
