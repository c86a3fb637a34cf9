/**
 * Small helpers for writing Flux field schemas, and the annotation keys the
 * CRD generator reads. Private to @moor/api.
 */
import { Effect, Schema } from "effect"

/** Annotation key: an OpenAPI fragment merged into the generated CRD schema of a node or check. */
export const OpenApi = "moor/openapi"

/** Annotation key: a default value, and whether Flux's CRD declares it (see {@link withDefault}). */
export const DefaultValue = "moor/default"

/** Shape of the {@link DefaultValue} annotation. */
export interface DefaultAnnotation {
  readonly value: unknown
  readonly crd: boolean
}

/** An optional key: may be absent, must have the right type when present. */
export const opt = <S extends Schema.Top>(schema: S): Schema.optionalKey<S> => Schema.optionalKey(schema)

/**
 * A key that the decoder fills with `value` when it is absent.
 * `where` records who defaults it in Flux: "crd" when Flux's CRD declares an
 * OpenAPI default (the API server writes it, and our CRDs declare it too);
 * "controller" when Flux's controller assumes it in code (a Go getter or a Go
 * zero value), which only the decoder applies.
 */
export const withDefault = <S extends Schema.Top>(
  schema: S,
  value: S["Encoded"],
  where: "crd" | "controller",
) =>
  schema
    .pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))
    .annotate({ [DefaultValue]: { value, crd: where === "crd" } satisfies DefaultAnnotation })

/** A Go `bool` field: optional, false when absent (Go's zero value). */
export const bool = () => withDefault(Schema.Boolean, false, "controller")

/** A Go `int64` (JSON number, whole); the CRD says format int64. */
export const Int64 = Schema.Int.annotate({ [OpenApi]: { format: "int64" } })

/** A string of bounded length (Flux's MinLength/MaxLength markers). */
export const StringLen = (min: number | undefined, max: number | undefined) => {
  const checks = [
    ...(min === undefined ? [] : [Schema.isMinLength(min)]),
    ...(max === undefined ? [] : [Schema.isMaxLength(max)]),
  ]
  return checks.length === 0 ? Schema.String : Schema.String.check(...(checks as [any, ...Array<any>]))
}

/** A string matching a regular expression, with a readable message on mismatch. */
export const Pattern = (re: RegExp, message: string) =>
  Schema.String.check(Schema.isPattern(re, { message }))

/** A string map (Go `map[string]string`). */
export const StringMap = Schema.Record(Schema.String, Schema.String)

/** Attaches a description (it becomes the CRD field description). */
export const doc =
  (description: string) =>
  <S extends Schema.Top>(schema: S): S["Rebuild"] =>
    schema.annotate({ description })
