// Real public charts render identically in Go (text/template + sprig + our
// Go Helm functions) and in this engine, with their default values, the way
// Helm renders them (missingkey=zero, "<no value>" removed).
import assert from "node:assert/strict"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"
import { decodeData } from "./differential/run.ts"
import { loadChart } from "./differential/chart.ts"
import { helmFuncs, TemplateSet } from "./index.ts"
import { runOracle } from "./testing/Oracle.ts"

const chartsDir = fileURLToPath(new URL("./__fixtures__/charts", import.meta.url))
const charts = readdirSync(chartsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()

/** Renders a loaded chart with this engine as Helm would. */
function renderTs(chart: ReturnType<typeof loadChart>): Record<string, string> {
  const set = new TemplateSet({ funcs: helmFuncs, missingKey: "zero" })
  for (const [n, text] of chart.templates) set.parse(n, text)
  const out: Record<string, string> = {}
  for (const r of chart.renders) out[r.name] = set.execute(r.name, decodeData(r.data)).replaceAll("<no value>", "")
  return out
}

test(`${charts.length} real charts render identically in Go and in this engine`, async (t) => {
  assert.ok(charts.length >= 5, `at least five charts, found ${charts.join(", ")}`)
  const loaded = charts.map((c) => loadChart(join(chartsDir, c)))
  const goOut = await runOracle(loaded.map((c, i) => ({ id: String(i), templates: c.templates, missingkey: "zero", renders: c.renders })))
  for (const [i, chart] of loaded.entries()) {
    const go = goOut[i]!
    assert.equal(go.error, undefined, `${chart.name}: Go failed: ${go.error}`)
    const ts = renderTs(chart)
    const names = Object.keys(go.outputs ?? {}).sort()
    assert.deepEqual(Object.keys(ts).sort(), names)
    for (const n of names) assert.equal(ts[n], go.outputs![n], `${n} differs`)
    const bytes = names.reduce((s, n) => s + ts[n]!.length, 0)
    const objects = names.reduce((s, n) => s + (ts[n]!.match(/^kind: /gm)?.length ?? 0), 0)
    t.diagnostic(`${chart.name}: ${chart.templates.length} templates parsed, ${names.length} rendered, ${objects} objects, ${bytes} bytes, identical`)
  }
})
