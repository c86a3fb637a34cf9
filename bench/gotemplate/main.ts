// bench/gotemplate: renders a 30-template chart 1,000 times with this engine and,
// in the same run, with Go's own text/template + sprig + our Go Helm functions
// (the native oracle binary, timed inside Go so process and JSON overhead are
// excluded). Both renders are first checked to be byte-identical.
// - the 30-template chart: an umbrella of four real fixture charts (podinfo,
//   metrics-server, bitnami dokuwiki with the common library, external-dns),
//   each rendered with its ci/ values and its own .Values, as Helm renders subcharts;
// - "parsed once": templates parsed once, every round executes all 30 (moor's design);
// - "parse + render": every round parses all templates again, as `helm template` does;
// - podinfo-sized: the podinfo chart alone (11 templates), all features on.
import assert from "node:assert/strict"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { helmFuncs, TemplateSet } from "@moor/gotemplate"
import { decodeData, loadChart, runOracle, type LoadedChart } from "@moor/gotemplate/testing"
import { median, quantile, report, type Row } from "../report.ts"

const ROUNDS = 1_000
const WARMUP = 200
const chartsDir = fileURLToPath(new URL("../../libs/gotemplate/src/__fixtures__/charts", import.meta.url))


type Chart = Pick<LoadedChart, "templates" | "renders">

function load(parts: readonly (readonly [string, string])[]): Chart {
  const loaded = parts.map(([c, v]) => loadChart(join(chartsDir, c), join(chartsDir, c, "ci", v)))
  return { templates: loaded.flatMap((c) => c.templates), renders: loaded.flatMap((c) => c.renders) }
}

const parse = (chart: Chart): TemplateSet => {
  const set = new TemplateSet({ funcs: helmFuncs, missingKey: "zero" })
  for (const [n, text] of chart.templates) set.parse(n, text)
  return set
}

const renderAll = (set: TemplateSet, chart: Chart, datas: readonly unknown[]): Record<string, string> => {
  const out: Record<string, string> = {}
  chart.renders.forEach((r, i) => (out[r.name] = set.execute(r.name, datas[i]).replaceAll("<no value>", "")))
  return out
}

/** Milliseconds per round of `round`, after a warm-up, for ROUNDS rounds. */
function time(round: () => void): number[] {
  for (let i = 0; i < WARMUP; i++) round()
  const xs: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now()
    round()
    xs.push(performance.now() - t0)
  }
  return xs
}

/** Go's milliseconds per round, measured inside the oracle; the warm-up rounds are dropped as for moor. */
async function timeGo(chart: Chart, repeatParse: boolean): Promise<{ ms: number[]; outputs: Record<string, string> }> {
  const [r] = await runOracle([{ id: "bench", templates: chart.templates, missingkey: "zero", renders: chart.renders, repeat: WARMUP + ROUNDS, repeatParse }])
  assert.equal(r!.error, undefined, `Go failed: ${r!.error}`)
  return { ms: r!.timings!.slice(WARMUP).map((ns) => ns / 1e6), outputs: r!.outputs! }
}

const umbrella = load([
  ["podinfo", "moor-all-features-values.yaml"],
  ["metrics-server", "moor-options-values.yaml"],
  ["dokuwiki", "moor-loadbalancer-values.yaml"],
  ["external-dns", "moor-options-values.yaml"],
])
assert.equal(umbrella.renders.length, 30, "the umbrella chart renders 30 templates")
const podinfo = load([["podinfo", "moor-all-features-values.yaml"]])

const rows: Row[] = []
const figures: Record<string, unknown> = {}
for (const [label, chart] of [["30-template chart", umbrella], ["podinfo chart (11 templates)", podinfo]] as const) {
  const datas = chart.renders.map((r) => decodeData(r.data))
  const parsed = parse(chart)
  // Go first, while this process idles (2 shared cores)
  const goOnce = await timeGo(chart, false)
  const goParse = await timeGo(chart, true)
  assert.deepEqual(renderAll(parsed, chart, datas), goOnce.outputs, `${label}: moor and Go render differently`)
  const bytes = Object.values(goOnce.outputs).reduce((s, o) => s + o.length, 0)
  const moorOnce = time(() => renderAll(parsed, chart, datas))
  const moorParse = time(() => renderAll(parse(chart), chart, datas))
  const m1 = median(moorOnce), g1 = median(goOnce.ms), m2 = median(moorParse), g2 = median(goParse.ms)
  if (chart === umbrella) {
    rows.push({ metric: `${label}: render, parsed once (median)`, moor: m1, reference: g1, referenceName: "Go", unit: "ms", target: "<= 3x Go", met: m1 <= 3 * g1 })
    rows.push({ metric: `${label}: parse + render, as Helm (median)`, moor: m2, reference: g2, referenceName: "Go", unit: "ms", target: "<= 3x Go", met: m2 <= 3 * g2 })
    rows.push({ metric: `${label}: render, parsed once (p99)`, moor: quantile(moorOnce, 0.99), reference: quantile(goOnce.ms, 0.99), referenceName: "Go", unit: "ms" })
  } else {
    rows.push({ metric: `${label}: render, parsed once (median)`, moor: m1, reference: g1, referenceName: "Go", unit: "ms", target: "< 5 ms", met: m1 < 5 })
    rows.push({ metric: `${label}: parse + render (median)`, moor: m2, reference: g2, referenceName: "Go", unit: "ms", target: "< 5 ms", met: m2 < 5 })
  }
  figures[label] = { templates: chart.templates.length, rendered: chart.renders.length, outputBytes: bytes, rounds: ROUNDS, warmup: WARMUP, ratioParsedOnce: m1 / g1, ratioParseAndRender: m2 / g2 }
}

for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${JSON.stringify(v)}`)
report("gotemplate", rows, figures)
