// Flux postBuild variable substitution, with the semantics of the envsubst Flux uses (a
// fork of drone/envsubst): only braced `${...}` expressions are expanded (a bare `$var` is
// left alone), `$${` escapes to a literal `${`, defaults `${var:=x}` `${var:-x}` `${var=x}`
// `${var-x}` apply when the variable is unset or empty, and the bash string functions
// `${#var}`, `${var^}`, `${var^^}`, `${var,}`, `${var,,}`, `${var:n}`, `${var:n:len}`,
// `${var#p}`, `${var##p}`, `${var%p}`, `${var%%p}`, `${var/p/r}`, `${var//p/r}`,
// `${var/#p/r}`, `${var/%p/r}` work. Objects labelled or annotated
// kustomize.toolkit.fluxcd.io/substitute: disabled are left alone.
import { parse, stringify } from "yaml"

/** Substitution options; `strict` makes a variable that is unset and has no default an error. */
export interface SubstituteOptions {
  readonly strict?: boolean
}

/** An unset variable in strict mode, a malformed expression or an invalid variable name. */
export class SubstituteError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "SubstituteError"
  }
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/
const NAME_PREFIX = /^[_a-zA-Z][_a-zA-Z0-9]*/

/** A bash glob pattern (`*`, `?`, `[...]`, `\x`) as a regular expression source. */
const globSource = (p: string, greedy: boolean): string => {
  let out = ""
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!
    if (c === "\\" && i + 1 < p.length) out += p[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
    else if (c === "*") out += greedy ? ".*" : ".*?"
    else if (c === "?") out += "."
    else if (c === "[") {
      const end = p.indexOf("]", i + 1)
      if (end < 0) out += "\\["
      else {
        out += `[${p.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`
        i = end
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
  }
  return out
}

const splitReplace = (s: string): [string, string] => {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++
    else if (s[i] === "/") return [s.slice(0, i), s.slice(i + 1)]
  }
  return [s, ""]
}

/** Applies the operator part of `${name<op>}` to the value. */
const applyOp = (v: string, op: string, expr: string): string => {
  if (op === "^^") return v.toUpperCase()
  if (op === "^") return v.slice(0, 1).toUpperCase() + v.slice(1)
  if (op === ",,") return v.toLowerCase()
  if (op === ",") return v.slice(0, 1).toLowerCase() + v.slice(1)
  let m: RegExpMatchArray | null
  if ((m = op.match(/^:(\d+)(?::(\d+))?$/))) {
    const start = Math.min(Number(m[1]), v.length)
    return m[2] === undefined ? v.slice(start) : v.slice(start, start + Number(m[2]))
  }
  if (op.startsWith("##") || op.startsWith("#")) {
    const greedy = op.startsWith("##")
    const re = new RegExp(`^(?:${globSource(op.slice(greedy ? 2 : 1), greedy)})`, "s")
    return v.replace(re, "")
  }
  if (op.startsWith("%%") || op.startsWith("%")) {
    const greedy = op.startsWith("%%")
    const pat = op.slice(greedy ? 2 : 1)
    // Shortest suffix: try the latest start first; longest: the earliest.
    const re = new RegExp(`^(?:${globSource(pat, true)})$`, "s")
    const starts = [...Array(v.length + 1).keys()]
    for (const i of greedy ? starts : starts.reverse()) if (re.test(v.slice(i))) return v.slice(0, i)
    return v
  }
  if (op.startsWith("/")) {
    const mode = op.startsWith("//") ? "all" : op.startsWith("/#") ? "prefix" : op.startsWith("/%") ? "suffix" : "first"
    const [pat, rep] = splitReplace(op.slice(mode === "first" ? 1 : 2))
    const src = globSource(pat, true)
    if (mode === "prefix") return pat === "" ? rep + v : v.replace(new RegExp(`^(?:${src})`, "s"), () => rep)
    if (mode === "suffix") return pat === "" ? v + rep : v.replace(new RegExp(`(?:${src})$`, "s"), () => rep)
    if (pat === "") return v
    return v.replace(new RegExp(src, mode === "all" ? "gs" : "s"), () => rep)
  }
  throw new SubstituteError(`bad substitution "\${${expr}}"`)
}

/** Substitutes variables in a string. */
export const substitute = (text: string, vars: Readonly<Record<string, string>>, options: SubstituteOptions = {}): string => {
  let out = ""
  let i = 0
  while (i < text.length) {
    const at = text.indexOf("$", i)
    if (at < 0) {
      out += text.slice(i)
      break
    }
    out += text.slice(i, at)
    if (text.startsWith("$${", at)) {
      out += "${"
      i = at + 3
      continue
    }
    if (text[at + 1] !== "{") {
      out += "$"
      i = at + 1
      continue
    }
    let end = -1
    for (let j = at + 2, depth = 1; j < text.length; j++) {
      if (text[j] === "{") depth++
      else if (text[j] === "}" && --depth === 0) {
        end = j
        break
      }
    }
    if (end < 0) throw new SubstituteError(`unterminated "\${" at offset ${at}`)
    out += expand(text.slice(at + 2, end), vars, options)
    i = end + 1
  }
  return out
}

const expand = (expr: string, vars: Readonly<Record<string, string>>, options: SubstituteOptions): string => {
  const length = expr.startsWith("#")
  const body = length ? expr.slice(1) : expr
  const name = body.match(NAME_PREFIX)?.[0]
  if (name === undefined) throw new SubstituteError(`bad substitution "\${${expr}}"`)
  const op = body.slice(name.length)
  const value = vars[name]
  const d = length ? null : op.match(/^:?[=-]/)
  if (d !== null && d !== undefined) {
    // Defaults apply when the variable is unset or empty, whichever form is used.
    return value !== undefined && value !== "" ? value : substitute(op.slice(d[0].length), vars, options)
  }
  if (value === undefined && options.strict === true) throw new SubstituteError(`variable not set (strict mode): "${name}"`)
  const v = value ?? ""
  if (length) {
    if (op !== "") throw new SubstituteError(`bad substitution "\${${expr}}"`)
    return String([...v].length)
  }
  return op === "" ? v : applyOp(v, op, expr)
}

const OPT_OUT = "kustomize.toolkit.fluxcd.io/substitute"

/**
 * Substitutes variables in each object through its YAML text, as Flux does: nothing happens
 * without variables, values lose their newlines, opted-out objects are kept as they are.
 */
export const substituteObjects = (
  objects: ReadonlyArray<Record<string, any>>,
  vars: Readonly<Record<string, string>>,
  options: SubstituteOptions = {},
): Record<string, any>[] => {
  const names = Object.keys(vars)
  if (names.length === 0) return [...objects]
  for (const k of names) if (!NAME.test(k)) throw new SubstituteError(`'${k}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`)
  const clean: Record<string, string> = {}
  for (const k of names) clean[k] = vars[k]!.replaceAll("\n", "")
  return objects.map((o) => {
    const meta = o.metadata ?? {}
    if (meta.annotations?.[OPT_OUT] === "disabled" || meta.labels?.[OPT_OUT] === "disabled") return o
    // "${" can only come from a key or a value (nothing is folded or escaped around it), so the
    // JSON text tells as the YAML would, ~10x cheaper (2,000 objects without variables: most of
    // a postBuild reconcile's time).
    if (!JSON.stringify(o).includes("${")) return o
    const text = stringify(o, { lineWidth: 0 })
    try {
      return parse(substitute(text, clean, options))
    } catch (e) {
      const where = `${o.kind ?? "object"} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? ""}`
      throw new SubstituteError(`${where}: ${(e as Error).message}`)
    }
  })
}
