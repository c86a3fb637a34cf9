// Helm's own template functions (include, tpl, required, toYaml...), as
// Helm documents them, on top of sprig (env and expandenv removed).
import type { TemplateSet } from "../../TemplateSet.ts"
import { execute, TemplateError, type State } from "../exec.ts"
import { def, GoError, P_ANY, P_STRING, P_VALUES, type FuncMap } from "../funcs.ts"
import { marshal, unmarshal } from "../json.ts"
import { sprigFuncs } from "../sprig/index.ts"
import { quote } from "../strconv.ts"
import { tag, T_NIL_IFACE_MAP } from "../values.ts"
import { yamlToValue } from "./fromyaml.ts"
import { toToml } from "./toml.ts"
import { toYaml } from "./yaml.ts"

/** How deep include may nest one template name (Helm: 1000). */
export const includeLimit = 1000

function include(this: State, name: string, data: unknown): string {
  const counts = this.budget.includes
  const n = counts.get(name) ?? 0
  if (n > includeLimit) throw new GoError(`rendering template has a nested reference name: ${name}: unable to execute template`)
  counts.set(name, n + 1)
  try {
    return execute(this.engine, name, data, this.budget, this.depth + 1, true)
  } catch (e) {
    // The JavaScript stack ends before Helm's limit of 1000 nested includes; say what Helm says.
    if (e instanceof RangeError) throw new GoError(`rendering template has a nested reference name: ${name}: unable to execute template`)
    throw e
  } finally {
    counts.set(name, (counts.get(name) ?? 1) - 1)
  }
}

function tpl(this: State, text: string, data: unknown): string {
  const parent = this.engine as TemplateSet
  const set = parent.overlay()
  try {
    set.parse(set.name, text)
  } catch (e) {
    if (e instanceof TemplateError && e.kind === "parse") throw new GoError(`cannot parse template ${quote(text)}: ${e.message}`)
    throw e
  }
  try {
    return execute(set, set.name, data, this.budget, this.depth + 1).replaceAll("<no value>", "")
  } catch (e) {
    if (e instanceof TemplateError && e.kind === "exec") throw new GoError(`error during tpl function execution for ${quote(text)}: ${e.message}`)
    throw e
  }
}

function required(msg: string, v: unknown): unknown {
  if (v === null || v === undefined || v === "") throw new GoError(msg)
  return v
}

function fromYaml(s: string): unknown {
  try {
    const v = yamlToValue(s)
    if (v === null) return {}
    if (typeof v !== "object" || Array.isArray(v)) {
      const kind = Array.isArray(v) ? "array" : typeof v === "string" ? "string" : typeof v === "number" ? "number" : "bool"
      return { Error: `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` }
    }
    return v
  } catch (e) {
    if (e instanceof GoError) return { Error: e.message }
    throw e
  }
}

function fromYamlArray(s: string): unknown {
  try {
    const v = yamlToValue(s)
    if (v === null) return []
    if (!Array.isArray(v)) {
      const kind = typeof v === "object" ? "object" : typeof v === "string" ? "string" : typeof v === "number" ? "number" : "bool"
      return [`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type []interface {}`]
    }
    return v
  } catch (e) {
    if (e instanceof GoError) return [e.message]
    throw e
  }
}

function fromJson(s: string): unknown {
  try {
    const v = unmarshal(s, "map")
    return v === null ? tag({}, T_NIL_IFACE_MAP) : v
  } catch (e) {
    if (e instanceof GoError) return { Error: e.message }
    throw e
  }
}

function fromJsonArray(s: string): unknown {
  try {
    const v = unmarshal(s, "slice")
    return v === null ? tag([], { name: "[]interface {}", kind: "slice", nil: true }) : v
  } catch (e) {
    if (e instanceof GoError) return [e.message]
    throw e
  }
}

function toJson(v: unknown): string {
  try {
    return marshal(v)
  } catch (e) {
    if (e instanceof GoError) return ""
    throw e
  }
}

/** Helm's functions alone (include, tpl, required, lookup and the YAML/JSON/TOML converters). */
export const helmOnlyFuncs: FuncMap = {
  include: def([P_STRING, P_ANY], include, { errors: true }),
  tpl: def([P_STRING, P_VALUES], tpl, { errors: true }),
  required: def([P_STRING, P_ANY], required, { errors: true, retIface: true }),
  toYaml: def([P_ANY], toYaml),
  fromYaml: def([P_STRING], fromYaml),
  fromYamlArray: def([P_STRING], fromYamlArray),
  toToml: def([P_ANY], toToml),
  toJson: def([P_ANY], toJson),
  fromJson: def([P_STRING], fromJson),
  fromJsonArray: def([P_STRING], fromJsonArray),
  lookup: def([P_STRING, P_STRING, P_STRING, P_STRING], () => ({}), { errors: true }),
}

/** The function map Helm renders charts with: sprig (without env/expandenv) plus Helm's functions. */
export const helmFuncs: FuncMap = Object.freeze({ ...sprigFuncs, ...helmOnlyFuncs })

/** Finds a live object for Helm's `lookup`: the object as a JSON map, or an empty map when there is none. */
export type LookupFn = (apiVersion: string, kind: string, namespace: string, name: string) => Record<string, unknown>

/** helmFuncs with a real `lookup` (helmFuncs' own returns an empty map, as `helm template` does); a thrown error fails the render. */
export function helmFuncsWithLookup(lookup: LookupFn): FuncMap {
  const fn = (apiVersion: string, kind: string, namespace: string, name: string) => {
    try {
      return lookup(apiVersion, kind, namespace, name)
    } catch (e) {
      throw e instanceof GoError ? e : new GoError(e instanceof Error ? e.message : String(e))
    }
  }
  return Object.freeze({ ...helmFuncs, lookup: def([P_STRING, P_STRING, P_STRING, P_STRING], fn, { errors: true }) })
}
