/**
 * Turning Schema failures into errors a person can act on: one line per
 * problem, each naming the field path ("spec.interval: Expected string, got 5").
 */
import { Result, Schema, SchemaIssue } from "effect"

/** One problem found while decoding: a dotted field path and what is wrong there. */
export const DecodeIssue = Schema.Struct({ path: Schema.String, message: Schema.String })
export type DecodeIssue = typeof DecodeIssue.Type

/**
 * A resource that does not decode. Serializable (it may cross NATS or end up
 * in a condition message); `message` lists every issue, one per line.
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  kind: Schema.String,
  issues: Schema.Array(DecodeIssue),
}) {
  override get message(): string {
    return `invalid ${this.kind}: ${this.issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")}`
  }
}

/** Formats a path like ["spec", "include", 0, "name"] as "spec.include[0].name". */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`
    const k = String(key)
    if (/^[A-Za-z_$][\w$-]*$/.test(k)) return acc === "" ? k : `${acc}.${k}`
    return `${acc}[${JSON.stringify(k)}]`
  }, "")

const lookup = (input: unknown, path: ReadonlyArray<PropertyKey>): { found: boolean; value: unknown } => {
  let cur: unknown = input
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return { found: false, value: undefined }
    cur = (cur as Record<PropertyKey, unknown>)[key]
  }
  return { found: true, value: cur }
}

const show = (value: unknown): string => {
  if (value === undefined) return "undefined"
  const text = JSON.stringify(value) ?? String(value)
  if (text.length <= 60) return text
  if (Array.isArray(value)) return `an array of ${value.length} items`
  return `${text.slice(0, 57)}...`
}

const standard = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Flattens a Schema issue into path/message pairs. Type and value mismatches
 * ("Expected ...") quote the offending input value.
 */
export const issuesOf = (issue: SchemaIssue.Issue, input: unknown): ReadonlyArray<DecodeIssue> =>
  standard(issue).issues.map((i) => {
    const path = (i.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? p.key : p))
    let message = i.message
    if (message === "Missing key") message = "Required field is missing"
    else if (message.startsWith("Expected")) {
      const at = lookup(input, path)
      if (at.found) message = `${message}, got ${show(at.value)}`
    }
    return { path: formatPath(path), message }
  })

/** Builds a decoder that reports every problem of the input with its field path. */
export const makeDecoder = <S extends Schema.Codec<any, any, never, never>>(kind: string, schema: S) => {
  const decode = Schema.decodeUnknownResult(schema)
  return (input: unknown): Result.Result<S["Type"], DecodeError> => {
    const r = decode(input, { errors: "all" })
    if (Result.isSuccess(r)) return Result.succeed(r.success)
    return Result.fail(new DecodeError({ kind, issues: issuesOf(r.failure.issue, input) }))
  }
}

/** A decoder that returns the value or throws its DecodeError's message (what an actor host's `decode` wants). */
export const orThrow =
  <T>(decode: (input: unknown) => Result.Result<T, DecodeError>) =>
  (input: unknown): T => {
    const r = decode(input)
    if (Result.isFailure(r)) throw new Error(r.failure.message)
    return r.success
  }
