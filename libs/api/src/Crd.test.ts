// The CRDs under deploy/crds: up to date with the schemas, structural as a
// Kubernetes 1.20+ API server requires, consistent with the registry, and
// accepting exactly what the decoders accept.
import assert from "node:assert/strict"
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { test } from "node:test"
import { Result } from "effect"
import YAML from "yaml"
import { allFixtures, fixture } from "./__fixtures__/load.ts"
import { type JSONSchemaProps, crdFileName, crdOf, renderCrdFiles } from "./Crd.ts"
import { allKinds, decodeObject, kindOf } from "./Registry.ts"

const crdDir = join(import.meta.dirname, "../../../deploy/crds")
const committed = (file: string): any => YAML.parse(readFileSync(join(crdDir, file), "utf8"))
const rootSchemaOf = (crd: any): any => crd.spec.versions[0].schema.openAPIV3Schema

const isRecord = (u: unknown): u is Record<string, any> => typeof u === "object" && u !== null && !Array.isArray(u)

// A small OpenAPI v3 validator with the API server's semantics for what we
// emit: unknown fields are pruned (not errors), nulls of non-nullable fields
// are dropped, free-form nodes accept anything.
const validate = (value: unknown, schema: any, path = ""): Array<string> => {
  if (value === null && schema.nullable !== true) return []
  if (schema["x-kubernetes-preserve-unknown-fields"] === true && schema.type === undefined) return []
  const at = (p: string) => (path === "" ? p : `${path}.${p}`)
  const errors: Array<string> = []
  const fail = (m: string) => errors.push(`${path}: ${m}`)
  switch (schema.type) {
    case "object":
      if (!isRecord(value)) return [`${path}: expected object`]
      for (const r of schema.required ?? []) if (!(r in value)) errors.push(`${at(r)}: required`)
      for (const [k, v] of Object.entries(value)) {
        if (schema.properties?.[k] !== undefined) errors.push(...validate(v, schema.properties[k], at(k)))
        else if (schema.additionalProperties !== undefined) errors.push(...validate(v, schema.additionalProperties, at(k)))
      }
      break
    case "array":
      if (!Array.isArray(value)) return [`${path}: expected array`]
      if (schema.minItems !== undefined && value.length < schema.minItems) fail(`fewer than ${schema.minItems} items`)
      if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`more than ${schema.maxItems} items`)
      value.forEach((v, i) => errors.push(...validate(v, schema.items, `${path}[${i}]`)))
      break
    case "string":
      if (typeof value !== "string") return [`${path}: expected string`]
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) fail(`does not match ${schema.pattern}`)
      if (schema.minLength !== undefined && value.length < schema.minLength) fail("too short")
      if (schema.maxLength !== undefined && value.length > schema.maxLength) fail("too long")
      if (schema.format === "date-time" && Number.isNaN(Date.parse(value))) fail("not a date-time")
      break
    case "integer":
      if (!Number.isInteger(value)) return [`${path}: expected integer`]
      if (schema.minimum !== undefined && (value as number) < schema.minimum) fail("below minimum")
      break
    case "number":
      if (typeof value !== "number") return [`${path}: expected number`]
      break
    case "boolean":
      if (typeof value !== "boolean") return [`${path}: expected boolean`]
      break
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) fail(`not one of ${JSON.stringify(schema.enum)}`)
  return errors
}

const allowedKeywords = new Set([
  "description", "type", "format", "pattern", "enum", "default", "properties", "required", "items",
  "additionalProperties", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
  "nullable", "x-kubernetes-preserve-unknown-fields",
])
const types = new Set(["object", "array", "string", "integer", "number", "boolean"])

