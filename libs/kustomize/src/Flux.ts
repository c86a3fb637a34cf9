// Flux's kustomize-controller behaviour on top of the build. A path without a kustomization
// file gets one listing every YAML file under it (a subdirectory with its own kustomization
// is listed as a directory; a YAML file that is not Kubernetes objects is an error, as in
// Flux). The Kustomization spec is then merged into that kustomization as Flux's generator
// does (targetNamespace overrides namespace, patches are appended, images replace entries of
// the same name), and commonMetadata is stamped on every object's metadata after the build.
import { build, type BuildResult } from "./Build.ts"
import { findKustomization, KUSTOMIZATION_FILES, parseYaml, withParsedAhead } from "./internal/Build.ts"
import { KustomizeError } from "./internal/Errors.ts"
import { type DirEntry, type FileSystem, normalize } from "./internal/Fs.ts"
import { isObj, type Obj } from "./internal/Resource.ts"

/** The parts of a Flux Kustomization spec that shape the build. */
export interface FluxSpec {
  readonly targetNamespace?: string
  readonly namePrefix?: string
  readonly nameSuffix?: string
  readonly patches?: ReadonlyArray<{ patch: string; target?: Record<string, string> }>
  readonly images?: ReadonlyArray<{ name: string; newName?: string; newTag?: string; digest?: string }>
  readonly commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }
}

const isYaml = (n: string) => n.endsWith(".yaml") || n.endsWith(".yml")
const byName = (a: DirEntry, b: DirEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** Every YAML manifest under `dir`, recursively, relative to it; sub-kustomizations as directories. */
export const listManifests = (fs: FileSystem, dir: string): string[] => {
  const out: string[] = []
  const walk = (d: string, rel: string) => {
    for (const e of [...(fs.readDir(d) ?? [])].sort(byName)) {
      // Dot files and directories (.git, .github, CI files) are not part of a source artifact.
      if (e.name.startsWith(".")) continue
      const p = d === "" ? e.name : `${d}/${e.name}`
      const r = rel === "" ? e.name : `${rel}/${e.name}`
      if (e.dir) {
        if (findKustomization(fs, p) !== undefined) out.push(r)
        else walk(p, r)
      } else if (isYaml(e.name)) {
        const objs = parseYaml(fs.readFile(p) ?? "", p)
        const bad = objs.find((o) => typeof o.apiVersion !== "string" || typeof o.kind !== "string" || !isObj(o.metadata))
        if (bad !== undefined) throw new KustomizeError(p, "failed to decode Kubernetes YAML: missing apiVersion, kind or metadata")
        out.push(r)
      }
    }
  }
  walk(dir, "")
  return out
}

/** A file tree with some files replaced or added. */
const overlayFs = (base: FileSystem, extra: Readonly<Record<string, string>>): FileSystem => ({
  readFile: (p) => extra[normalize(p)] ?? base.readFile(p),
  readDir: (p) => {
    const n = normalize(p)
    const own = base.readDir(n)
    if (own === undefined) return undefined
    const added = Object.keys(extra)
      .filter((f) => (f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : "") === n)
      .map((f) => ({ name: f.slice(f.lastIndexOf("/") + 1), dir: false }))
    return [...own, ...added.filter((a) => !own.some((o) => o.name === a.name))]
  },
})

/** Builds `path` as Flux's kustomize-controller does, with the spec applied; throws KustomizeError. */
export const fluxBuild = (fs: FileSystem, path: string, spec: FluxSpec = {}): BuildResult => {
  const dir = normalize(path)
  if (fs.readDir(dir) === undefined) throw new KustomizeError(path, "kustomization path not found")
  const existing = findKustomization(fs, dir)
  const file = existing ?? (dir === "" ? KUSTOMIZATION_FILES[0]! : `${dir}/${KUSTOMIZATION_FILES[0]}`)
  // manifests parsed to be listed are not parsed again by the build
  const parsed = new Map<string, Obj[]>()
  const k: Obj =
    existing === undefined
      ? { resources: withParsedAhead("collect", parsed, () => listManifests(fs, dir)) }
      : { ...(parseYaml(fs.readFile(existing) ?? "", existing, "1.1")[0] ?? {}) }
  if (spec.targetNamespace) k.namespace = spec.targetNamespace
  if (spec.namePrefix) k.namePrefix = spec.namePrefix
  if (spec.nameSuffix) k.nameSuffix = spec.nameSuffix
  if (spec.patches && spec.patches.length > 0) k.patches = [...(Array.isArray(k.patches) ? k.patches : []), ...spec.patches]
  if (spec.images && spec.images.length > 0) {
    const images: Obj[] = Array.isArray(k.images) ? [...k.images] : []
    for (const img of spec.images) {
      const i = images.findIndex((x) => isObj(x) && x.name === img.name)
      if (i >= 0) images[i] = { ...img }
      else images.push({ ...img })
    }
    k.images = images
  }
  const out = withParsedAhead("consume", parsed, () => build(overlayFs(fs, { [file]: JSON.stringify(k) }), dir))
  const labels = spec.commonMetadata?.labels
  const annotations = spec.commonMetadata?.annotations
  if (labels || annotations) {
    for (const o of out.resources) {
      const meta = (o.metadata ??= {})
      if (labels) meta.labels = { ...(meta.labels ?? {}), ...labels }
      if (annotations) meta.annotations = { ...(meta.annotations ?? {}), ...annotations }
    }
  }
  return out
}
