// Flux's healthCheckExprs (Kustomization and HelmRelease, Flux 2.5+): CEL expressions that say
// when objects of one group/kind are Current, InProgress or Failed, for custom resources whose
// status kstatus cannot read. Semantics as Flux's RFC-0009 documents them:
// - an object whose status.observedGeneration differs from metadata.generation is InProgress,
//   no expression evaluated;
// - else inProgress, failed, current are evaluated in that order (the first two are optional) and
//   the first that is true decides; none true: InProgress;
// - an expression that fails to evaluate (a field that is not there yet) leaves the object
//   Unknown, so the health check waits and, at its timeout, names the error;
// - an expression that does not compile, or is not boolean, is the Kustomization's error
//   (InvalidCELExpression), found before anything is applied.
// The expressions see the object's `metadata`, `spec` and `status` as variables, as in Flux.
// CEL is evaluated by @marcbachmann/cel-js (zero dependencies, the whole CEL syntax including
// macros and optional field access `.?`).
import { Environment } from "@marcbachmann/cel-js"
import { groupOf } from "./Status.ts"
import { current, failed, inProgress, unknown, type Health, type Obj, type Rule } from "./internal/Types.ts"

/** One entry of spec.healthCheckExprs. */
export interface HealthCheckExpr {
  readonly apiVersion: string
  readonly kind: string
  readonly current: string
  readonly inProgress?: string | undefined
  readonly failed?: string | undefined
}

/** Health rules by `group/kind`, taking precedence over the built-in ones. */
export type HealthRules = ReadonlyMap<string, Rule>

/** An expression that cannot be used: the message names the kind, the field and the reason. */
export class InvalidHealthExpr extends Error {
  readonly reason = "InvalidCELExpression"
}

const env = new Environment({ enableOptionalTypes: true })
  .registerVariable("metadata", "map")
  .registerVariable("spec", "map")
  .registerVariable("status", "map")

// CEL's first error line (cel-js appends a source excerpt with a caret on further lines).
const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim()

/** A parsed expression: evaluates with the variables, and type-checks without re-parsing. */
type Compiled = ((vars: Record<string, unknown>) => unknown) & { check(): { valid: boolean; type?: string; error?: unknown } }

const compile = (e: HealthCheckExpr, field: "current" | "inProgress" | "failed"): Compiled | undefined => {
  const text = e[field]
  if (text === undefined || text === "") {
    if (field === "current") throw new InvalidHealthExpr(`healthCheckExprs ${e.apiVersion} ${e.kind}: the current expression is required`)
    return undefined
  }
  const where = `healthCheckExprs ${e.apiVersion} ${e.kind}: ${field} expression '${text}'`
  let fn: Compiled
  try {
    fn = env.parse(text) as unknown as Compiled
  } catch (err) {
    throw new InvalidHealthExpr(`${where} does not parse: ${firstLine(err)}`)
  }
  const checked = fn.check()
  if (!checked.valid) throw new InvalidHealthExpr(`${where} is invalid: ${firstLine(checked.error)}`)
  if (checked.type !== "bool" && checked.type !== "dyn") throw new InvalidHealthExpr(`${where} gives a ${checked.type}, not a bool`)
  return fn
}

// JSON integers as CEL ints (BigInt): `status.replicas == 3` compares int with int, as in Flux,
// where objects come from JSON as int64. Other numbers stay doubles.
const toCel = (v: unknown): unknown => {
  if (typeof v === "number") return Number.isSafeInteger(v) ? BigInt(v) : v
  if (Array.isArray(v)) return v.map(toCel)
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x)
    return out
  }
  return v
}

const ruleOf = (e: HealthCheckExpr): Rule => {
  const steps = (
    [
      ["inProgress", inProgress],
      ["failed", failed],
      ["current", current],
    ] as const
  ).flatMap(([field, make]) => {
    const fn = compile(e, field)
    return fn ? [{ field, fn, make }] : []
  })
  return (o: Obj): Health => {
    const gen = o.metadata?.generation
    const observed = o.status?.observedGeneration
    if (observed !== undefined && observed !== gen) return inProgress(`waiting for the controller to observe generation ${gen} (observed ${observed})`)
    // a variable the object lacks (no status yet) is absent, and referencing it is an evaluation error
    const vars: Record<string, unknown> = {}
    for (const k of ["metadata", "spec", "status"] as const) if (o[k] !== undefined && o[k] !== null) vars[k] = toCel(o[k])
    for (const s of steps) {
      let r: unknown
      try {
        r = s.fn(vars)
      } catch (err) {
        return unknown(`healthCheckExprs ${s.field} expression failed: ${firstLine(err)}`)
      }
      if (typeof r !== "boolean") return unknown(`healthCheckExprs ${s.field} expression gave ${typeof r === "bigint" ? "an int" : typeof r}, not a bool`)
      if (r) return s.make(`healthCheckExprs: ${s.field} expression is true`)
    }
    return inProgress("healthCheckExprs: no expression is true yet")
  }
}

/**
 * Compiles spec.healthCheckExprs into health rules by `group/kind` (the version is not matched:
 * one kind's versions share a status, as in Flux). Throws InvalidHealthExpr for an expression
 * that does not compile or is not boolean, or an entry without `current`.
 */
export const compileHealthExprs = (exprs: ReadonlyArray<HealthCheckExpr> | undefined): HealthRules => {
  const out = new Map<string, Rule>()
  for (const e of exprs ?? []) out.set(`${groupOf(e.apiVersion)}/${e.kind}`, ruleOf(e))
  return out
}