// The structural-schema rules of apiextensions.k8s.io/v1 that can be checked
// without a server, plus what Go's regexp (RE2) cannot compile.
const structuralProblems = (schema: any, path: string): Array<string> => {
  const problems: Array<string> = []
  const bad = (m: string) => problems.push(`${path || "<root>"}: ${m}`)
  if (!isRecord(schema)) return [`${path}: not a schema object`]
  for (const key of Object.keys(schema)) if (!allowedKeywords.has(key)) bad(`keyword ${key} is not allowed`)
  if (schema.type === undefined) {
    if (schema["x-kubernetes-preserve-unknown-fields"] !== true) bad("no type")
  } else if (!types.has(schema.type)) bad(`unknown type ${schema.type}`)
  if (schema.properties !== undefined && schema.additionalProperties !== undefined) bad("both properties and additionalProperties")
  if (schema.additionalProperties !== undefined && !isRecord(schema.additionalProperties)) bad("additionalProperties must be a schema")
  if ((schema.properties !== undefined || schema.additionalProperties !== undefined) && schema.type !== "object") bad("properties on a non-object")
  if (schema.type === "array" && !isRecord(schema.items)) bad("array without a single items schema")
  for (const r of schema.required ?? []) if (schema.properties?.[r] === undefined) bad(`required ${r} is not a property`)
  if (schema.format !== undefined && !["date-time", "int64", "int32"].includes(schema.format)) bad(`format ${schema.format}`)
  if (schema.pattern !== undefined) {
    try {
      new RegExp(schema.pattern)
    } catch {
      bad(`pattern does not compile: ${schema.pattern}`)
    }
    if (/\(\?[=!<]|\\[1-9]/.test(schema.pattern)) bad(`pattern uses lookaround or backreferences: ${schema.pattern}`)
  }
  if (schema.enum !== undefined) {
    const { enum: values, default: _d, ...rest } = schema
    for (const v of values) if (validate(v, rest).length > 0) bad(`enum value ${JSON.stringify(v)} does not match its type`)
  }
  if (schema.default !== undefined) {
    const { default: value, ...rest } = schema
    const errors = validate(value, rest)
    if (errors.length > 0) bad(`default ${JSON.stringify(value)} is invalid: ${errors.join(", ")}`)
  }
  for (const [k, v] of Object.entries(schema.properties ?? {})) problems.push(...structuralProblems(v, `${path}.${k}`))
  if (isRecord(schema.additionalProperties)) problems.push(...structuralProblems(schema.additionalProperties, `${path}.*`))
  if (isRecord(schema.items)) problems.push(...structuralProblems(schema.items, `${path}[]`))
  return problems
}

test("deploy/crds is up to date with the schemas (regenerate: node libs/api/scripts/gen-crds.ts)", () => {
  const expected = renderCrdFiles(allKinds)
  const onDisk = readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).sort()
  assert.deepEqual(onDisk, [...expected.keys()].sort())
  for (const [file, text] of expected) assert.equal(readFileSync(join(crdDir, file), "utf8"), text, file)
  const kustomization = committed("kustomization.yaml")
  assert.deepEqual(kustomization.resources, allKinds.map(crdFileName))
})

test("every CRD schema is structural", () => {
  for (const info of allKinds) {
    const root = rootSchemaOf(committed(crdFileName(info)))
    assert.deepEqual(structuralProblems(root, ""), [], info.kind)
    assert.equal(root.type, "object")
    // Only name and generateName of metadata may be constrained at the root.
    assert.deepEqual(root.properties.metadata, { type: "object" }, info.kind)
  }
})

