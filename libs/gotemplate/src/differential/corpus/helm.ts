// Hand-written cases for Helm's functions and built-in objects: include,
// tpl, required, toYaml/fromYaml (YAML 1.1 scalars, quoting, key order),
// toToml, toJson/fromJson, lookup, .Capabilities and .Files.
import type { Case } from "../run.ts"

const c = (t: Case["t"], d?: unknown, o: Omit<Case, "t" | "d"> = {}): Case => ({ t, ...(d === undefined ? {} : { d }), ...o })

const strings = [
  "plain", "", " leading", "trailing ", "a: b", "a:b", "a #b", "a#b", "#x", "- x", "-x", "? x", "?x", ":x", "x:", "[x]", "{x}",
  "x,y", "&a", "*a", "!t", "|x", ">x", "'q'", "\"q\"", "%x", "@x", "`x", "---", "...", "--", "true", "True", "TRUE", "yes",
  "Yes", "no", "on", "off", "y", "n", "Y", "N", "null", "Null", "~", "1", "-1", "+1", "1.5", "1e3", ".5", "0x1F", "0o17", "017",
  "0b101", "1_000", "12:30", "1:2:3", "190:20:30", "2020-01-01", "2020-01-01T10:00:00Z", "2020-1-1", "2020-13-45", ".inf",
  "-.Inf", ".nan", "<<", "=", "multi\nline", "multi\nline\n", "multi\nline\n\n", "\nlead", " \nsp", "trail \nx", "tab\tx",
  "é", "😀", "\u0085", "\u00a0", "\u2028", "\ufeff", "emoji 😀 x", "back\\slash", "quote\"d", "it's", "a'b", "\u0007bell",
  "x\r\ny", "https://example.com/a?b=c#d", "key=value", "a, b", "!important", "%TEMPLATE%", "0", "-0", "00", "1e400", "∞",
  "long " + "x".repeat(150), "🙂\n😀",
]

const values = {
  str: "s", n: 3, f: 2.5, big: 1e21, small: 1e-7, huge: 12345678901234567890, neg: -0.5, zero: 0, t: true, nil: null,
  list: [1, "two", [3, { four: 4 }], [], {}], map: { b: 1, a: { c: [1, 2], d: {} }, "z z": "sp", "10": 1, "9": 2, A: 3, a2: 1, a10: 2 },
  int: { $int: "42" }, i64: { $int64: "-7" }, u64: { $uint64: "18446744073709551615" }, f32: { $float32: 0.1 },
  strs: { $strings: ["x", "y"] }, smap: { $strmap: { k: "v" } }, bytes: { $bytes: "aGVsbG8=" }, nilslice: { $nil: "slice" },
  nilmap: { $nil: "map" }, time: { $time: "2021-03-04T05:06:07.089Z" },
}

const caps = {
  $capabilities: {
    kubeVersion: { version: "v1.29.3", major: "1", minor: "29" },
    apiVersions: ["v1", "apps/v1", "policy/v1", "networking.k8s.io/v1"],
    helmVersion: { version: "v3.14.0", gitCommit: "abc", gitTreeState: "clean", goVersion: "go1.21" },
  },
}
const files = { $files: { "config/a.conf": "a=1\nb=2", "config/b.conf": "x", "README.md": "# hi\n", "data/x.json": "{\"k\": 1}" } }

