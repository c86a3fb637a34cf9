// configMapGenerator and secretGenerator: sources (literals, files, env files), options, and
// the content-hash name suffix computed exactly as kustomize does.
import { createHash } from "node:crypto"
import { KustomizeError } from "./Errors.ts"
import type { FileSystem } from "./Fs.ts"
import { resolvePath } from "./Fs.ts"
import { isObj, type Obj } from "./Resource.ts"

/** The options a generator entry or generatorOptions can carry. */
export interface GenOptions {
  labels?: Record<string, string>
  annotations?: Record<string, string>
  disableNameSuffixHash?: boolean
  immutable?: boolean
}

const unquote = (v: string): string =>
  v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) ? v.slice(1, -1) : v

const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1)

/** Reads the key/value pairs of one generator entry, in source order. */
export const generatorData = (fs: FileSystem, dir: string, file: string, g: Obj, field: string): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  const list = (k: string): string[] => {
    const v = g[k]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new KustomizeError(file, `${field}.${k} must be a list of strings`)
    return v
  }
  const read = (rel: string): string => {
    const p = resolvePath(dir, rel)
    const text = p === undefined ? undefined : fs.readFile(p)
    if (text === undefined) throw new KustomizeError(file, `${field}: file "${rel}" not found`)
    return text
  }
  for (const l of list("literals")) {
    const i = l.indexOf("=")
    if (i <= 0) throw new KustomizeError(file, `${field}.literals: "${l}" is not of the form key=value`)
    out.push([l.slice(0, i), unquote(l.slice(i + 1))])
  }
  for (const f of list("files")) {
    const i = f.indexOf("=")
    const [key, path] = i < 0 ? [basename(f), f] : [f.slice(0, i), f.slice(i + 1)]
    if (key === "" || path === "") throw new KustomizeError(file, `${field}.files: "${f}" is not of the form [key=]path`)
    out.push([key, read(path)])
  }
  for (const e of [...list("envs"), ...(typeof g.env === "string" ? [g.env] : [])]) {
    const text = read(e)
    text.split(/\r?\n/).forEach((raw, n) => {
      const line = raw.replace(/^\s+/, "")
      if (line === "" || line.startsWith("#")) return
      const i = line.indexOf("=")
      if (i <= 0) throw new KustomizeError(file, `${field}.envs: line ${n + 1} of "${e}" is not of the form KEY=VALUE`)
      // Env file values are taken verbatim (quotes included), unlike literals.
      out.push([line.slice(0, i), line.slice(i + 1)])
    })
  }
  return out
}

/** Go's json.Marshal of a map tree: sorted keys, HTML characters escaped. */
const goJson = (v: unknown): string => {
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${goJson(k)}:${goJson(v[k])}`)
      .join(",")}}`
  if (typeof v === "string") return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  return JSON.stringify(v)
}

/** kustomize's 10-character content hash of a generated ConfigMap or Secret. */
export const contentHash = (obj: Obj): string => {
  // An absent ConfigMap data map hashes as "" (as kustomize encodes it), a Secret's as {}.
  const m: Obj = { kind: obj.kind, name: "", data: isObj(obj.data) ? obj.data : obj.kind === "ConfigMap" ? "" : {} }
  if (obj.kind === "ConfigMap") {
    if (isObj(obj.binaryData) && Object.keys(obj.binaryData).length > 0) m.binaryData = obj.binaryData
  } else m.type = obj.type ?? ""
  const hex = createHash("sha256").update(goJson(m)).digest("hex").slice(0, 10)
  return hex.replace(/[013ae]/g, (c) => ({ "0": "g", "1": "h", "3": "k", a: "m", e: "t" })[c]!)
}
