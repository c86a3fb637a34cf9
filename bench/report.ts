// Shared output of every benchmark: a table on stdout and JSON under bench/results/.
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cpus } from "node:os"

export interface Row {
  readonly metric: string
  readonly moor: number
  readonly reference?: number
  readonly referenceName?: string
  readonly unit: string
  readonly target?: string
  readonly met?: boolean
}

/** The value at quantile q (0..1) of a sample. */
export const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}
export const median = (xs: readonly number[]) => quantile(xs, 0.5)

const fmt = (n: number | undefined) => (n === undefined ? "" : n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(3))

export const report = (name: string, rows: Row[], extra: Record<string, unknown> = {}) => {
  const header = ["metric", "moor", "reference", "unit", "target", "met"]
  const lines = rows.map((r) => [
    r.metric,
    fmt(r.moor),
    r.reference === undefined ? "" : `${fmt(r.reference)} (${r.referenceName})`,
    r.unit,
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ])
  const w = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const row = (l: string[]) => "| " + l.map((c, i) => c.padEnd(w[i]!)).join(" | ") + " |"
  console.log(row(header))
  console.log("|" + w.map((x) => "-".repeat(x + 2)).join("|") + "|")
  for (const l of lines) console.log(row(l))
  const dir = join(new URL(".", import.meta.url).pathname, "results")
  mkdirSync(dir, { recursive: true })
  const out = { name, at: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, rows, ...extra }
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(out, null, 2) + "\n")
  console.log(`written bench/results/${name}.json`)
}
