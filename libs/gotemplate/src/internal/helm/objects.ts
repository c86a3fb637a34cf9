// Helm's built-in objects that have methods: .Capabilities and .Files.
import { toYaml } from "./yaml.ts"
import { Ordered } from "../json.ts"
import { def, P_STRING, type FuncDef } from "../funcs.ts"
import { GoObject, stringSlice, type ObjType } from "../values.ts"
import { base } from "../sprig/misc.ts"

const str = (o: GoObject) => o.v as Record<string, unknown>

/** chartutil.KubeVersion: Version, Major, Minor; String() and GitVersion() give the version. */
export const KubeVersionType: ObjType = {
  name: "chartutil.KubeVersion", kind: "struct", fields: ["Version", "Major", "Minor"],
  string: (o) => String(str(o).Version),
  methods: {
    String: { params: [], fn: (o: GoObject) => String(str(o).Version) },
    GitVersion: { params: [], fn: (o: GoObject) => String(str(o).Version) },
  },
}

/** chartutil.VersionSet: the API versions the cluster serves; .Has "apps/v1". */
export const VersionSetType: ObjType = {
  name: "chartutil.VersionSet", kind: "slice",
  methods: { Has: def([P_STRING], (o: GoObject, v: string) => (o.v as string[]).includes(v)) },
}

/** chartutil.BuildInfo */
export const BuildInfoType: ObjType = {
  name: "chartutil.BuildInfo", kind: "struct", fields: ["Version", "GitCommit", "GitTreeState", "GoVersion"],
  json: (o) => {
    const v = str(o)
    const out: [string, unknown][] = []
    if (v.Version) out.push(["version", v.Version])
    if (v.GitCommit) out.push(["git_commit", v.GitCommit])
    if (v.GitTreeState) out.push(["git_tree_state", v.GitTreeState])
    if (v.GoVersion) out.push(["go_version", v.GoVersion])
    return new Ordered(out)
  },
}

/** *chartutil.Capabilities */
export const CapabilitiesType: ObjType = { name: "*chartutil.Capabilities", kind: "ptr", fields: ["KubeVersion", "APIVersions", "HelmVersion"] }

export interface CapabilitiesInit {
  readonly kubeVersion: { readonly version: string; readonly major: string; readonly minor: string }
  readonly apiVersions: readonly string[]
  readonly helmVersion?: { readonly version?: string; readonly gitCommit?: string; readonly gitTreeState?: string; readonly goVersion?: string }
}

/** Builds .Capabilities. */
export function capabilities(c: CapabilitiesInit): GoObject {
  const h = c.helmVersion ?? {}
  return new GoObject(CapabilitiesType, {
    KubeVersion: new GoObject(KubeVersionType, { Version: c.kubeVersion.version, Major: c.kubeVersion.major, Minor: c.kubeVersion.minor }),
    APIVersions: new GoObject(VersionSetType, [...c.apiVersions]),
    HelmVersion: new GoObject(BuildInfoType, { Version: h.version ?? "", GitCommit: h.gitCommit ?? "", GitTreeState: h.gitTreeState ?? "", GoVersion: h.goVersion ?? "" }),
  })
}

const files = (o: GoObject) => o.v as Record<string, Uint8Array>

/** path.Match */
export function pathMatch(pattern: string, name: string): boolean {
  let re = "^"
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "*") re += "[^/]*"
    else if (c === "?") re += "[^/]"
    else if (c === "[") {
      const j = pattern.indexOf("]", i + 1)
      if (j < 0) return false
      let cls = pattern.slice(i + 1, j)
      if (cls.startsWith("^")) cls = "^" + cls.slice(1).replace(/\\/g, "\\\\")
      re += "[" + cls.replace(/\\(?!\\)/g, "\\\\") + "]"
      i = j
    } else if (c === "\\" && i + 1 < pattern.length) re += "\\" + pattern[++i]
    else re += c.replace(/[.+^${}()|\\]/g, "\\$&")
  }
  try {
    return new RegExp(re + "$", "u").test(name)
  } catch {
    return false
  }
}

const filesMethods: Record<string, FuncDef> = {
  Get: def([P_STRING], (o: GoObject, n: string) => (Object.hasOwn(files(o), n) ? Buffer.from(files(o)[n]!).toString("utf8") : "")),
  GetBytes: def([P_STRING], (o: GoObject, n: string) => (Object.hasOwn(files(o), n) ? files(o)[n]! : new Uint8Array())),
  Glob: def([P_STRING], (o: GoObject, p: string) => {
    const out: Record<string, Uint8Array> = {}
    for (const [k, v] of Object.entries(files(o))) if (pathMatch(p, k)) out[k] = v
    return new GoObject(FilesType, out)
  }),
  Lines: def([P_STRING], (o: GoObject, n: string) => {
    const s = Object.hasOwn(files(o), n) ? Buffer.from(files(o)[n]!).toString("utf8") : ""
    return stringSlice(s === "" ? [] : s.split("\n"))
  }),
  AsConfig: { params: [], fn: (o: GoObject) => asBlock(files(o), false) },
  AsSecrets: { params: [], fn: (o: GoObject) => asBlock(files(o), true) },
}

function asBlock(f: Record<string, Uint8Array>, secret: boolean): string {
  const keys = Object.keys(f).sort()
  if (keys.length === 0) return ""
  const m: Record<string, unknown> = {}
  for (const k of keys) m[base(k)] = secret ? Buffer.from(f[k]!).toString("base64") : Buffer.from(f[k]!).toString("utf8")
  return toYaml(m)
}

/** chartutil.Files (Helm's .Files): a map of path to bytes with Get, Glob, Lines, AsConfig, AsSecrets. */
export const FilesType: ObjType = { name: "chartutil.Files", kind: "map", methods: filesMethods }

/** Builds .Files from path -> content. */
export function filesObject(entries: Readonly<Record<string, string | Uint8Array>>): GoObject {
  const out: Record<string, Uint8Array> = {}
  for (const [k, v] of Object.entries(entries)) out[k] = typeof v === "string" ? new Uint8Array(Buffer.from(v, "utf8")) : v
  return new GoObject(FilesType, out)
}
