// Placement over real replica processes and a real nats-server: partitions
// split evenly, a killed replica's actors move within 10 s, and no actor ever
// runs on two replicas at once (checked from the runs' own timestamps).
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client, connectNats, KvCatalog, NatsKv, NatsTransport } from "@moor/actors"
import { LEASES_BUCKET, Codecs } from "@moor/protocol"
import { startNatsServer, waitFor } from "@moor/testing"
import { Kvm } from "@nats-io/kv"

const ACTORS = 300
const here = new URL(".", import.meta.url).pathname

const startReplica = (url: string, name: string, log: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "replica.ts"), url, name, log], { stdio: ["ignore", "pipe", "inherit"] })
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (d: string) => d.includes(`ready ${name}`) && resolve(child))
    child.once("exit", (code) => reject(new Error(`replica ${name} exited early with ${code}`)))
  })

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r())))

interface Interval {
  replica: string
  start: bigint
  end: bigint
}

/** Reads the run logs; a run still open in a killed replica ends at its kill time. */
const intervals = (logs: Record<string, string>, killedAt: Record<string, bigint>) => {
  const byKey = new Map<string, Interval[]>()
  for (const [replica, file] of Object.entries(logs)) {
    const open = new Map<string, bigint>()
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const [what, id, t] = line.split(" ")
      if (!what || !id || !t) continue
      if (what === "start") open.set(id, BigInt(t))
      else if (open.has(id)) {
        const list = byKey.get(id) ?? []
        list.push({ replica, start: open.get(id)!, end: BigInt(t) })
        byKey.set(id, list)
        open.delete(id)
      }
    }
    for (const [id, start] of open) {
      const end = killedAt[replica] ?? process.hrtime.bigint()
      byKey.set(id, [...(byKey.get(id) ?? []), { replica, start, end }])
    }
  }
  return byKey
}

test("replicas split partitions, take over a killed replica's actors within 10 s, and never run an actor twice at once", { timeout: 120_000 }, async (t) => {
  const nats = await startNatsServer()
  t.after(() => nats.stop())
  const dir = mkdtempSync(join(tmpdir(), "moor-replicas-"))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const nc = await connectNats(nats.url, "test")
  t.after(() => nc.close())
  const catalog = await KvCatalog.open(nc, "moor-test-catalog")
  for (let i = 0; i < ACTORS; i++) await catalog.put({ key: { kind: "widget", namespace: `ns${i % 7}`, name: `w${i}` }, generation: 1, spec: { i } })

  // Who ran each actor last, from the events.
  const lastRunner = new Map<string, { replica: string; at: number }>()
  const client = new Client(new NatsTransport(nc))
  client.events((e) => lastRunner.set(`${e.involvedObject.namespace}/${e.involvedObject.name}`, { replica: e.metadata!.replica!, at: Date.now() }), "widget")

  const logs = { a: join(dir, "a.log"), b: join(dir, "b.log") }
  for (const f of Object.values(logs)) writeFileSync(f, "")
  const procs: ChildProcess[] = []
  t.after(async () => {
    for (const p of procs) p.kill("SIGKILL")
    await Promise.all(procs.map(exited))
  })
  const a = await startReplica(nats.url, "a", logs.a)
  procs.push(a)
  await waitFor("replica a to run every actor", () => lastRunner.size === ACTORS, 20_000)
  const b = await startReplica(nats.url, "b", logs.b)
  procs.push(b)

  // Split: leases in the KV bucket name their owners.
  const leases = new NatsKv(await new Kvm(nc).open(LEASES_BUCKET))
  const owners = async () => {
    const count: Record<string, number> = {}
    for (const k of await leases.keys("p.widgets.")) {
      const e = await leases.get(k)
      if (e) count[Codecs.lease.decode(e.value).owner] = (count[Codecs.lease.decode(e.value).owner] ?? 0) + 1
    }
    return count
  }
  const split = await waitFor("an even split", async () => {
    const c = await owners()
    return (c.a ?? 0) + (c.b ?? 0) === 64 && Math.abs((c.a ?? 0) - (c.b ?? 0)) <= 8 ? c : undefined
  }, 20_000)
  t.diagnostic(`partitions after b joined: ${JSON.stringify(split)}`)
  const sinceSplit = Date.now()
  await waitFor("both replicas running actors", () => {
    const recent = [...lastRunner.values()].filter((r) => r.at > sinceSplit)
    const onB = recent.filter((r) => r.replica === "b").length
    return onB > ACTORS / 4 && recent.length - onB > ACTORS / 4
  }, 20_000)

  // Commands reach the owner, wherever the actor lives.
  const st = await client.command({ kind: "widget", namespace: "ns3", name: "w10" }, { type: "status" })
  assert.ok(st.ok && (st.status.owner === "a" || st.status.owner === "b"))

  // kill -9 b: its actors must run on a within 10 s.
  const onB = [...lastRunner.entries()].filter(([, r]) => r.replica === "b").map(([k]) => k)
  assert.ok(onB.length > 50)
  b.kill("SIGKILL")
  await exited(b)
  const killedAt = process.hrtime.bigint()
  const killedWall = Date.now()
  await waitFor("b's actors to run on a", () => onB.every((k) => lastRunner.get(k)!.replica === "a" && lastRunner.get(k)!.at > killedWall), 10_000, 50)
  t.diagnostic(`takeover after kill -9 in ${Date.now() - killedWall} ms`)
  assert.deepEqual(await owners(), { a: 64 })

  // No actor ever in flight on two replicas at once.
  a.kill("SIGTERM")
  await exited(a)
  const byKey = intervals(logs, { b: killedAt })
  let checked = 0
  for (const [id, list] of byKey) {
    list.sort((x, y) => (x.start < y.start ? -1 : 1))
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!
      const cur = list[i]!
      checked++
      assert.ok(cur.start >= prev.end, `${id}: run on ${cur.replica} began before the run on ${prev.replica} ended`)
    }
  }
  assert.ok(checked > ACTORS * 5, `only ${checked} consecutive runs checked`)
  const moved = [...byKey.values()].filter((l) => new Set(l.map((x) => x.replica)).size > 1).length
  assert.ok(moved > 50, `only ${moved} actors changed replica`)
})
