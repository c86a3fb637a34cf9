/**
 * The description of one Flux kind (names, scope, printer columns, schema,
 * decoder) and the helper that builds it. Private to @moor/api; the public
 * shape is re-exported from Registry.ts.
 */
import type { Result, Schema } from "effect"
import { type DecodeError, makeDecoder } from "../Decode.ts"
import { type JSONSchemaProps, openApiSchemaOf, pruneNulls } from "../Crd.ts"

/** An additional printer column of a CRD version (what `kubectl get` shows). */
export interface PrinterColumn {
  readonly name: string
  readonly type: "string" | "date" | "integer" | "number" | "boolean"
  readonly jsonPath: string
  readonly description?: string
  readonly priority?: number
}

/** Everything moor knows about one served kind. */
export interface KindInfo<T = unknown> {
  readonly group: string
  readonly version: string
  readonly kind: string
  /** `<group>/<version>`. */
  readonly apiVersion: string
  readonly plural: string
  readonly singular: string
  readonly listKind: string
  readonly shortNames: ReadonlyArray<string>
  readonly categories: ReadonlyArray<string>
  readonly namespaced: boolean
  /** Whether the CRD serves `/status` (Flux's Provider and Alert v1beta3 have no status). */
  readonly statusSubresource: boolean
  readonly printerColumns: ReadonlyArray<PrinterColumn>
  /** One-line description, used as the CRD schema description. */
  readonly description: string
  /** Schema of the whole object (apiVersion, kind, metadata, spec, status). */
  readonly schema: Schema.Codec<T, any>
  /** Decodes an object of this kind; the error names each bad field's path. */
  readonly decode: (input: unknown) => Result.Result<T, DecodeError>
}

/** Builds a {@link KindInfo}: derives apiVersion, listKind, singular and the decoder. */
export const defineKind = <S extends Schema.Codec<any, any, never, never>>(info: {
  readonly group: string
  readonly version: string
  readonly kind: string
  readonly plural: string
  readonly shortNames?: ReadonlyArray<string>
  readonly categories?: ReadonlyArray<string>
  readonly statusSubresource: boolean
  readonly printerColumns: ReadonlyArray<PrinterColumn>
  readonly description: string
  readonly schema: S
}): KindInfo<S["Type"]> => {
  const decode = makeDecoder(info.kind, info.schema)
  // The OpenAPI schema is derived on first use, to keep imports cheap.
  let openApi: JSONSchemaProps | undefined
  const kind: KindInfo<S["Type"]> = {
    ...info,
    apiVersion: `${info.group}/${info.version}`,
    singular: info.kind.toLowerCase(),
    listKind: `${info.kind}List`,
    shortNames: info.shortNames ?? [],
    categories: info.categories ?? [],
    namespaced: true,
    // Nulls are dropped first, as the API server prunes them, so a manifest
    // straight from Git ("dependsOn:" left empty) decodes as it would be stored.
    decode: (input) => decode(pruneNulls(input, (openApi ??= openApiSchemaOf(kind)))),
  }
  return kind
}

// The columns nearly every Flux kind prints.
const readyPath = '.status.conditions[?(@.type=="Ready")]'
/** `Age` from the creation timestamp. */
export const AgeColumn: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }
/** `Ready` from the Ready condition's status. */
export const ReadyColumn: PrinterColumn = { name: "Ready", type: "string", jsonPath: `${readyPath}.status` }
/** `Status` from the Ready condition's message. */
export const StatusColumn: PrinterColumn = { name: "Status", type: "string", jsonPath: `${readyPath}.message` }
