// The differential harness: runs cases through the Go oracle and through
// this engine, and compares output (byte for byte) or error class.
import { helmFuncs } from "../internal/helm/funcs.ts"
import { capabilities, filesObject } from "../internal/helm/objects.ts"
import { sprigFuncs } from "../internal/sprig/index.ts"
import { TemplateError, TemplateSet } from "../TemplateSet.ts"
import { runOracle, type OracleRequest, type OracleResponse } from "../testing/Oracle.ts"
import { decodeTyped } from "../testing/typed.ts"
import { GoFunc } from "../internal/values.ts"
import { parseTime, timeValue, UTC } from "../internal/sprig/time.ts"

/** One differential case: template text (or named files), typed-JSON data and options. */
export interface Case {
  readonly name?: string
  readonly t: string | readonly (readonly [string, string])[]
  readonly d?: unknown
  readonly mk?: "default" | "zero" | "error"
  /** false: sprig only (no Helm functions). */
  readonly helm?: boolean
  readonly entry?: string
  /** A documented difference: outputs are compared after normalising fromYaml's parse-error text. */
  readonly known?: string
}

/** The result of one engine. */
export type Outcome = { readonly out: string } | { readonly err: string; readonly phase: string }

export interface Comparison {
  readonly index: number
  readonly c: Case
  readonly go: Outcome
  readonly ts: Outcome
  /** identical output, or both failed in the same phase at the same template location */
  readonly ok: boolean
  /** both failed with the very same message */
  readonly exactError: boolean
  /** agreed only after normalising a documented difference */
  readonly knownDiff: boolean
}

const yamlErrorText = (s: string) => s.replace(/error converting YAML to JSON: yaml: [^\]"|\n]*/g, "error converting YAML to JSON: yaml: <parse error>")

const files = (c: Case): (readonly [string, string])[] => (typeof c.t === "string" ? [["main", c.t]] : [...c.t])

/** Decodes typed JSON test data, including Helm's .Capabilities and .Files. */
export function decodeData(d: unknown): unknown {
  return decodeTyped(d, (k, v) => {
    if (k === "$capabilities") {
      const m = v as { kubeVersion?: Record<string, string>; apiVersions?: string[]; helmVersion?: Record<string, string> }
      return capabilities({
        kubeVersion: { version: m.kubeVersion?.version ?? "", major: m.kubeVersion?.major ?? "", minor: m.kubeVersion?.minor ?? "" },
        apiVersions: m.apiVersions ?? [],
        ...(m.helmVersion ? { helmVersion: m.helmVersion } : {}),
      })
    }
    if (k === "$files") return filesObject(v as Record<string, string>)
    if (k === "$time") return timeValue(parseTime("2006-01-02T15:04:05.999999999Z07:00", String(v), UTC))
    if (k === "$func") {
      const f = helmFuncs[String(v)]
      if (!f) throw new Error(`no function ${String(v)}`)
      return new GoFunc(String(v), f)
    }
    return undefined
  })
}

/** Runs a case through this engine. */
export function runTs(c: Case): Outcome {
  const set = new TemplateSet({ funcs: c.helm === false ? sprigFuncs : helmFuncs, missingKey: c.mk ?? "default" })
  const fs = files(c)
  try {
    for (const [n, text] of fs) set.parse(n, text)
  } catch (e) {
    if (e instanceof TemplateError) return { err: e.message, phase: e.kind }
    return { err: `internal: ${(e as Error).stack}`, phase: "crash" }
  }
  try {
    return { out: set.execute(c.entry ?? fs[0]![0], decodeData(c.d ?? null)) }
  } catch (e) {
    if (e instanceof TemplateError) return { err: e.message, phase: e.kind }
    return { err: `internal: ${(e as Error).stack}`, phase: "crash" }
  }
}

const toRequest = (c: Case, i: number): OracleRequest => ({
  id: String(i), templates: files(c), ...(c.entry ? { entry: c.entry } : {}), data: c.d ?? null,
  ...(c.mk ? { missingkey: c.mk } : {}), helm: c.helm !== false,
})

const fromResponse = (r: OracleResponse): Outcome =>
  r.output !== undefined ? { out: r.output } : { err: r.error ?? "", phase: r.phase ?? "" }

/** Where an error happened: phase plus Go's "template: name:line[:col]" prefix. */
export function errorClass(o: Outcome): string {
  if ("out" in o) return "ok"
  const m = /^template: [^:]*(?::\d+)?(?::\d+)?/.exec(o.err)
  return `${o.phase}:${m ? m[0] : ""}`
}

/** Runs all cases through both engines and compares them. */
export async function compare(cases: readonly Case[]): Promise<Comparison[]> {
  const goOut = await runOracle(cases.map(toRequest))
  return cases.map((c, index) => {
    const go = fromResponse(goOut[index]!)
    const ts = runTs(c)
    let ok: boolean
    let exactError = false
    let knownDiff = false
    if ("out" in go || "out" in ts) {
      ok = "out" in go && "out" in ts && go.out === ts.out
      if (!ok && c.known && "out" in go && "out" in ts && yamlErrorText(go.out) === yamlErrorText(ts.out)) ok = knownDiff = true
    } else {
      exactError = go.err === ts.err
      ok = errorClass(go) === errorClass(ts)
    }
    return { index, c, go, ts, ok, exactError, knownDiff }
  })
}
