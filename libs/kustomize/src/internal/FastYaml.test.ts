import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { test } from "node:test"
import { parseAllDocuments } from "yaml"
import { loadFast, timeString } from "./FastYaml.ts"

// What the build parsed with before the fast path, and still does where loadFast declines.
const reference = (text: string): unknown[] | string => {
  const out: unknown[] = []
  for (const d of parseAllDocuments(text, { version: "1.2", customTags: ["timestamp"] })) {
    if (d.errors.length > 0) return `error: ${d.errors[0]!.message}`
    out.push(d.toJS({ maxAliasCount: 1000, reviver: (_k, v) => timeString(v) }))
  }
  return out
}

test("plain scalars resolve as the yaml package's YAML 1.2 core schema with timestamps does", () => {
  const text = [
    "i: 1", "oct: 0o17", "hex: 0x1F", "lead0: 017", "under: 1_000", "plus: +12", "neg0: -0", "exp: 1e3", "half: .5", "inf: .inf", "nan: .NaN", "dot: 1.",
    "big: 12345678901234567890", "yes: yes", "on: on", "t: True", "tilde: ~", "empty:", "n: NULL", "date: 2024-01-02", "ts: 2024-01-02T03:04:05Z",
    "spaced: 2001-12-14 21:59:43.10 -5", "bin: 0b101", "ver: 0.0.1", "sexa: 1:20", "q1: '1'", "q2: \"true\"", "proto: {__proto__: {x: 1}}", "merge: {<<: {a: 1}, b: 2}",
    "nul: null", "f: false", "ninf: -.inf", "pf: +.5", "word: nullish", "tr: trueish",
    "block: |\n  x\n  y", "folded: >-\n  p\n  q", "esc: \"\\u00e9\\x41\\n\"", "list: [1, 2, {b: c}]", "anchorOnly: &a 1",
  ].join("\n")
  const fast = loadFast(text)
  assert.ok(fast, "loadFast took the stream")
  assert.deepEqual(fast, reference(text))
  const doc = fast[0] as Record<string, unknown>
  assert.equal(doc.yes, "yes") // YAML 1.2: only true/false are booleans
  assert.equal(doc.oct, 15)
  assert.equal(doc.under, "1_000")
  assert.equal(doc.date, "2024-01-02T00:00:00Z")
})

test("streams: CRLF, a byte order mark, document ends, flow maps, folded and multi-line scalars", () => {
  for (const text of [
    "\ufeffa: 1\r\nb:\r\n  - x\r\n  - 'y'\r\n---\r\nc: |\r\n  l1\r\n  l2\r\n",
    "a: {x, y: 1}\n",
    "a: b\n...\n---\n",
    "plain: multi\n  line\n  words\n",
    "k: 'a\n\n  b'\n",
    "a: >+\n  x\n\n",
    "# only a comment\n",
  ]) {
    const fast = loadFast(text)
    assert.ok(fast, JSON.stringify(text))
    assert.deepEqual(fast, reference(text), JSON.stringify(text))
  }
})

test("what js-yaml would read differently or refuses goes to the yaml package", () => {
  for (const text of [
    "%YAML 1.1\n---\na: yes\n", // a directive can change the schema
    "a: &x {b: 1}\nc: *x\n", // aliases: the yaml package counts them (maxAliasCount)
    "1: a\ntrue: b\n~: c\n", // non-string keys
    "? [a, b]\n: c\n",
    "a: !foo x\n", // a local tag
    "a: 1\na: 2\n", // errors: the yaml package's message is the one shown
    "a:\n\t- b\n",
    "a: \"unterminated\n",
  ])
    assert.equal(loadFast(text), undefined, JSON.stringify(text))
})

test("every YAML file of this repository reads the same on both paths", () => {
  const root = join(import.meta.dirname, "..", "..", "..", "..")
  const files = execFileSync("git", ["ls-files", "*.yaml", "*.yml"], { cwd: root, encoding: "utf8" }).trim().split("\n")
  let fast = 0
  for (const f of files) {
    const text = readFileSync(join(root, f), "utf8")
    const got = loadFast(text)
    if (got === undefined) continue
    fast++
    assert.deepEqual(got, reference(text), f)
  }
  assert.ok(fast > 100, `only ${fast} of ${files.length} files took the fast path`)
})
