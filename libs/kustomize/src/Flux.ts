// Flux's kustomize-controller behaviour on top of the build: a path without a kustomization
// file gets one listing every YAML file under it (subdirectories with a kustomization are
// included as such), and the Kustomization spec's overlays (targetNamespace, namePrefix,
// nameSuffix, patches, images, commonMetadata) are applied as a kustomization above it.
import { parseAllDocuments } from "yaml"
import { build, type BuildResult } from "./Build.ts"
import { findKustomization, KUSTOMIZATION_FILES } from "./internal/Build.ts"
import { KustomizeError } from "./internal/Errors.ts"
import { type DirEntry, type FileSystem, normalize } from "./internal/Fs.ts"

/** The parts of a Flux Kustomization spec that shape the build. */
export interface FluxSpec {
  readonly targetNamespace?: string
  readonly namePrefix?: string
  readonly nameSuffix?: string
  readonly patches?: ReadonlyArray<{ patch: string; target?: Record<string, string> }>
  readonly images?: ReadonlyArray<{ name: string; newName?: string; newTag?: string; digest?: string }>
  readonly commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }
}

const OVERLAY = ".moor-flux-overlay"

const isYaml = (n: string) => n.endsWith(".yaml") || n.endsWith(".yml")

const looksLikeManifests = (text: string): boolean => {
  try {
    const docs = parseAllDocuments(text).map((d) => d.toJS())
    const objs = docs.filter((d) => d !== null && d !== undefined)
    return objs.length > 0 && objs.every((d) => typeof d === "object" && typeof d.apiVersion === "string" && typeof d.kind === "string")
  } catch {
    return false
  }
}

/** Every YAML manifest under `dir`, recursively, relative to it; sub-kustomizations as directories. */
export const listManifests = (fs: FileSystem, dir: string): string[] => {
  const out: string[] = []
  const walk = (d: string, rel: string) => {
    const entries = [...(fs.readDir(d) ?? [])].sort((a: DirEntry, b: DirEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      if (e.name.startsWith(".")) continue
      const p = d === "" ? e.name : `${d}/${e.name}`
      const r = rel === "" ? e.name : `${rel}/${e.name}`
      if (e.dir) {
        if (findKustomization(fs, p) !== undefined) out.push(r)
        else walk(p, r)
      } else if (isYaml(e.name) && looksLikeManifests(fs.readFile(p) ?? "")) out.push(r)
    }
  }
  walk(dir, "")
  return out
}

/** A file tree with extra files on top (generated kustomizations). */
const overlayFs = (base: FileSystem, extra: Record<string, string>): FileSystem => ({
  readFile: (p) => extra[normalize(p)] ?? base.readFile(p),
  readDir: (p) => {
    const n = normalize(p)
    const own = base.readDir(n)
    const added: DirEntry[] = []
    for (const f of Object.keys(extra)) {
      const parent = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : ""
      if (parent === n) added.push({ name: f.slice(parent === "" ? 0 : parent.length + 1), dir: false })
      else if (n === "" && f.startsWith(`${OVERLAY}/`)) added.push({ name: OVERLAY, dir: true })
    }
    if (own === undefined && added.length === 0) return undefined
    return [...(own ?? []), ...added.filter((a) => !(own ?? []).some((o) => o.name === a.name))]
  },
})

/** Builds `path` as Flux's kustomize-controller does, with the spec's overlays; throws KustomizeError. */
export const fluxBuild = (fs: FileSystem, path: string, spec: FluxSpec = {}): BuildResult => {
  const dir = normalize(path)
  if (fs.readDir(dir) === undefined) throw new KustomizeError(path, "kustomization path not found")
  const extra: Record<string, string> = {}
  if (findKustomization(fs, dir) === undefined) {
    extra[dir === "" ? KUSTOMIZATION_FILES[0]! : `${dir}/${KUSTOMIZATION_FILES[0]}`] = JSON.stringify({ resources: listManifests(fs, dir) })
  }
  const k: Record<string, unknown> = { resources: [dir === "" ? ".." : `../${dir}`] }
  if (spec.targetNamespace) k.namespace = spec.targetNamespace
  if (spec.namePrefix) k.namePrefix = spec.namePrefix
  if (spec.nameSuffix) k.nameSuffix = spec.nameSuffix
  if (spec.patches && spec.patches.length > 0) k.patches = spec.patches
  if (spec.images && spec.images.length > 0) k.images = spec.images
  if (spec.commonMetadata?.labels) k.labels = [{ pairs: spec.commonMetadata.labels }]
  if (spec.commonMetadata?.annotations) k.commonAnnotations = spec.commonMetadata.annotations
  extra[`${OVERLAY}/kustomization.yaml`] = JSON.stringify(k)
  return build(overlayFs(fs, extra), OVERLAY)
}
