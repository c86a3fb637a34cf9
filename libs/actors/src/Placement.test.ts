import { test } from "node:test"
import assert from "node:assert/strict"
import { Effect } from "effect"
import { ActorHost } from "./ActorHost.ts"
import { MemoryCatalog } from "./Catalog.ts"
import { MemoryKv, MemoryTransport } from "./MemoryTransport.ts"
import { assignPartitions, partitionOf, Placement } from "./Placement.ts"
import { silentLog } from "./Log.ts"

test("assignment is even, deterministic, and moves little when a member joins", () => {
  for (const n of [1, 2, 3, 5, 8]) {
    const members = Array.from({ length: n }, (_, i) => `replica-${i}-x${i * 7}`)
    const a = assignPartitions(members, 64)
    assert.equal(a.length, 64)
    const load = new Map<string, number>()
    for (const m of a) load.set(m, (load.get(m) ?? 0) + 1)
    for (const m of members) assert.ok((load.get(m) ?? 0) <= Math.ceil(64 / n) && (load.get(m) ?? 0) >= Math.floor(64 / n) - 1, `${n}: ${[...load]}`)
    assert.deepEqual(assignPartitions([...members].reverse(), 64), a)
  }
  const two = assignPartitions(["a", "b"], 64)
  const three = assignPartitions(["a", "b", "c"], 64)
  const moved = two.filter((m, p) => three[p] !== m).length
  // Ideal is 64/3 ≈ 21 partitions moving to the new member; a full reshuffle would move ~43.
  assert.ok(moved <= 28, `moved ${moved}`)
})

test("keys spread over partitions", () => {
  const counts = new Array(64).fill(0)
  for (let i = 0; i < 64_000; i++) counts[partitionOf(`kustomization/ns-${i % 50}/app-${i}`, 64)]++
  for (const c of counts) assert.ok(c > 800 && c < 1_200, `${c}`)
})

test("graceful stop hands partitions over at once, without waiting for lease expiry", async () => {
  const kv = new MemoryKv()
  const transport = new MemoryTransport()
  const catalog = new MemoryCatalog()
  for (let i = 0; i < 100; i++) catalog.put({ key: { kind: "widget", namespace: "ns", name: `w${i}` }, generation: 1, spec: {} })
  const placement = { tickMs: 50, leaseTtlMs: 60_000, takeoverGraceMs: 1_000 }
  const mk = (replica: string) =>
    new ActorHost({ service: "svc", replica, transport, leases: kv, catalog, placement, behaviors: [{ kind: "widget", run: () => Effect.void }] })
  const a = mk("a")
  const b = mk("b")
  await a.start()
  await b.start()
  const until = async (f: () => boolean) => {
    const end = Date.now() + 3_000
    while (!f() && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
    assert.ok(f())
  }
  await until(() => a.heldPartitions().length === 32 && b.heldPartitions().length === 32)
  assert.equal(a.size + b.size, 100)
  const t0 = Date.now()
  await a.stop(1_000)
  assert.equal(a.size, 0)
  assert.deepEqual(await kv.keys("m.svc.a"), [], "the stopped replica left the member list")
  // The leases were deleted, so b takes them on its next ticks; the 60 s TTL never comes into play.
  await until(() => b.heldPartitions().length === 64 && b.size === 100)
  assert.ok(Date.now() - t0 < 2_000)
  await b.stop(1_000)
  assert.deepEqual(await kv.keys("p.svc."), [])
})

test("a lease is renewed once half its TTL has gone, not on every tick, and is never lost meanwhile", async () => {
  const kv = new MemoryKv()
  let updates = 0
  let puts = 0
  const counted = Object.assign(Object.create(kv) as MemoryKv, {
    update: (k: string, v: Uint8Array, r: number) => (updates++, kv.update(k, v, r)),
    put: (k: string, v: Uint8Array) => (puts++, kv.put(k, v)),
  })
  let lost = 0
  const p = new Placement(counted, { service: "svc", replica: "a", partitions: 8, leaseTtlMs: 600, tickMs: 25, takeoverGraceMs: 100 }, { acquired() {}, async release() {}, lost: () => void lost++ }, silentLog)
  await p.start()
  assert.equal(p.heldPartitions().length, 8)
  const end = Date.now() + 1_500
  while (Date.now() < end) {
    assert.equal(p.heldPartitions().length, 8, "a lease lapsed")
    await new Promise((r) => setTimeout(r, 10))
  }
  await p.stop()
  assert.equal(lost, 0)
  // 1.5 s of 25 ms ticks is 60 rounds; renewing at half of 600 ms is about 5 per lease.
  assert.ok(updates >= 8 * 3 && updates <= 8 * 7, `${updates} lease renewals`)
  assert.ok(puts >= 3 && puts <= 7, `${puts} membership writes`)
})
