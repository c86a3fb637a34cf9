// Structural schemas (OpenAPI v3 subset as CRDs write them, with `$ref` into a table of
// definitions for the built-in kinds): type checks, required fields, enums, formats and
// bounds, pruning of unknown fields, and defaulting. Errors carry Kubernetes field paths.
import {
  type FieldError,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTypeInvalid,
} from "./Errors.ts"
import type { Obj } from "./Store.ts"

/** A schema node: the fields of apiextensions' JSONSchemaProps that matter here. */
export interface JSONSchema {
  $ref?: string
  type?: string
  format?: string
  description?: string
  properties?: Record<string, JSONSchema>
  additionalProperties?: JSONSchema | boolean
  items?: JSONSchema
  required?: string[]
  enum?: unknown[]
  default?: unknown
  nullable?: boolean
  pattern?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: boolean
  exclusiveMaximum?: boolean
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  minProperties?: number
  maxProperties?: number
  allOf?: JSONSchema[]
  anyOf?: JSONSchema[]
  oneOf?: JSONSchema[]
  "x-kubernetes-preserve-unknown-fields"?: boolean
  "x-kubernetes-int-or-string"?: boolean
  "x-kubernetes-embedded-resource"?: boolean
  "x-kubernetes-list-type"?: "atomic" | "set" | "map"
  "x-kubernetes-list-map-keys"?: string[]
  "x-kubernetes-map-type"?: "atomic" | "granular"
  "x-kubernetes-patch-strategy"?: string
  "x-kubernetes-patch-merge-key"?: string
}

/** Definitions that `$ref: "#/definitions/<name>"` points into. */
export type Definitions = Readonly<Record<string, JSONSchema>>

const REF = "#/definitions/"

/** Follow `$ref`s to the schema they name. */
export const resolve = (s: JSONSchema | undefined, defs: Definitions): JSONSchema | undefined => {
  let cur = s
  for (let i = 0; cur?.$ref !== undefined && i < 8; i++) cur = defs[cur.$ref.slice(REF.length)]
  return cur
}

/** How unknown fields are treated: reported as errors (Strict), or dropped and reported. */
export interface ValidateContext {
  readonly defs: Definitions
  readonly errors: FieldError[]
  /** Paths of unknown fields found (and removed from the value). */
  readonly unknown: string[]
  /** Apply `default`s of the schema (custom resources). */
  readonly defaults: boolean
}

export const newContext = (defs: Definitions, defaults: boolean): ValidateContext => ({
  defs,
  errors: [],
  unknown: [],
  defaults,
})

const typeName = (v: unknown): string => {
  if (v === null) return "null"
  if (Array.isArray(v)) return "array"
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number"
  return typeof v
}

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

