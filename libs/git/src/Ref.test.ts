import { test } from "node:test"
import assert from "node:assert/strict"
import { formatRevision, planRef, type GitRef } from "./index.ts"

const c = (n: number) => String(n).repeat(40).slice(0, 40)
const refs = new Map([
  ["HEAD", c(1)],
  ["refs/heads/master", c(1)],
  ["refs/heads/main", c(2)],
  ["refs/tags/v1.0.0", c(3)],
  ["refs/tags/v1.0.0^{}", c(4)],
  ["refs/tags/v1.2.0", c(5)],
  ["refs/tags/1.3.0", c(6)],
  ["refs/tags/v2.0.0-rc.1", c(7)],
  ["refs/tags/not-semver", c(8)],
  ["refs/pull/1/head", c(9)],
])

const table: { name: string; ref: GitRef | undefined; revision: string }[] = [
  { name: "no ref: Flux's default branch master", ref: undefined, revision: `master@sha1:${c(1)}` },
  { name: "empty ref", ref: { branch: "" }, revision: `master@sha1:${c(1)}` },
  { name: "branch", ref: { branch: "main" }, revision: `main@sha1:${c(2)}` },
  { name: "tag beats branch; annotated tag peeled", ref: { branch: "main", tag: "v1.0.0" }, revision: `v1.0.0@sha1:${c(4)}` },
  { name: "semver beats tag: highest match, v prefix or not", ref: { tag: "v1.0.0", semver: "^1" }, revision: `1.3.0@sha1:${c(6)}` },
  { name: "semver excludes prereleases unless asked", ref: { semver: ">=2.0.0-0" }, revision: `v2.0.0-rc.1@sha1:${c(7)}` },
  { name: "name beats semver", ref: { semver: "*", name: "refs/pull/1/head" }, revision: `refs/pull/1/head@sha1:${c(9)}` },
  { name: "commit beats everything", ref: { name: "refs/heads/main", commit: c(7) }, revision: `sha1:${c(7)}` },
  { name: "commit with branch", ref: { branch: "main", commit: c(7).toUpperCase() }, revision: `main@sha1:${c(7)}` },
]

for (const row of table)
  test(`planRef: ${row.name}`, () => {
    const p = planRef(row.ref, refs)
    assert.equal(formatRevision(p.label, p.commit!), row.revision)
  })

const errors: { name: string; ref: GitRef; reason: string; message: RegExp }[] = [
  { name: "missing branch", ref: { branch: "nope" }, reason: "RefNotFound", message: /branch "nope" not found/ },
  { name: "missing tag", ref: { tag: "v9" }, reason: "RefNotFound", message: /tag "v9" not found/ },
  { name: "no semver match", ref: { semver: ">=3" }, reason: "RefNotFound", message: /no tag matches the semver range ">=3"/ },
  { name: "missing name", ref: { name: "refs/pull/2/head" }, reason: "RefNotFound", message: /refs\/pull\/2\/head/ },
  { name: "commit's branch missing", ref: { branch: "gone", commit: c(1) }, reason: "RefNotFound", message: /branch "gone"/ },
  { name: "bad semver range", ref: { semver: "not a range!" }, reason: "InvalidRef", message: /spec\.ref\.semver/ },
  { name: "short commit", ref: { commit: "abc123" }, reason: "InvalidRef", message: /spec\.ref\.commit/ },
  { name: "name not a full ref", ref: { name: "main" }, reason: "InvalidRef", message: /spec\.ref\.name/ },
]

for (const row of errors)
  test(`planRef fails: ${row.name}`, () => {
    assert.throws(() => planRef(row.ref, refs), (e: { reason: string; message: string; stalled: boolean }) => {
      assert.equal(e.reason, row.reason)
      assert.match(e.message, row.message)
      assert.equal(e.stalled, row.reason === "InvalidRef")
      return true
    })
  })
