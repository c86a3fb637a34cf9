// The differential suite: the hand-written corpus plus property-based
// generated templates, each rendered by Go (text/template + sprig + our Go
// Helm functions, built from Debian's packages) and by this engine. Output
// must be identical; errors must agree in phase and template location.
import assert from "node:assert/strict"
import { test } from "node:test"
import { corpus } from "./differential/corpus/index.ts"
import { generate } from "./differential/generate.ts"
import { compare, errorClass, type Comparison } from "./differential/run.ts"

const SEED = Number(process.env.GOTEMPLATE_SEED ?? 1)
const GENERATED = Number(process.env.GOTEMPLATE_GENERATED ?? 1400)

const cut = (s: string) => (s.length > 400 ? s.slice(0, 200) + " … " + s.slice(-200) : s)
const describe = (r: Comparison) =>
  `#${r.index} ${r.c.name ?? ""} ${cut(JSON.stringify(r.c.t))}\n  go: ${cut(JSON.stringify(r.go))}\n  ts: ${cut(JSON.stringify(r.ts))}`

test(`differential: ${corpus.length} hand-written + ${GENERATED} generated templates (seed ${SEED}) agree with Go`, async (t) => {
  const cases = [...corpus, ...generate(SEED, GENERATED)]
  assert.ok(cases.length >= 2000, `the suite must hold at least 2000 templates, has ${cases.length}`)
  const results = await compare(cases)
  const bad = results.filter((r) => !r.ok)
  const errors = results.filter((r) => !("out" in r.go))
  const classOnly = errors.filter((r) => r.ok && !r.exactError)
  const known = results.filter((r) => r.knownDiff)
  t.diagnostic(`${results.length} templates: ${results.length - errors.length} rendered identically, ${errors.length} failed in both ` +
    `(${errors.length - classOnly.length} with the same message, ${classOnly.length} with the same class only), ` +
    `${known.length} documented differences, ${bad.length} disagreements`)
  for (const r of classOnly) t.diagnostic(`same class ${errorClass(r.go)}, different message: ${describe(r)}`)
  assert.deepEqual(bad.map(describe), [])
})
