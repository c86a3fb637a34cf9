import { test } from "node:test"
import assert from "node:assert/strict"
import { connect } from "@nats-io/transport-node"
import { startNatsServer } from "@moor/testing"
import { ArtifactStore, buildArchive } from "./index.ts"

const owner = (name: string) => ({ kind: "gitrepository", namespace: "flux-system", name })
const archive = (text: string) => buildArchive([{ path: "a.yaml", kind: "file", data: Buffer.from(text) }])

test("object store: idempotent put by digest, get, history, gc keeping the last N", async (t) => {
  const server = await startNatsServer()
  t.after(() => server.stop())
  const nc = await connect({ servers: server.url })
  t.after(() => nc.close())
  const store = await ArtifactStore.open(nc)

  const a1 = await archive("one")
  const put1 = await store.put(owner("podinfo"), a1.bytes, "main@sha1:1111111111111111111111111111111111111111")
  assert.equal(put1.digest, a1.digest)
  assert.equal(put1.created, true)
  const again = await store.put(owner("podinfo"), a1.bytes, "main@sha1:1111111111111111111111111111111111111111")
  assert.equal(again.created, false, "the same bytes are not stored twice")
  assert.deepEqual(Buffer.from((await store.get(a1.digest))!), a1.bytes)
  assert.deepEqual(Buffer.from((await store.get(a1.digest.slice(7)))!), a1.bytes, "a bare hex digest works too")
  assert.equal(await store.get(`sha256:${"0".repeat(64)}`), undefined)

  const digests = [a1.digest]
  for (const text of ["two", "three", "four"]) {
    const a = await archive(text)
    await store.put(owner("podinfo"), a.bytes, `main@sha1:${text}`)
    digests.push(a.digest)
  }
  // another owner shares the second artifact: it must survive podinfo's GC
  await store.put(owner("shared"), (await archive("two")).bytes, "main@sha1:two")
  assert.deepEqual((await store.history(owner("podinfo"))).map((r) => r.digest), digests)

  const deleted = await store.gc(owner("podinfo"), 2)
  assert.deepEqual(deleted, [digests[0]], "the oldest goes; the second is still listed by another owner")
  assert.deepEqual((await store.history(owner("podinfo"))).map((r) => r.digest), digests.slice(2))
  assert.equal(await store.has(digests[0]!), false)
  assert.equal(await store.has(digests[1]!), true)
  assert.deepEqual((await store.list()).sort(), digests.slice(1).sort())

  const forgotten = await store.forget(owner("shared"))
  assert.deepEqual(forgotten, [digests[1]])
  assert.deepEqual((await store.list()).sort(), digests.slice(2).sort())

  // dropOwned: the owner's others go at once, without looking at other owners.
  assert.deepEqual(await store.dropOwned(owner("podinfo"), [digests[3]!]), [digests[2]])
  assert.deepEqual((await store.history(owner("podinfo"))).map((r) => r.digest), [digests[3]])
  assert.deepEqual(await store.list(), [digests[3]])
})