test("the structural checks catch what an API server rejects", () => {
  const table: ReadonlyArray<readonly [JSONSchemaProps, string]> = [
    [{ type: "object", properties: { a: { description: "untyped" } } }, ".a: no type"],
    [{ type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" } }, "<root>: both properties and additionalProperties"],
    [{ type: "array" }, "<root>: array without a single items schema"],
    [{ type: "object", required: ["x"], properties: {} }, "<root>: required x is not a property"],
    [{ anyOf: [{ type: "string" }] }, "<root>: keyword anyOf is not allowed"],
    [{ type: "string", default: 5 }, "<root>: default 5 is invalid: : expected string"],
    [{ type: "string", pattern: "^(?!x)" }, "<root>: pattern uses lookaround or backreferences: ^(?!x)"],
  ]
  for (const [schema, problem] of table) assert.ok(structuralProblems(schema, "").includes(problem), problem)
})

test("every kind in the registry has a CRD with the same group, version, names, scope and columns", () => {
  for (const info of allKinds) {
    const crd = committed(crdFileName(info))
    assert.deepEqual({ ...crd }, crdOf(info), info.kind)
    assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1")
    assert.equal(crd.metadata.name, `${info.plural}.${info.group}`)
    assert.equal(crd.spec.group, info.group)
    assert.equal(crd.spec.scope, "Namespaced")
    assert.deepEqual(crd.spec.names.kind, info.kind)
    assert.deepEqual(crd.spec.names.plural, info.plural)
    assert.deepEqual(crd.spec.names.shortNames ?? [], info.shortNames)
    assert.equal(crd.spec.versions.length, 1)
    const [version] = crd.spec.versions
    assert.deepEqual([version.name, version.served, version.storage], [info.version, true, true])
    assert.deepEqual(version.additionalPrinterColumns, info.printerColumns)
    assert.deepEqual(version.subresources, info.statusSubresource ? { status: {} } : undefined)
    assert.equal(rootSchemaOf(crd).properties.status !== undefined, info.statusSubresource, info.kind)
  }
})

test("every fixture is valid against its CRD schema, as it is for its decoder", () => {
  for (const { file, index, object } of allFixtures()) {
    const info = kindOf(object)!
    assert.deepEqual(validate(object, rootSchemaOf(committed(crdFileName(info)))), [], `${file}#${index}`)
    assert.ok(Result.isSuccess(decodeObject(object)))
  }
})

test("wrong field types are rejected by the CRD at the path the decoder names", () => {
  const table: ReadonlyArray<readonly [string, number, (o: any) => void, string]> = [
    ["gitrepository.yaml", 0, (o) => (o.spec.interval = 5), "spec.interval"],
    ["gitrepository.yaml", 0, (o) => (o.spec.interval = "1d"), "spec.interval"],
    ["gitrepository.yaml", 0, (o) => (o.spec.url = "ftp://x"), "spec.url"],
    ["kustomization.yaml", 0, (o) => delete o.spec.prune, "spec.prune"],
    ["kustomization.yaml", 0, (o) => (o.spec.sourceRef.kind = "HelmRepository"), "spec.sourceRef.kind"],
    ["helmrelease.yaml", 0, (o) => (o.spec.maxHistory = 1.5), "spec.maxHistory"],
    ["helmrelease.yaml", 0, (o) => (o.spec.values = "x"), "spec.values"],
    ["imagerepository.yaml", 0, (o) => (o.spec.exclusionList = Array.from({ length: 26 }, (_, i) => `t${i}`)), "spec.exclusionList"],
    ["receiver.yaml", 0, (o) => (o.status.conditions[0].status = "Maybe"), "status.conditions[0].status"],
    ["alert.yaml", 0, (o) => (o.spec.eventSources[0].name = ""), "spec.eventSources[0].name"],
  ]
  for (const [file, index, change, path] of table) {
    const o = fixture(file)[index]
    change(o)
    const crdErrors = validate(o, rootSchemaOf(committed(crdFileName(kindOf(o)!))))
    assert.ok(crdErrors.some((e) => e.startsWith(`${path}:`)), `${file} ${path}: CRD said ${crdErrors.join("; ")}`)
    const r = decodeObject(o)
    assert.ok(Result.isFailure(r) && r.failure.issues.some((i) => i.path === path), `${file} ${path}: decoder`)
  }
})

test("CRD defaults are the decoder's defaults for the same fields", () => {
  // Applies the CRD's defaults the way the API server does, top-down where the parent exists.
  const applyDefaults = (value: any, schema: any): any => {
    if (!isRecord(value) || schema.type !== "object" || schema.properties === undefined) {
      return Array.isArray(value) && schema.items ? value.map((v) => applyDefaults(v, schema.items)) : value
    }
    const out: Record<string, any> = { ...value }
    for (const [k, s] of Object.entries<any>(schema.properties)) {
      if (out[k] === undefined && s.default !== undefined) out[k] = structuredClone(s.default)
      if (out[k] !== undefined) out[k] = applyDefaults(out[k], s)
    }
    return out
  }
  const minimal = [
    { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", spec: { url: "https://x/y", interval: "1m", verify: { secretRef: { name: "k" } } } },
    { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository", spec: { url: "oci://x/y", interval: "1m", verify: {} } },
    { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", spec: { interval: "1m", chart: { spec: { chart: "c", sourceRef: { kind: "HelmRepository", name: "r" } } }, uninstall: {} } },
    { apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageUpdateAutomation", spec: { interval: "1m", sourceRef: { name: "r" } } },
    { apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImagePolicy", spec: { imageRepositoryRef: { name: "r" }, policy: { numerical: {} } } },
    { apiVersion: "notification.toolkit.fluxcd.io/v1", kind: "Receiver", spec: { type: "generic", resources: [{ kind: "GitRepository", name: "r" }], secretRef: { name: "t" } } },
  ]
  for (const m of minimal) {
    const input = { ...m, metadata: { name: "x", namespace: "default" } }
    const schema = rootSchemaOf(committed(crdFileName(kindOf(input)!)))
    const serverDefaulted = applyDefaults(input, schema)
    const r = decodeObject(input)
    assert.ok(Result.isSuccess(r))
    // Every value the API server would fill in is what the decoder fills in.
    const contains = (whole: any, part: any, path: string): void => {
      if (!isRecord(part)) return assert.deepEqual(whole, part, path)
      for (const [k, v] of Object.entries(part)) contains(whole?.[k], v, `${path}.${k}`)
    }
    contains(r.success, serverDefaulted, m.kind)
  }
})
