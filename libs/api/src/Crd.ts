/**
 * CustomResourceDefinitions derived from the kinds' Effect schemas, so the
 * API server validates and defaults exactly what the decoders accept.
 * Cross-field rules (Flux's CEL validations) stay in the decoders: the
 * CRDs must load on Kubernetes 1.20, which has no CEL.
 */
import { SchemaAST } from "effect"
import YAML from "yaml"
import type { KindInfo } from "./internal/kind.ts"
import { type DefaultAnnotation, DefaultValue, OpenApi } from "./internal/fields.ts"

/** An OpenAPI v3 schema node as a CRD holds it (JSONSchemaProps). */
export type JSONSchemaProps = { readonly [key: string]: unknown }

type Mutable = { [key: string]: unknown }

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const flattenChecks = (checks: SchemaAST.Checks | undefined): Array<SchemaAST.Filter<any>> =>
  (checks ?? []).flatMap((c) => (c._tag === "FilterGroup" ? flattenChecks(c.checks) : [c]))

// Translates the checks of a node into OpenAPI keywords. Checks without a
// known representation are cross-field filters, enforced by the decoder only.
const applyChecks = (ast: SchemaAST.AST, out: Mutable): void => {
  const isArray = ast._tag === "Arrays"
  for (const check of flattenChecks(ast.checks)) {
    const ann = check.annotations as Record<string, unknown> | undefined
    const rep = ann?.["representation"] as { id?: string; payload?: Record<string, unknown> } | undefined
    switch (rep?.id) {
      case undefined:
        break
      case "effect/schema/isPattern":
        out["pattern"] = rep.payload?.["source"]
        break
      case "effect/schema/isMinLength":
        out[isArray ? "minItems" : "minLength"] = rep.payload?.["minLength"]
        break
      case "effect/schema/isMaxLength":
        out[isArray ? "maxItems" : "maxLength"] = rep.payload?.["maxLength"]
        break
      case "effect/schema/isInt":
        out["type"] = "integer"
        break
      case "effect/schema/isGreaterThanOrEqualTo":
        out["minimum"] = rep.payload?.["minimum"]
        break
      default:
        throw new Error(`no OpenAPI translation for the check ${rep?.id}`)
    }
    // An explicit OpenAPI fragment wins; an undefined value removes a keyword.
    const override = ann?.[OpenApi]
    if (isRecord(override)) mergeOpenApi(out, override)
  }
}

const mergeOpenApi = (out: Mutable, fragment: Record<string, unknown>): void => {
  for (const [key, value] of Object.entries(fragment)) {
    if (value === undefined) delete out[key]
    else out[key] = value
  }
}

// Effect puts the annotations of a refined schema on its last check, so a
// node's own annotations are read from both places.
const annotationOf = (ast: SchemaAST.AST, key: string): unknown =>
  ast.annotations?.[key] ?? (ast.checks?.[ast.checks.length - 1]?.annotations as Record<string, unknown> | undefined)?.[key]

const literalType = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return "string"
    case "boolean":
      return "boolean"
    case "number":
      return Number.isInteger(value) ? "integer" : "number"
    default:
      throw new Error(`no OpenAPI type for the literal ${String(value)}`)
  }
}

// A property is required on the wire unless it is optional there: an
// optionalKey, or a key the decoder defaults (its encoded side is optional).
const isRequiredOnWire = (ast: SchemaAST.AST): boolean => {
  const encoded = ast.encoding === undefined ? ast : ast.encoding[ast.encoding.length - 1]!.to
  return !(encoded.context?.isOptional ?? false) && !(ast.context?.isOptional ?? false)
}

/**
 * The structural OpenAPI v3 schema of a Schema AST: every node typed, maps as
 * additionalProperties, free-form values as x-kubernetes-preserve-unknown-fields,
 * enums from literal unions, patterns/lengths/formats from checks, and the
 * defaults Flux's CRDs declare.
 */
export const toOpenApi = (ast: SchemaAST.AST): JSONSchemaProps => {
  const out: Mutable = {}
  const description = annotationOf(ast, "description")
  if (typeof description === "string") out["description"] = description
  switch (ast._tag) {
    case "String":
      out["type"] = "string"
      break
    case "Number":
      out["type"] = "number"
      break
    case "Boolean":
      out["type"] = "boolean"
      break
    case "Unknown":
    case "Any":
      out["x-kubernetes-preserve-unknown-fields"] = true
      break
    case "Literal":
      out["type"] = literalType(ast.literal)
      out["enum"] = [ast.literal]
      break
    case "Union": {
      const members = ast.types.filter((t) => t._tag !== "Null")
      // The API server drops nulls of fields that are not nullable, so
      // NullOr(X), which the decoder tolerates, is X on the wire.
      if (members.length === 1 && ast.types.length === 2) return { ...toOpenApi(members[0]!), ...out }
      if (!members.every((t): t is SchemaAST.Literal => t._tag === "Literal")) {
        throw new Error(`no OpenAPI translation for a union of ${members.map((t) => t._tag).join(", ")}`)
      }
      const types = new Set(members.map((t) => literalType(t.literal)))
      if (types.size !== 1) throw new Error("no OpenAPI translation for a union of literals of several types")
      out["type"] = [...types][0]
      out["enum"] = members.map((t) => t.literal)
      break
    }
    case "Arrays":
      if (ast.elements.length !== 0 || ast.rest.length !== 1) throw new Error("no OpenAPI translation for tuples")
      out["type"] = "array"
      out["items"] = toOpenApi(ast.rest[0]!)
      break
    case "Objects": {
      out["type"] = "object"
      if (ast.indexSignatures.length > 0) {
        if (ast.propertySignatures.length > 0 || ast.indexSignatures.length > 1) {
          throw new Error("no OpenAPI translation for objects mixing properties and index signatures")
        }
        const value = toOpenApi(ast.indexSignatures[0]!.type)
        if (value["x-kubernetes-preserve-unknown-fields"] === true && value["type"] === undefined) {
          out["x-kubernetes-preserve-unknown-fields"] = true
        } else out["additionalProperties"] = value
        break
      }
      const properties: Mutable = {}
      const required: Array<string> = []
      for (const ps of ast.propertySignatures) {
        const name = String(ps.name)
        const prop: Mutable = { ...toOpenApi(ps.type) }
        const def = annotationOf(ps.type, DefaultValue) as DefaultAnnotation | undefined
        if (def?.crd === true) prop["default"] = def.value
        properties[name] = prop
        if (isRequiredOnWire(ps.type)) required.push(name)
      }
      out["properties"] = properties
      if (required.length > 0) out["required"] = required
      break
    }
    case "Suspend":
      return { ...toOpenApi(ast.thunk()), ...out }
    default:
      throw new Error(`no OpenAPI translation for ${ast._tag}`)
  }
  applyChecks(ast, out)
  const override = ast.annotations?.[OpenApi]
  if (isRecord(override)) mergeOpenApi(out, override)
  return out
}

