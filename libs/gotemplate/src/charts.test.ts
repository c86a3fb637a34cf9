// Real public charts render identically in Go (text/template + sprig + our
// Go Helm functions) and in this engine, the way Helm renders them
// (missingkey=zero, "<no value>" removed): with their default values and with
// each values file of the chart's ci/ folder.
import assert from "node:assert/strict"
import { readdirSync } from "node:fs"
import { basename, join } from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"
import { decodeData } from "./differential/run.ts"
import { ciValuesFiles, loadChart } from "./differential/chart.ts"
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
  const variants = charts.flatMap((c) => [undefined, ...ciValuesFiles(join(chartsDir, c))].map((f) => ({ dir: join(chartsDir, c), f })))
  const loaded = variants.map((v) => ({ ...loadChart(v.dir, v.f), label: v.f ? `${basename(v.dir)} + ci/${basename(v.f)}` : basename(v.dir) }))
  const goOut = await runOracle(loaded.map((c, i) => ({ id: String(i), templates: c.templates, missingkey: "zero", renders: c.renders })))
  for (const [i, chart] of loaded.entries()) {
    const go = goOut[i]!
    assert.equal(go.error, undefined, `${chart.label}: Go failed: ${go.error}`)
    const ts = renderTs(chart)
    const names = Object.keys(go.outputs ?? {}).sort()
    assert.deepEqual(Object.keys(ts).sort(), names)
    for (const n of names) assert.equal(ts[n], go.outputs![n], `${chart.label}: ${n} differs`)
    const bytes = names.reduce((s, n) => s + ts[n]!.length, 0)
    const objects = names.reduce((s, n) => s + (ts[n]!.match(/^kind: /gm)?.length ?? 0), 0)
    t.diagnostic(`${chart.label}: ${chart.templates.length} templates parsed, ${names.length} rendered, ${objects} objects, ${bytes} bytes, identical`)
  }
})
