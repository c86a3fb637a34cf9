// The engine's own behaviour where the Go 1.19 oracle cannot speak (Go 1.22+
// features), its public API, and its limits against hostile templates.
import assert from "node:assert/strict"
import { test } from "node:test"
import { helmFuncs, helmFuncsWithLookup, render, TemplateError, TemplateSet } from "./index.ts"

const helm = (text: string, data: unknown = {}, opts = {}) => render(text, data, { funcs: helmFuncs, ...opts })

test("range over an integer counts from zero (Go 1.22)", () => {
  assert.equal(helm("{{ range 3 }}{{ . }}{{ end }}"), "012")
  assert.equal(helm("{{ range $i := 4 }}{{ $i }}{{ end }}|{{ range 0 }}x{{ else }}none{{ end }}"), "0123|none")
  assert.equal(helm("{{ range .n }}{{ . }},{{ end }}", { n: 2n }), "0,1,")
  assert.throws(() => helm("{{ range $i, $v := 3 }}{{ end }}"), /can't use 3 to iterate over more than one variable/)
  assert.throws(() => helm("{{ range .n }}{{ end }}", { n: 2 }), /range can't iterate over 2/) // float64 from JSON
})

test("else with chains like else if (Go 1.23)", () => {
  const t = "{{ with .a }}A{{ else with .b }}B{{ . }}{{ else }}none{{ end }}"
  assert.equal(helm(t, { a: 1 }), "A")
  assert.equal(helm(t, { b: "x" }), "Bx")
  assert.equal(helm(t, {}), "none")
})

test("parse and exec errors carry Go's text and a kind", () => {
  const set = new TemplateSet({ funcs: helmFuncs, missingKey: "zero" })
  assert.throws(() => set.parse("bad.yaml", "{{ if }}"), (e: unknown) =>
    e instanceof TemplateError && e.kind === "parse" && e.message === "template: bad.yaml:1: missing value for if")
  set.parse("mychart/templates/deploy.yaml", "a\n{{ .Values.x.y }}")
  assert.throws(() => set.execute("mychart/templates/deploy.yaml", { Values: {} }), (e: unknown) =>
    e instanceof TemplateError && e.kind === "exec" &&
    e.message === "template: mychart/templates/deploy.yaml:2:10: executing \"mychart/templates/deploy.yaml\" at <.Values.x.y>: nil pointer evaluating interface {}.y")
  assert.throws(() => set.execute("nope", {}), /no template "nope" associated with template "gotpl"/)
})

test("missing keys: default, zero (as Helm renders) and error", () => {
  assert.equal(helm("{{ .a }}|{{ .a.b }}", {}), "<no value>|<no value>")
  assert.throws(() => helm("{{ .a.b }}", {}, { missingKey: "zero" }), /nil pointer evaluating interface \{\}\.b/)
  assert.throws(() => helm("{{ .a }}", {}, { missingKey: "error" }), /map has no entry for key "a"/)
})

test("limits: steps, output size and depth end hostile templates with a clear error", () => {
  const steps = () => helm("{{ range until 1000000 }}{{ . }}{{ end }}", {}, { limits: { maxSteps: 10_000 } })
  assert.throws(steps, (e: unknown) => e instanceof TemplateError && e.kind === "limit" && /10000 steps/.test(e.message))
  const out = () => helm("{{ range until 100 }}{{ repeat 1000 \"x\" }}{{ end }}", {}, { limits: { maxOutput: 50_000 } })
  assert.throws(out, (e: unknown) => e instanceof TemplateError && e.kind === "limit" && /50000 characters/.test(e.message))
  const deep = () => helm('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', {}, { limits: { maxDepth: 50 } })
  assert.throws(deep, /exceeded maximum template depth \(50\)/)
  // include recursion ends with Helm's own message, however deep the JavaScript stack lets it go
  assert.throws(() => helm('{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}'),
    /rendering template has a nested reference name: r: unable to execute template/)
  // a quadratic blow-up through a huge until is charged to the step budget
  assert.throws(() => helm("{{ len (until 100000000) }}", {}, { limits: { maxSteps: 1_000_000 } }), /steps/)
})

test("JavaScript values map to Go types: numbers are float64, bigints int", () => {
  assert.equal(helm("{{ .f }} {{ .i }} {{ typeOf .f }} {{ typeOf .i }} {{ 1000000.0 }} {{ .big }}", { f: 1.5, i: 3n, big: 1e6 }), "1.5 3 float64 int 1e+06 1e+06")
  assert.throws(() => helm("{{ if eq .n 1 }}{{ end }}", { n: 1 }), /incompatible types for comparison/)
})

test("lookup is an empty map by default and a hook when asked for", () => {
  const text = `{{ $s := lookup "v1" "Secret" "apps" "db" }}{{ if $s }}{{ index $s.data "password" | b64dec }}{{ else }}none{{ end }}`
  assert.equal(render(text, {}, { funcs: helmFuncs }), "none")
  const seen: string[] = []
  const funcs = helmFuncsWithLookup((apiVersion, kind, namespace, name) => {
    seen.push([apiVersion, kind, namespace, name].join("/"))
    return name === "db" ? { data: { password: "czNjcmV0" } } : {}
  })
  assert.equal(render(text, {}, { funcs }), "s3cret")
  assert.deepEqual(seen, ["v1/Secret/apps/db"])
  const failing = helmFuncsWithLookup(() => {
    throw new Error("the API server is unreachable")
  })
  assert.throws(() => render(text, {}, { funcs: failing }), /error calling lookup: the API server is unreachable/)
})
