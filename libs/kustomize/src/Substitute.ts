// Flux postBuild variable substitution (drone/envsubst semantics as Flux uses them):
// ${var}, ${var:=default}, ${var:-default}, ${var=default}, ${var-default}, bare $var, and
// "$$" as an escape for a literal "$" (so "$${var}" stays "${var}"). Objects annotated or
// labelled kustomize.toolkit.fluxcd.io/substitute: disabled are left alone.
import { parse, stringify } from "yaml"

/** Substitution options; `strict` makes an undefined variable without default an error. */
export interface SubstituteOptions {
  readonly strict?: boolean
}

/** An undefined variable in strict mode, or a malformed expression. */
export class SubstituteError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "SubstituteError"
  }
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/

/** Substitutes variables in a string. */
export const substitute = (text: string, vars: Readonly<Record<string, string>>, options: SubstituteOptions = {}): string => {
  const lookup = (name: string, dflt: string | undefined, emptyCounts: boolean): string => {
    const v = vars[name]
    if (v !== undefined && !(emptyCounts && v === "")) return v
    if (dflt !== undefined) return substitute(dflt, vars, options)
    if (v !== undefined) return v
    if (options.strict === true) throw new SubstituteError(`variable not set (strict mode): "${name}"`)
    return ""
  }
  let out = ""
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c !== "$") {
      out += c
      i++
      continue
    }
    const next = text[i + 1]
    if (next === "$") {
      out += "$"
      i += 2
      continue
    }
    if (next === "{") {
      let end = -1
      for (let j = i + 2, depth = 1; j < text.length; j++) {
        if (text[j] === "{") depth++
        else if (text[j] === "}" && --depth === 0) {
          end = j
          break
        }
      }
      if (end < 0) throw new SubstituteError(`unterminated "\${" at offset ${i}`)
      const expr = text.slice(i + 2, end)
      const m = expr.match(/^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])(.*))?$/s)
      if (m === null) throw new SubstituteError(`bad substitution "\${${expr}}"`)
      const op = m[2]
      out += lookup(m[1]!, op === undefined ? undefined : m[3]!, op !== undefined && op.startsWith(":"))
      i = end + 1
      continue
    }
    const m = text.slice(i + 1).match(/^[_a-zA-Z][_a-zA-Z0-9]*/)
    if (m !== null) {
      out += lookup(m[0], undefined, false)
      i += 1 + m[0].length
      continue
    }
    out += c
    i++
  }
  return out
}

const OPT_OUT = "kustomize.toolkit.fluxcd.io/substitute"

/** Substitutes variables in each object (through its YAML text, as Flux does), skipping opted-out ones. */
export const substituteObjects = (
  objects: ReadonlyArray<Record<string, any>>,
  vars: Readonly<Record<string, string>>,
  options: SubstituteOptions = {},
): Record<string, any>[] => {
  for (const k of Object.keys(vars)) if (!NAME.test(k)) throw new SubstituteError(`invalid variable name "${k}"`)
  return objects.map((o) => {
    const meta = o.metadata ?? {}
    if (meta.annotations?.[OPT_OUT] === "disabled" || meta.labels?.[OPT_OUT] === "disabled") return o
    const text = stringify(o, { lineWidth: 0 })
    if (!text.includes("$")) return o
    try {
      return parse(substitute(text, vars, options))
    } catch (e) {
      const where = `${o.kind ?? "object"} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? ""}`
      throw new SubstituteError(`${where}: ${(e as Error).message}`)
    }
  })
}
