// Loads a chart directory the way Helm sees it (Chart.yaml, values.yaml read
// as sigs.k8s.io/yaml reads them, templates of the chart and its subcharts)
// and builds what Helm passes to each template: .Values, .Release, .Chart,
// .Capabilities, .Files and .Template, as typed JSON both engines decode.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { basename, join, relative } from "node:path"
import { yamlToValue } from "../internal/helm/fromyaml.ts"

export interface LoadedChart {
  readonly name: string
  /** [template name, text] in Helm's parse order. */
  readonly templates: [string, string][]
  /** template name and its typed-JSON data, for every template Helm renders. */
  readonly renders: { name: string; data: unknown }[]
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => {
    const p = join(dir, e)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })

/** Chart.yaml keys as the fields of Helm's chart.Metadata. */
function metadata(chartYaml: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(chartYaml)) {
    const field = k === "apiVersion" ? "APIVersion" : k[0]!.toUpperCase() + k.slice(1)
    out[field] = v
  }
  return out
}

const capabilities = {
  $capabilities: {
    kubeVersion: { version: "v1.31.0", major: "1", minor: "31" },
    apiVersions: ["v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
      "autoscaling/v2", "apiregistration.k8s.io/v1", "monitoring.coreos.com/v1", "cert-manager.io/v1"],
    helmVersion: { version: "v3.16.0", gitCommit: "", gitTreeState: "clean", goVersion: "go1.22" },
  },
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !("$int" in v)

/** Helm's coalescing of user values over chart defaults: maps merge key by key, a null deletes the key, anything else replaces. */
export function coalesceValues(defaults: Record<string, unknown>, user: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults }
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k]
    else if (isMap(v) && isMap(out[k])) out[k] = coalesceValues(out[k], v)
    else out[k] = v
  }
  return out
}

/** Values files of a chart's `ci/` folder (chart-testing's convention), each a further way to render the chart. */
export function ciValuesFiles(dir: string): string[] {
  try {
    return readdirSync(join(dir, "ci")).filter((f) => f.endsWith(".yaml")).sort().map((f) => join(dir, "ci", f))
  } catch {
    return []
  }
}

/**
 * Loads a chart directory; templates of charts/* subcharts are parsed too (library charts like
 * bitnami's common). `valuesFile`, when given, is coalesced over values.yaml as `helm -f` does.
 */
export function loadChart(dir: string, valuesFile?: string, release = { name: "rel", namespace: "apps" }): LoadedChart {
  const chartYaml = yamlToValue(readFileSync(join(dir, "Chart.yaml"), "utf8")) as Record<string, unknown>
  const name = String(chartYaml.name)
  const defaults = (yamlToValue(readFileSync(join(dir, "values.yaml"), "utf8")) ?? {}) as Record<string, unknown>
  const values = valuesFile ? coalesceValues(defaults, (yamlToValue(readFileSync(valuesFile, "utf8")) ?? {}) as Record<string, unknown>) : defaults
  const templates: [string, string][] = []
  const addTemplates = (chartDir: string, prefix: string) => {
    const tdir = join(chartDir, "templates")
    for (const f of walk(tdir)) templates.push([`${prefix}/templates/${relative(tdir, f)}`, readFileSync(f, "utf8")])
    let subs: string[] = []
    try {
      subs = readdirSync(join(chartDir, "charts"))
    } catch {
      /* no subcharts */
    }
    for (const s of subs) addTemplates(join(chartDir, "charts", s), `${prefix}/charts/${s}`)
  }
  addTemplates(dir, name)
  // Helm parses deeper paths first, then by name
  templates.sort((a, b) => b[0].split("/").length - a[0].split("/").length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const files: Record<string, string> = {}
  for (const f of walk(dir)) {
    const rel = relative(dir, f)
    if (!rel.startsWith("templates/") && !rel.startsWith("charts/") && rel !== "values.yaml" && rel !== "Chart.yaml") files[rel] = readFileSync(f, "utf8")
  }
  const renders = templates
    .filter(([n]) => !basename(n).startsWith("_") && n.startsWith(`${name}/templates/`))
    .map(([n]) => ({
      name: n,
      data: {
        Values: values,
        Release: { Name: release.name, Namespace: release.namespace, Revision: { $int: "1" }, IsInstall: true, IsUpgrade: false, Service: "Helm" },
        Chart: metadata(chartYaml),
        Capabilities: capabilities,
        Files: { $files: files },
        Template: { Name: n, BasePath: `${name}/templates` },
      },
    }))
  return { name, templates, renders }
}