const join = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`)

const typeMismatch = (ctx: ValidateContext, path: string, v: unknown, want: string): void => {
  // A real server shows the value's type name as the value here.
  ctx.errors.push(fieldTypeInvalid(path, typeName(v), `${path} in body must be of type ${want}: "${typeName(v)}"`))
}

/**
 * Validate `v` against `schema` at `path`. Unknown object fields are removed from `v`
 * in place (and listed in ctx.unknown); defaults are filled in when ctx.defaults.
 */
export const validate = (v: unknown, schema0: JSONSchema | undefined, path: string, ctx: ValidateContext): void => {
  const schema = resolve(schema0, ctx.defs)
  if (schema === undefined) return
  if (v === null) {
    if (schema.nullable === true || schema.type === undefined) return
    // Real servers drop nulls for most built-in fields while decoding; keep them accepted.
    return
  }
  if (schema["x-kubernetes-int-or-string"] === true) {
    if (typeof v !== "string" && !(typeof v === "number" && Number.isInteger(v))) {
      ctx.errors.push(fieldTypeInvalid(path, typeName(v), `${path} in body must be of type integer,string: "${typeName(v)}"`))
    }
    return
  }
  switch (schema.type) {
    case "string":
      if (schema.format === "quantity") {
        if (typeof v === "number") return
        if (typeof v !== "string") return typeMismatch(ctx, path, v, "string")
        if (!QUANTITY.test(v)) {
          ctx.errors.push(fieldInvalid(path, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
        }
        return
      }
      if (typeof v !== "string") return typeMismatch(ctx, path, v, "string")
      checkString(v, schema, path, ctx)
      return
    case "integer":
      if (typeof v !== "number" || !Number.isInteger(v)) return typeMismatch(ctx, path, v, "integer")
      checkNumber(v, schema, path, ctx)
      return
    case "number":
      if (typeof v !== "number") return typeMismatch(ctx, path, v, "number")
      checkNumber(v, schema, path, ctx)
      return
    case "boolean":
      if (typeof v !== "boolean") return typeMismatch(ctx, path, v, "boolean")
      return
    case "array":
      if (!Array.isArray(v)) return typeMismatch(ctx, path, v, "array")
      checkArray(v, schema, path, ctx)
      return
    case "object":
      if (typeof v !== "object" || Array.isArray(v)) return typeMismatch(ctx, path, v, "object")
      checkObject(v as Obj, schema, path, ctx)
      return
    default:
      // No type: anything goes (x-kubernetes-preserve-unknown-fields, RawExtension).
      if (typeof v === "object" && !Array.isArray(v) && schema.properties !== undefined) checkObject(v as Obj, schema, path, ctx)
      checkCombinators(v, schema, path, ctx)
  }
}

const checkString = (v: string, s: JSONSchema, path: string, ctx: ValidateContext): void => {
  if (s.enum !== undefined && !s.enum.includes(v)) ctx.errors.push(fieldNotSupported(path, v, s.enum))
  if (s.maxLength !== undefined && [...v].length > s.maxLength) {
    ctx.errors.push({ type: "FieldValueTooLong", field: path, detail: `may not be more than ${s.maxLength} bytes`, value: v, hasValue: false })
  }
  if (s.minLength !== undefined && [...v].length < s.minLength) {
    ctx.errors.push(fieldInvalid(path, v, `${path} in body should be at least ${s.minLength} chars long`))
  }
  if (s.pattern !== undefined) {
    let re: RegExp | undefined
    try {
      re = new RegExp(s.pattern, "u")
    } catch {
      re = undefined
    }
    if (re !== undefined && !re.test(v)) ctx.errors.push(fieldInvalid(path, v, `${path} in body should match '${s.pattern}'`))
  }
  if (s.format === "date-time" && v !== "" && !DATE_TIME.test(v)) {
    ctx.errors.push(fieldInvalid(path, v, `${path} in body must be of type date-time: "${v}"`))
  }
  if (s.format === "byte" && (v.length % 4 !== 0 || !BASE64.test(v))) {
    ctx.errors.push(fieldInvalid(path, "<value omitted>", "illegal base64 data"))
  }
  checkCombinators(v, s, path, ctx)
}

const checkNumber = (v: number, s: JSONSchema, path: string, ctx: ValidateContext): void => {
  if (s.enum !== undefined && !s.enum.includes(v)) ctx.errors.push(fieldNotSupported(path, v, s.enum))
  if (s.minimum !== undefined && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)) {
    ctx.errors.push(fieldInvalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum === true ? "" : "or equal to "}${s.minimum}`))
  }
  if (s.maximum !== undefined && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)) {
    ctx.errors.push(fieldInvalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum === true ? "" : "or equal to "}${s.maximum}`))
  }
  if (s.format === "int32" && (v > 2147483647 || v < -2147483648)) ctx.errors.push(fieldInvalid(path, v, "must fit in a 32-bit integer"))
}

const checkArray = (v: unknown[], s: JSONSchema, path: string, ctx: ValidateContext): void => {
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    ctx.errors.push({ type: "FieldValueTooMany", field: path, value: v.length, hasValue: true, detail: `must have at most ${s.maxItems} items` })
  }
  if (s.minItems !== undefined && v.length < s.minItems) {
    ctx.errors.push(fieldInvalid(path, v.length, `${path} in body should have at least ${s.minItems} items`))
  }
  if (s.items !== undefined) for (let i = 0; i < v.length; i++) validate(v[i], s.items, `${path}[${i}]`, ctx)
  const lt = s["x-kubernetes-list-type"]
  if (lt === "set") {
    const seen = new Set<string>()
    v.forEach((x, i) => {
      const k = JSON.stringify(x)
      if (seen.has(k)) ctx.errors.push({ type: "FieldValueDuplicate", field: `${path}[${i}]`, value: x, hasValue: true, detail: "" })
      seen.add(k)
    })
  } else if (lt === "map") {
    const keys = s["x-kubernetes-list-map-keys"] ?? []
    const seen = new Set<string>()
    v.forEach((x, i) => {
      if (x === null || typeof x !== "object") return
      const k = JSON.stringify(keys.map((kk) => (x as Obj)[kk]))
      if (seen.has(k)) ctx.errors.push({ type: "FieldValueDuplicate", field: `${path}[${i}]`, value: Object.fromEntries(keys.map((kk) => [kk, (x as Obj)[kk]])), hasValue: true, detail: "" })
      seen.add(k)
    })
  }
  checkCombinators(v, s, path, ctx)
}

const checkObject = (v: Obj, s: JSONSchema, path: string, ctx: ValidateContext): void => {
  const props = s.properties
  if (ctx.defaults && props !== undefined) {
    for (const k in props) {
      const d = resolve(props[k], ctx.defs)?.default
      if (d !== undefined && v[k] === undefined) v[k] = structuredClone(d)
    }
  }
  if (s.required !== undefined) {
    for (const r of s.required) if (v[r] === undefined) ctx.errors.push(fieldRequired(join(path, r)))
  }
  const ap = s.additionalProperties
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true
  for (const k of Object.keys(v)) {
    const sub = props?.[k]
    if (sub !== undefined) {
      validate(v[k], sub, join(path, k), ctx)
    } else if (ap !== undefined && ap !== false) {
      if (typeof ap === "object") validate(v[k], ap, `${path}[${k}]`, ctx)
    } else if (!preserve && (props !== undefined || ap === false)) {
      ctx.unknown.push(join(path, k))
      delete v[k]
    }
  }
  if (s.maxProperties !== undefined && Object.keys(v).length > s.maxProperties) {
    ctx.errors.push({ type: "FieldValueTooMany", field: path, value: Object.keys(v).length, hasValue: true, detail: `must have at most ${s.maxProperties} items` })
  }
  if (s.minProperties !== undefined && Object.keys(v).length < s.minProperties) {
    ctx.errors.push(fieldInvalid(path, Object.keys(v).length, `${path} in body should have at least ${s.minProperties} properties`))
  }
  checkCombinators(v, s, path, ctx)
}

// allOf/anyOf/oneOf as value constraints (structural schemas keep types out of them).
const checkCombinators = (v: unknown, s: JSONSchema, path: string, ctx: ValidateContext): void => {
  const sub = (x: JSONSchema): FieldError[] => {
    const c: ValidateContext = { defs: ctx.defs, errors: [], unknown: [], defaults: false }
    validate(structuredCloneSafe(v), { ...x, type: x.type ?? s.type }, path, c)
    return c.errors
  }
  if (s.allOf !== undefined) for (const x of s.allOf) ctx.errors.push(...sub(x))
  if (s.anyOf !== undefined && !s.anyOf.some((x) => sub(x).length === 0)) {
    ctx.errors.push(fieldInvalid(path, v, "must validate at least one schema (anyOf)"))
  }
  if (s.oneOf !== undefined && s.oneOf.filter((x) => sub(x).length === 0).length !== 1) {
    ctx.errors.push(fieldInvalid(path, v, "must validate one and only one schema (oneOf)"))
  }
}

const structuredCloneSafe = (v: unknown): unknown => (typeof v === "object" && v !== null ? structuredClone(v) : v)

/** The schema at a child field (object property or map value), `$ref`s resolved. */
export const childSchema = (s: JSONSchema | undefined, key: string, defs: Definitions): JSONSchema | undefined => {
  const r = resolve(s, defs)
  if (r === undefined) return undefined
  const p = r.properties?.[key]
  if (p !== undefined) return resolve(p, defs)
  if (typeof r.additionalProperties === "object") return resolve(r.additionalProperties, defs)
  return undefined
}

/** The schema of the items of a list, `$ref`s resolved. */
export const itemSchema = (s: JSONSchema | undefined, defs: Definitions): JSONSchema | undefined =>
  resolve(resolve(s, defs)?.items, defs)
