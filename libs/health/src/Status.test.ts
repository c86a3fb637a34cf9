// Table-driven: every document of every fixture file states its expected health in its
// annotations (`expect`, and `message`, a substring of the message).
import { test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parseAllDocuments } from "yaml"
import { status } from "./Status.ts"

const dir = join(import.meta.dirname, "__fixtures__")

for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS())
  test(`health fixtures: ${file}`, () => {
    assert.ok(docs.length >= 3, "a fixture file holds a table of cases")
    for (const doc of docs) {
      const { expect, message } = doc.metadata.annotations
      const h = status(doc)
      assert.equal(h.status, expect, `${file} ${doc.kind}/${doc.metadata.name}: ${h.message}`)
      assert.ok(h.message.includes(message), `${file} ${doc.kind}/${doc.metadata.name}: message ${JSON.stringify(h.message)} lacks ${JSON.stringify(message)}`)
    }
  })
}

test("malformed input gives Unknown with the reason, never a throw", () => {
  assert.deepEqual(status(null), { status: "Unknown", message: "not an object" })
  assert.deepEqual(status("x"), { status: "Unknown", message: "not an object" })
  assert.equal(status({ apiVersion: "v1", kind: "Pod" }).message, "the object has no metadata")
  assert.equal(status({ kind: "Pod", metadata: {} }).message, "the object has no apiVersion or kind")
  // Wrongly typed fields degrade to defaults instead of crashing.
  const weird = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "w", generation: 1 }, spec: { replicas: "two" }, status: { observedGeneration: 1, conditions: "nope" } }
  assert.equal(status(weird).status, "InProgress")
})
