// Prints differential mismatches: node libs/gotemplate/src/differential/cli.ts [corpus|generated|all] [filter]
import { compare, type Case } from "./run.ts"
import { corpus } from "./corpus/index.ts"
import { generate } from "./generate.ts"

const which = process.argv[2] ?? "all"
const filter = process.argv[3]
let cases: Case[] = []
if (which === "corpus" || which === "all") cases.push(...corpus)
if (which === "generated" || which === "all") cases.push(...generate(Number(process.env.GEN_SEED ?? 1), Number(process.env.GEN_COUNT ?? 1200)))
if (filter) cases = cases.filter((c) => JSON.stringify(c).includes(filter))
const results = await compare(cases)
let bad = 0, inexact = 0
for (const r of results) {
  if (!r.exactError && !("out" in r.go) && !("out" in r.ts) && r.ok) inexact++
  if (r.ok && (("out" in r.go) || r.exactError || process.env.SHOW_INEXACT === undefined)) continue
  if (r.ok && !process.env.SHOW_INEXACT) continue
  bad += r.ok ? 0 : 1
  console.log(`--- #${r.index} ${r.c.name ?? ""}\n${JSON.stringify(r.c)}\n  go: ${JSON.stringify(r.go)}\n  ts: ${JSON.stringify(r.ts)}`)
}
console.log(`${results.length} cases, ${results.length - bad} agree (${inexact} errors agree by class only), ${bad} differ`)
