import assert from "node:assert/strict"
import { test } from "node:test"
import { Result, Schema } from "effect"
import { DecodeError, formatPath, makeDecoder, orThrow } from "./Decode.ts"

test("formatPath writes paths as a person reads them", () => {
  const table: ReadonlyArray<readonly [ReadonlyArray<PropertyKey>, string]> = [
    [[], ""],
    [["spec", "interval"], "spec.interval"],
    [["spec", "include", 0, "repository", "name"], "spec.include[0].repository.name"],
    [["metadata", "labels", "app.kubernetes.io/name"], 'metadata.labels["app.kubernetes.io/name"]'],
    [["status", "history", 2], "status.history[2]"],
  ]
  for (const [path, text] of table) assert.equal(formatPath(path), text)
})

test("a DecodeError survives encoding (it may cross NATS) and reads as one message", () => {
  const decode = makeDecoder("Thing", Schema.Struct({ spec: Schema.Struct({ n: Schema.Number, s: Schema.String }) }))
  const r = decode({ spec: { n: "1", s: "x".repeat(100) } })
  assert.ok(Result.isSuccess(decode({ spec: { n: 1, s: "x" } })))
  assert.ok(Result.isFailure(r))
  const error = r.failure
  assert.equal(error.message, 'invalid Thing: spec.n: Expected number, got "1"')
  const wire = JSON.parse(JSON.stringify(Schema.encodeSync(DecodeError)(error)))
  assert.deepEqual(wire, { _tag: "DecodeError", kind: "Thing", issues: [{ path: "spec.n", message: 'Expected number, got "1"' }] })
  const back = Schema.decodeUnknownSync(DecodeError)(wire)
  assert.ok(back instanceof DecodeError)
  assert.equal(back.message, error.message)
  // Long values are shortened in messages.
  const long = decode({ spec: { n: 1, s: 5 }, extra: 1 })
  assert.ok(Result.isFailure(long))
  assert.equal(long.failure.issues[0]?.message, "Expected string, got 5")
  const longString = makeDecoder("Thing", Schema.Struct({ n: Schema.Number }))({ n: "y".repeat(100) })
  assert.ok(Result.isFailure(longString))
  assert.equal(longString.failure.issues[0]?.message, `Expected number, got "${"y".repeat(56)}...`)
})

test("orThrow returns the decoded value or throws the decoder's message", () => {
  const decode = orThrow(makeDecoder("Widget", Schema.Struct({ spec: Schema.Struct({ size: Schema.Number }) })))
  assert.deepEqual(decode({ spec: { size: 2 } }), { spec: { size: 2 } })
  assert.throws(() => decode({ spec: { size: "big" } }), /spec\.size/)
})