export const helm: Case[] = [
  // toYaml of every kind of string, as values and as keys
  ...strings.map((s) => c("{{ toYaml . }}", { v: s, [s]: "key" })),
  c("{{ range . }}{{ toYaml . }}\n---\n{{ end }}", strings),
  c("{{ toYaml . }}", strings),
  c("{{ toYaml . }}", values),
  ...Object.keys(values).map((k) => c(`{{ toYaml .${k} }}|{{ toYaml (list .${k}) }}|{{ toYaml (dict "k" .${k}) }}`, values)),
  c("{{ toYaml (list (list 1 2) (list (list 3)) (dict \"a\" (list (dict \"b\" 1 \"c\" 2)))) }}"),
  c("{{ toYaml (dict \"a\" (dict \"b\" (dict \"c\" (list \"x\" (dict \"d\" \"multi\\nline\\n\"))))) }}"),
  c("{{ toYaml (list \"multi\\nline\" (dict \"k\" \"a\\nb\")) }}"),
  c("{{ toYaml \"multi\\nline\" }}|{{ toYaml \"\" }}|{{ toYaml 1 }}|{{ toYaml 1.5 }}|{{ toYaml nil }}|{{ toYaml (list) }}|{{ toYaml (dict) }}"),
  c("{{ toYaml (list 1e20 1e21 1e-6 1e-7 123456789.0 0.1 100000.0 1e6 -0.0 9007199254740993.0) }}"),
  c("{{ toYaml (dict \"k\" (list)) }}|{{ toYaml (dict \"k\" (dict)) }}|{{ toYaml (list (list) (dict)) }}"),
  c("{{ toYaml .res | nindent 12 }}", { res: { limits: { cpu: "100m", memory: "128Mi" }, requests: { cpu: 0.5, memory: "64Mi" } } }),
  c("{{ toYaml (fromYaml \"a: 1\\nb: [x, y]\\nc: {d: e}\") }}"),
  c("{{ toYaml (semver \"1.2.3\") }}|{{ toYaml now | len | lt 5 }}"),
  c("{{ toYaml (div 1 0) }}"),
  c("{{ list 1.5 (dict) | toYaml }}|{{ toYaml (list nil) }}|{{ toYaml (dict \"a\" nil) }}"),
  // yaml.v2 folds flow scalars at a space past column 80, continuing at the scalar's indent
  ...[
    "word ".repeat(30).trim(), "'" + "word ".repeat(25) + "end", "  " + "word ".repeat(25), "x\u2028" + "word ".repeat(20) + "\u2028\u2028'q",
    "word ".repeat(18) + " two  spaces  " + "word ".repeat(10) + "end", "word ".repeat(20) + "\n" + "word ".repeat(20),
    "word ".repeat(20) + "\n" + "word ".repeat(20) + " ", "é".repeat(70) + " " + "word ".repeat(10) + "\\ \"q\"",
    "a".repeat(100), "x: " + "word ".repeat(20) + "#c", "x\u2029\u2029y z",
  ].map((s) => c("{{ toYaml .s }}|{{ toYaml (list .s) }}|{{ toYaml (dict \"k\" (dict \"kk\" (list .s))) }}|{{ toYaml (dict .s (list .s 1)) }}|{{ toYaml (list (dict .s (dict \"x\" .s))) }}", { s })),
  // fromYaml / fromYamlArray
  ...[
    "a: 1", "a: 1.5", "a: yes", "a: no", "a: on", "a: off", "a: ~", "a: null", "a:", "a: 'str'", "a: \"dq\\n\"", "a: 2020-01-01",
    "a: 0x1F", "a: 0o17", "a: 017", "a: 1_000", "a: 12345678901234567890", "a: 1e3", "a: .5", "a: +1", "a: -.inf", "a: .nan",
    "a: [1, two, {b: c}]", "a: {b: {c: d}}", "a: |\n  lit\n  block\n", "a: >\n  folded\n  text\n", "a: !!str 123", "a: !!int \"5\"",
    "a: !!float 3", "a: !!binary aGVsbG8=", "1: one\n2: two", "true: t\nfalse: f", "1.5: x\n0.1: y", "? complex\n: key",
    "a: &anchor\n  x: 1\nb: *anchor", "base: &b\n  x: 1\n  y: 2\nderived:\n  <<: *b\n  y: 3", "a: 1\na: 2", "- 1\n- 2",
    "just a string", "42", "", "---\na: 1\n---\nb: 2", "# comment only", "a: [1, 2", "a: b: c", "\ta: 1", "a:\n  - x\n  -y\n",
    "k: v # comment", "'quoted key': 1", "a: 'it''s'", "a: \"\\u00e9\\t\"", "a: 190:20:30", "a: 1:2", "a: Y", "a: n",
    "~: nullkey", "null: x", "a: 2001-12-14t21:59:43.10-05:00", "a: 2002-12-14 21:59:43.10", "list:\n- a\n-   b\n- - c\n  - d",
    "{{x}}", "[a, b]: 1", "{a: 1, b: [1, 2.5, true, null, \"q\"]}: x", "? [1, {z: 1, a: 2}]\n: v", "k: {[1]: 2}",
  ].map((y) => c("{{ $m := fromYaml .y }}{{ $m }}|{{ toJson $m }}|{{ range $k, $v := $m }}{{ $k }}={{ typeOf $v }};{{ end }}", { y },
    y === "a:\n  - x\n  -y\n" ? { known: "yaml.v2 words this parse error differently" } : {})),
  ...["- 1\n- two\n- [3]", "a: 1", "", "- a: 1\n  b: [x]", "- yes\n- 0x10", "[1, 2", "str"].map((y) =>
    c("{{ $a := fromYamlArray .y }}{{ $a }}|{{ toJson $a }}", { y })),
  c("{{ (fromYaml \"a:\\n  b:\\n    c: deep\").a.b.c }}"),
  c("{{ fromYaml (toYaml .) | toJson }}", values),
  // toToml
  c("{{ toToml . }}", { a: 1, b: "s", c: [1, 2], d: { e: true, f: { g: 1.5 } }, h: [{ i: 1 }, { i: 2 }], "k y": "q\"uote", j: null, l: [], m: {} }),
  c("{{ toToml . }}", values),
  c("{{ toToml (list 1 2) }}"),
  c("{{ toToml \"s\" }}"),
  c("{{ toToml (dict \"a\" (list 1 nil)) }}"),
  c("{{ toToml (dict \"a\" (list (dict \"b\" 1) 2)) }}"),
  c("{{ toToml (dict \"x\" 1e21 \"y\" 1.0 \"z\" -0.5 \"w\" 100 \"n\" (int 3) \"t\" .time) }}", values),
  c("{{ toToml (dict \"a\" (dict \"b\" (dict \"c\" (list (dict \"d\" 1))))) }}"),
  c("{{ toToml (dict \"é\" 1 \"\" 2 \"a.b\" 3 \"tab\\tkey\" \"v\\u0001\") }}"),
  c("{{ toToml nil }}"),
  // toJson / fromJson / fromJsonArray (Helm's)
  c("{{ toJson . }}", values),
  c("{{ toJson (div 1 0) }}|{{ toJson (list 1e400) }}"),
  c("{{ fromJson \"{\\\"a\\\":1,\\\"b\\\":[true,null]}\" }}|{{ fromJson \"[1]\" }}|{{ fromJson \"bad\" }}|{{ fromJson \"\" }}|{{ fromJson \"null\" }}|{{ fromJson \"\\\"s\\\"\" }}"),
  c("{{ fromJsonArray \"[1,\\\"a\\\",{}]\" }}|{{ fromJsonArray \"{}\" }}|{{ fromJsonArray \"[1,\" }}|{{ fromJsonArray \"null\" }}|{{ fromJsonArray \"3\" }}"),
  c("{{ (fromJson \"{\\\"a\\\":{\\\"b\\\":2}}\").a.b }}|{{ typeOf (fromJson \"{}\") }}|{{ typeOf (fromJsonArray \"[]\") }}"),
  // include / tpl / required / lookup
  c([["main", '{{ include "h" . }}|{{ include "h" .x | upper }}|{{ include "h" nil }}'], ["_helpers.tpl", '{{ define "h" }}[{{ .x }}]{{ end }}']], { x: "val" }),
  c([["main", '{{ include "nope" . }}']]),
  c([["main", '{{ include "h" . }}'], ["_helpers.tpl", '{{ define "h" }}{{ .x.y }}{{ end }}']], { x: "str" }),
  c([["main", '{{ include "h" 3 }}'], ["_helpers.tpl", '{{ define "h" }}{{ if gt . 0 }}{{ . }}{{ include "h" (sub . 1) }}{{ end }}{{ end }}']]),
  c([["main", '{{ include "loop" . }}'], ["_helpers.tpl", '{{ define "loop" }}{{ include "loop" . }}{{ end }}']]),
  c([["main", '{{ template "h" . }}{{ include "h" . | nindent 2 }}'], ["h.tpl", '{{ define "h" }}a: {{ .a }}\nb: {{ .b }}{{ end }}']], { a: 1, b: [1, 2] }),
  c('{{ tpl "{{ .x }}-{{ .y | upper }}" . }}', { x: 1, y: "why" }),
  c('{{ tpl .t . }}', { t: "{{ .missing }}|{{ .x }}", x: "ok" }),
  c('{{ tpl .t . }}', { t: "{{ .missing.deep }}" }, { mk: "zero" }),
  c('{{ tpl "{{ define \\"inner\\" }}I{{ end }}{{ template \\"inner\\" }}" . }}{{ template "inner" }}', {}),
  c('{{ tpl "{{ define \\"inner\\" }}I{{ end }}{{ template \\"inner\\" }}" . }}', {}),
  c('{{ tpl "{{ bad" . }}', {}),
  c('{{ tpl "{{ fail \\"inner\\" }}" . }}', {}),
  c('{{ tpl "x" "notamap" }}'),
  c('{{ tpl "{{ . }}" nil }}'),
  c([["main", '{{ tpl "{{ include \\"h\\" . }}" . }}'], ["_h.tpl", '{{ define "h" }}H{{ .v }}{{ end }}']], { v: 1 }),
  c('{{ required "x is required" .x }}', { x: 1 }),
  c('{{ required "x is required" .x }}', {}),
  c('{{ required "x is required" .x }}', {}, { mk: "zero" }),
  c('{{ .x | required "piped" }}', { x: "" }),
  c('{{ lookup "v1" "Secret" "ns" "name" }}|{{ (lookup "v1" "Pod" "" "").items }}|{{ len (lookup "a" "b" "c" "d") }}'),
  c('{{ lookup "v1" }}'),
  // .Capabilities and .Files
  c("{{ .Capabilities.KubeVersion.Version }}|{{ .Capabilities.KubeVersion.GitVersion }}|{{ .Capabilities.KubeVersion }}|{{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }}", { Capabilities: caps }),
  c("{{ .Capabilities.APIVersions.Has \"apps/v1\" }}|{{ .Capabilities.APIVersions.Has \"nope\" }}|{{ .Capabilities.APIVersions }}|{{ len .Capabilities.APIVersions }}", { Capabilities: caps }),
  c("{{ if semverCompare \">=1.21-0\" .Capabilities.KubeVersion.GitVersion }}new{{ else }}old{{ end }}|{{ .Capabilities.HelmVersion.Version }}|{{ toJson .Capabilities.HelmVersion }}", { Capabilities: caps }),
  c("{{ range .Capabilities.APIVersions }}{{ . }},{{ end }}", { Capabilities: caps }),
  c("{{ .Capabilities.Nope }}", { Capabilities: caps }),
  c("{{ .Capabilities.KubeVersion.Version.x }}", { Capabilities: caps }),
  c("{{ .Capabilities.APIVersions.Has }}", { Capabilities: caps }),
  c("{{ .Capabilities.APIVersions.Has 1 }}", { Capabilities: caps }),
  c("{{ .Files.Get \"config/a.conf\" }}|{{ .Files.Get \"nope\" }}|{{ .Files.GetBytes \"README.md\" }}|{{ .Files.Lines \"config/a.conf\" }}", { Files: files }),
  c("{{ range $k, $v := .Files.Glob \"config/*\" }}{{ $k }}={{ $v | toString }};{{ end }}|{{ .Files.Glob \"config/*\" | len }}", { Files: files }),
  c("{{ (.Files.Glob \"config/*\").AsConfig }}\n---\n{{ (.Files.Glob \"config/*\").AsSecrets }}\n---\n{{ (.Files.Glob \"none/*\").AsConfig }}|", { Files: files }),
  c("{{ range .Files.Lines \"config/a.conf\" }}[{{ . }}]{{ end }}|{{ .Files.Get \"data/x.json\" | fromJson }}", { Files: files }),
  // a Helm-style render: Release/Chart/Values with missingkey=zero
  c([["mychart/templates/cm.yaml", `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "mychart.fullname" . }}
  labels:
    {{- include "mychart.labels" . | nindent 4 }}
data:
  {{- range $k, $v := .Values.data }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
  missing: {{ .Values.nope }}
  {{- with .Values.extra }}
  extra: {{ toYaml . | nindent 4 }}
  {{- end }}
`], ["mychart/templates/_helpers.tpl", `{{- define "mychart.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "mychart.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
{{- define "mychart.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "mychart.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
`]], {
    Values: { data: { b: "two", a: 1, c: true }, extra: { k: [1, 2] } },
    Release: { Name: "rel", Namespace: "default", Service: "Helm", Revision: { $int: "1" }, IsInstall: true },
    Chart: { Name: "mychart", Version: "0.1.0+build", AppVersion: "1.16.0" },
  }, { mk: "zero" }),
]
