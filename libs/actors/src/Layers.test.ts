import { test } from "node:test"
import assert from "node:assert/strict"
import { Cause, Effect, Layer } from "effect"
import { startNatsServer } from "@moor/testing"
import { Client } from "./Client.ts"
import { Host, MemoryLive, NatsLive } from "./Layers.ts"
import { Transport } from "./Transport.ts"

const program = Effect.gen(function* () {
  const host = yield* Host
  host.upsert({ kind: "widget", namespace: "default", name: "w" }, {}, 1)
  const client = new Client(yield* Transport)
  const r = yield* Effect.promise(() => client.command({ kind: "widget", namespace: "default", name: "w" }, { type: "status" }))
  return r.ok ? r.status.generation : -1
})
const hostLayer = Host.layer({ service: "layers", behaviors: [{ kind: "widget", run: () => Effect.void }] })

test("the same program runs on the in-memory layer and on real NATS", async (t) => {
  assert.equal(await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(hostLayer.pipe(Layer.provideMerge(MemoryLive))))), 1)
  const nats = await startNatsServer()
  t.after(() => nats.stop())
  assert.equal(await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(hostLayer.pipe(Layer.provideMerge(NatsLive(nats.url, "layers-test")))))), 1)
})

test("a NATS that is not there fails the layer with a readable error", async () => {
  const exit = await Effect.runPromiseExit(Effect.scoped(program).pipe(Effect.provide(hostLayer.pipe(Layer.provideMerge(NatsLive("nats://127.0.0.1:1", "nowhere"))))))
  assert.ok(exit._tag === "Failure")
  assert.match(Cause.pretty(exit.cause), /cannot connect to NATS at nats:\/\/127.0.0.1:1: connection refused/)
})
