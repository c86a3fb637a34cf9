import { test } from "node:test"
import assert from "node:assert/strict"
import { assignPartitions, partitionOf } from "./Placement.ts"

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