/**
 * Drops the nulls the API server would prune: values of fields that are not
 * nullable, outside free-form (x-kubernetes-preserve-unknown-fields) subtrees,
 * where a null may mean something (Helm values). Returns a new value.
 */
export const pruneNulls = (value: unknown, schema: JSONSchemaProps | undefined): unknown => {
  if (schema === undefined || schema["x-kubernetes-preserve-unknown-fields"] === true) return value
  if (Array.isArray(value)) {
    const items = schema["items"] as JSONSchemaProps | undefined
    return items === undefined ? value : value.map((v) => pruneNulls(v, items))
  }
  const properties = schema["properties"] as Record<string, JSONSchemaProps> | undefined
  const additional = schema["additionalProperties"] as JSONSchemaProps | undefined
  if (!isRecord(value) || (properties === undefined && additional === undefined)) return value
  const out: Mutable = {}
  for (const [key, v] of Object.entries(value)) {
    const s = (properties !== undefined && Object.hasOwn(properties, key) ? properties[key] : undefined) ?? additional
    if (v === null && s !== undefined && s["nullable"] !== true) continue
    out[key] = pruneNulls(v, s)
  }
  return out
}

const typeMetaDescriptions = {
  apiVersion:
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
  kind: "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.",
}

/** The openAPIV3Schema of a kind: apiVersion, kind, metadata (name only, per structural rules), spec, status. */
export const openApiSchemaOf = (info: KindInfo<any>): JSONSchemaProps => {
  const root = toOpenApi(info.schema.ast) as Mutable
  const properties = { ...(root["properties"] as Mutable) }
  properties["apiVersion"] = { type: "string", description: typeMetaDescriptions.apiVersion }
  properties["kind"] = { type: "string", description: typeMetaDescriptions.kind }
  properties["metadata"] = { type: "object" }
  const required = ((root["required"] as Array<string> | undefined) ?? []).filter(
    (r) => r !== "apiVersion" && r !== "kind" && r !== "metadata",
  )
  return {
    description: info.description,
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
  }
}

/** The CustomResourceDefinition (apiextensions.k8s.io/v1) of a kind. */
export const crdOf = (info: KindInfo<any>): JSONSchemaProps => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${info.plural}.${info.group}` },
  spec: {
    group: info.group,
    names: {
      kind: info.kind,
      listKind: info.listKind,
      plural: info.plural,
      singular: info.singular,
      ...(info.shortNames.length > 0 ? { shortNames: [...info.shortNames] } : {}),
      ...(info.categories.length > 0 ? { categories: [...info.categories] } : {}),
    },
    scope: info.namespaced ? "Namespaced" : "Cluster",
    versions: [
      {
        name: info.version,
        served: true,
        storage: true,
        additionalPrinterColumns: info.printerColumns.map((c) => ({ ...c })),
        schema: { openAPIV3Schema: openApiSchemaOf(info) },
        ...(info.statusSubresource ? { subresources: { status: {} } } : {}),
      },
    ],
  },
})

/** The file a kind's CRD is written to under deploy/crds: "<group>_<plural>.yaml", as controller-gen names it. */
export const crdFileName = (info: KindInfo<any>): string => `${info.group}_${info.plural}.yaml`

const header = "# Generated by libs/api/scripts/gen-crds.ts from the @moor/api schemas. Do not edit.\n"

/** The YAML text of a kind's CRD, as committed under deploy/crds. */
export const renderCrd = (info: KindInfo<any>): string =>
  header + YAML.stringify(crdOf(info), { lineWidth: 0, aliasDuplicateObjects: false })

/** Every file of deploy/crds (the CRDs and a kustomization.yaml listing them), by file name. */
export const renderCrdFiles = (infos: ReadonlyArray<KindInfo<any>>): ReadonlyMap<string, string> => {
  const files = new Map<string, string>()
  for (const info of infos) files.set(crdFileName(info), renderCrd(info))
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: infos.map(crdFileName),
  }
  files.set("kustomization.yaml", header + YAML.stringify(kustomization))
  return files
}
