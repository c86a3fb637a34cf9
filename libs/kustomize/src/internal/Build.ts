// The kustomize build: load a kustomization, accumulate its resources (files, folders,
// nested kustomizations), components, generators, then run the built-in transformers in
// kustomize's order; at the top, add hash suffixes, fix name references and sort.
import { parseAllDocuments } from "yaml"
import { KustomizeError } from "./Errors.ts"
import { loadFast, timeString } from "./FastYaml.ts"
import { type FileSystem, resolvePath } from "./Fs.ts"
import { contentHash, type GenOptions, generatorData } from "./Generators.ts"
import { jsonPatch } from "./JsonPatch.ts"
import { fixNameReferences } from "./NameRef.ts"
import { isObj, legacySort, nameOf, type Obj, type Res } from "./Resource.ts"
import { matchesTarget, parseTarget, type Target } from "./Select.ts"
import { strategicMerge } from "./Smp.ts"
import { addAnnotations, addLabels, addPrefixSuffix, type ImageRule, setImages, setNamespace, setReplicas } from "./Transformers.ts"

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

const KNOWN_FIELDS = new Set([
  "apiVersion", "kind", "metadata", "resources", "bases", "components", "namespace", "namePrefix", "nameSuffix",
  "commonLabels", "labels", "commonAnnotations", "images", "replicas", "patches", "patchesStrategicMerge",
  "patchesJson6902", "configMapGenerator", "secretGenerator", "generatorOptions", "sortOptions", "buildMetadata",
  "crds", "openapi", "transformers", "generators", "validators", "replacements", "vars", "configurations", "helmCharts",
])
const UNSUPPORTED = ["transformers", "generators", "validators", "replacements", "vars", "configurations", "helmCharts", "openapi", "crds"]

// fluxBuild parses every manifest once to list it, then the build parses it
// again: the listing's objects (only read) are handed to the build instead,
// each at most once (the build mutates what it gets). A build is synchronous,
// so a module-level hand-over cannot mix two builds.
type Ahead = { readonly mode: "collect" | "consume"; readonly docs: Map<string, Obj[]> }
let ahead: Ahead | undefined

/** Runs `f` with YAML parses collected into, or taken once from, `docs` (keyed by text). */
export const withParsedAhead = <A>(mode: Ahead["mode"], docs: Map<string, Obj[]>, f: () => A): A => {
  const prev = ahead
  ahead = { mode, docs }
  try {
    return f()
  } finally {
    ahead = prev
  }
}

/** Parses a YAML stream into objects; `file` names it in errors. */
export const parseYaml = (text: string, file: string, version: "1.1" | "1.2" = "1.2"): Obj[] => {
  if (ahead !== undefined && version === "1.2") {
    const got = ahead.docs.get(text)
    if (ahead.mode === "consume" && got !== undefined) {
      ahead.docs.delete(text)
      return got
    }
    if (ahead.mode === "collect" && got === undefined) {
      const objs = parseYamlNow(text, file, version)
      ahead.docs.set(text, objs)
      return objs
    }
  }
  return parseYamlNow(text, file, version)
}

const parseYamlNow = (text: string, file: string, version: "1.1" | "1.2"): Obj[] => {
  const out: Obj[] = []
  for (const v of (version === "1.2" ? loadFast(text) : undefined) ?? parseSlow(text, file, version)) {
    if (v === null || v === undefined) continue
    if (!isObj(v)) throw new KustomizeError(file, "a YAML document is not a map")
    if (v.kind === "List" && Array.isArray(v.items)) {
      for (const i of v.items) if (isObj(i)) out.push(i)
      continue
    }
    out.push(v)
  }
  return out
}

/** The yaml package's parse: the reference for what loadFast leaves to it. */
const parseSlow = (text: string, file: string, version: "1.1" | "1.2"): unknown[] => {
  // Resources keep YAML 1.1 timestamps: kustomize turns an unquoted date into a time string.
  const tags = version === "1.2" ? { customTags: ["timestamp" as const] } : {}
  return parseAllDocuments(text, { version, ...tags }).map((doc) => {
    if (doc.errors.length > 0) throw new KustomizeError(file, `invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`)
    return doc.toJS({ maxAliasCount: 1000, reviver: (_k, v) => timeString(v) })
  })
}

const looksRemote = (s: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || s.startsWith("git@") || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(s) || s.includes("?ref=") || s.includes("//")

/** Finds the kustomization file of a directory, if any. */
export const findKustomization = (fs: FileSystem, dir: string): string | undefined => {
  const entries = fs.readDir(dir)
  if (entries === undefined) return undefined
  const found = KUSTOMIZATION_FILES.filter((f) => entries.some((e) => e.name === f && !e.dir))
  if (found.length > 1) throw new KustomizeError(dir, `found multiple kustomization files: ${found.join(", ")}`)
  return found[0] === undefined ? undefined : dir === "" ? found[0] : `${dir}/${found[0]}`
}

const toRes = (obj: Obj, file: string): Res => {
  if (!isObj(obj.metadata) || typeof obj.metadata.name !== "string" || obj.metadata.name === "") {
    if (!(isObj(obj.metadata) && typeof obj.metadata.generateName === "string"))
      throw new KustomizeError(file, `${obj.kind ?? "object"}: missing metadata.name`)
  }
  if (typeof obj.kind !== "string" || obj.kind === "") throw new KustomizeError(file, "missing kind")
  return { obj, names: [String(obj.metadata.name ?? "")], namespaces: [String(obj.metadata.namespace ?? "")], hash: false, affixes: [], file }
}

const idKey = (r: Res): string => `${r.obj.apiVersion}|${r.obj.kind}|${r.obj.metadata?.namespace ?? ""}|${nameOf(r)}`

const addAll = (acc: Res[], ids: Set<string>, rs: Res[], file: string) => {
  for (const r of rs) {
    const k = idKey(r)
    if (ids.has(k)) throw new KustomizeError(file, `may not add resource with an already registered id: ${r.obj.kind} ${r.obj.metadata?.namespace ? `${r.obj.metadata.namespace}/` : ""}${nameOf(r)}`)
    ids.add(k)
    acc.push(r)
  }
}

const FIELDS: Record<string, ReadonlyArray<string>> = {
  patch: ["path", "patch", "target", "options"],
  target: ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"],
  patchOptions: ["allowNameChange", "allowKindChange"],
  image: ["name", "newName", "newTag", "digest", "tagSuffix"],
  replica: ["name", "count"],
  generator: ["name", "namespace", "behavior", "literals", "files", "envs", "env", "options", "type"],
  genOptions: ["labels", "annotations", "disableNameSuffixHash", "immutable"],
  label: ["pairs", "includeSelectors", "includeTemplates", "fields"],
  sortOptions: ["order", "legacySortOptions"],
  legacySortOptions: ["orderFirst", "orderLast"],
}

/** Rejects fields kustomize does not know in a nested entry (kustomize decodes strictly). */
const checkFields = (v: unknown, kind: keyof typeof FIELDS, file: string, at: string): void => {
  if (!isObj(v)) return
  for (const k of Object.keys(v)) if (!FIELDS[kind]!.includes(k)) throw new KustomizeError(file, `${at}: unknown field "${k}"`)
}

const strMap = (v: unknown, file: string, field: string): Record<string, string> => {
  if (v === undefined || v === null) return {}
  if (!isObj(v)) throw new KustomizeError(file, `${field} must be a map of strings`)
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string" && x !== null) throw new KustomizeError(file, `${field}.${k} must be a string, not ${typeof x}`)
    out[k] = x ?? ""
  }
  return out
}

const strList = (v: unknown, file: string, field: string): string[] => {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new KustomizeError(file, `${field} must be a list of strings`)
  return v
}

/** Builds the kustomization in `dir` into a fresh list (the top level sorts and finishes it). */
export const accumulate = (fs: FileSystem, dir: string, acc: Res[], expectComponent: boolean, visiting: Set<string>): Res[] => {
  const file = findKustomization(fs, dir)
  if (file === undefined) throw new KustomizeError(dir, "no kustomization.yaml, kustomization.yml or Kustomization in this directory")
  if (visiting.has(dir)) throw new KustomizeError(file, "cycle: this kustomization includes itself")
  visiting.add(dir)
  // kustomize reads its own file with YAML 1.1 (yes/on are booleans), resources with YAML 1.2.
  const docs = parseYaml(fs.readFile(file) ?? "", file, "1.1")
  const k: Obj = docs[0] ?? {}
  for (const f of Object.keys(k)) if (!KNOWN_FIELDS.has(f)) throw new KustomizeError(file, `unknown field "${f}"`)
  for (const f of UNSUPPORTED) if (k[f] !== undefined) throw new KustomizeError(file, `field "${f}" is not supported by moor's kustomize build`)
  for (const f of ["namespace", "namePrefix", "nameSuffix"])
    if (k[f] !== undefined && k[f] !== null && typeof k[f] !== "string") throw new KustomizeError(file, `${f} must be a string, not ${typeof k[f]} (quote it)`)
  const each = (field: string, kind: keyof typeof FIELDS, sub?: (x: Obj, at: string) => void) => {
    if (Array.isArray(k[field]))
      k[field].forEach((x: unknown, i: number) => {
        checkFields(x, kind, file, `${field}[${i}]`)
        if (isObj(x)) sub?.(x, `${field}[${i}]`)
      })
  }
  const patchSub = (x: Obj, at: string) => {
    checkFields(x.target, "target", file, `${at}.target`)
    checkFields(x.options, "patchOptions", file, `${at}.options`)
  }
  each("patches", "patch", patchSub)
  each("patchesJson6902", "patch", patchSub)
  each("images", "image")
  each("replicas", "replica")
  each("configMapGenerator", "generator", (x, at) => checkFields(x.options, "genOptions", file, `${at}.options`))
  each("secretGenerator", "generator", (x, at) => checkFields(x.options, "genOptions", file, `${at}.options`))
  each("labels", "label", (x, at) => {
    if (x.fields !== undefined) throw new KustomizeError(file, `${at}.fields is not supported by moor's kustomize build`)
  })
  checkFields(k.generatorOptions, "genOptions", file, "generatorOptions")
  checkFields(k.sortOptions, "sortOptions", file, "sortOptions")
  if (isObj(k.sortOptions)) checkFields(k.sortOptions.legacySortOptions, "legacySortOptions", file, "sortOptions.legacySortOptions")
  const isComponent = k.kind === "Component"
  if (expectComponent && !isComponent) throw new KustomizeError(file, "listed in components but its kind is not Component")
  if (!expectComponent && isComponent) throw new KustomizeError(file, "a Component can only be listed under components")
  const ids = new Set(acc.map(idKey))
  // resources (and the legacy bases)
  for (const entry of [...strList(k.resources, file, "resources"), ...strList(k.bases, file, "bases")]) {
    const p = resolvePath(dir, entry)
    const isDir = p !== undefined && fs.readDir(p) !== undefined
    const text = p === undefined || isDir ? undefined : fs.readFile(p)
    if (isDir) addAll(acc, ids, accumulate(fs, p!, [], false, visiting), file)
    else if (text !== undefined) addAll(acc, ids, parseYaml(text, p!).map((o) => toRes(o, p!)), file)
    else if (looksRemote(entry)) throw new KustomizeError(file, `resources: remote resource "${entry}" is not supported; vendor it into the repository`)
    else if (p === undefined) throw new KustomizeError(file, `resources: "${entry}" is outside the source root`)
    else throw new KustomizeError(file, `resources: "${entry}" is neither a file nor a directory`)
  }
  for (const entry of strList(k.components, file, "components")) {
    const p = resolvePath(dir, entry)
    if (p === undefined || fs.readDir(p) === undefined) {
      if (looksRemote(entry)) throw new KustomizeError(file, `components: remote component "${entry}" is not supported`)
      throw new KustomizeError(file, `components: "${entry}" is not a directory`)
    }
    acc = accumulate(fs, p, acc, true, visiting)
  }
  generate(fs, dir, file, k, acc)
  transform(fs, dir, file, k, acc)
  visiting.delete(dir)
  return acc.filter((r) => !r.deleted)
}

const generate = (fs: FileSystem, dir: string, file: string, k: Obj, acc: Res[]) => {
  const global: GenOptions = isObj(k.generatorOptions) ? k.generatorOptions : {}
  for (const [field, kind] of [["configMapGenerator", "ConfigMap"], ["secretGenerator", "Secret"]] as const) {
    const list = k[field]
    if (list === undefined || list === null) continue
    if (!Array.isArray(list)) throw new KustomizeError(file, `${field} must be a list`)
    list.forEach((g: unknown, i: number) => {
      const at = `${field}[${i}]`
      if (!isObj(g) || typeof g.name !== "string" || g.name === "") throw new KustomizeError(file, `${at}.name is required`)
      const opts: GenOptions = isObj(g.options) ? g.options : {}
      const data: Obj = {}
      for (const [key, v] of generatorData(fs, dir, file, g, at)) {
        if (key in data) throw new KustomizeError(file, `${at}: duplicate key "${key}"`)
        data[key] = kind === "Secret" ? Buffer.from(v, "utf8").toString("base64") : v
      }
      const behavior = g.behavior ?? "create"
      const labels = { ...strMap(global.labels, file, "generatorOptions.labels"), ...strMap(opts.labels, file, `${at}.options.labels`) }
      const annotations = { ...strMap(global.annotations, file, "generatorOptions.annotations"), ...strMap(opts.annotations, file, `${at}.options.annotations`) }
      const noHash = opts.disableNameSuffixHash === true || global.disableNameSuffixHash === true
      const immutable = opts.immutable ?? global.immutable
      const ns = typeof g.namespace === "string" ? g.namespace : ""
      if (behavior === "create") {
        const meta: Obj = { name: g.name }
        if (ns !== "") meta.namespace = ns
        if (Object.keys(labels).length > 0) meta.labels = labels
        if (Object.keys(annotations).length > 0) meta.annotations = annotations
        const obj: Obj = { apiVersion: "v1", kind, metadata: meta }
        if (Object.keys(data).length > 0 || kind === "Secret") obj.data = data
        if (kind === "Secret") obj.type = typeof g.type === "string" ? g.type : "Opaque"
        if (immutable === true) obj.immutable = true
        const r = toRes(obj, file)
        r.hash = !noHash
        addAll(acc, new Set(acc.map(idKey)), [r], file)
        return
      }
      if (behavior !== "merge" && behavior !== "replace") throw new KustomizeError(file, `${at}.behavior must be create, merge or replace, not "${behavior}"`)
      const matches = acc.filter((r) => r.obj.kind === kind && r.names.includes(g.name) && (ns === "" || r.namespaces.includes(ns) || r.namespaces.includes("")))
      if (matches.length !== 1) throw new KustomizeError(file, `${at}: ${behavior} of ${kind} "${g.name}": ${matches.length === 0 ? "no such object in the bases" : "more than one object"}`)
      const t = matches[0]!
      t.obj.data = behavior === "merge" ? { ...(t.obj.data ?? {}), ...data } : data
      const meta = t.obj.metadata
      if (Object.keys(labels).length > 0) meta.labels = { ...(behavior === "merge" ? meta.labels : {}), ...labels }
      if (Object.keys(annotations).length > 0) meta.annotations = { ...(behavior === "merge" ? meta.annotations : {}), ...annotations }
      if (noHash) t.hash = false
    })
  }
}

const readPatchText = (fs: FileSystem, dir: string, file: string, p: Obj, at: string): string => {
  if (typeof p.patch === "string") return p.patch
  if (typeof p.path === "string") {
    const rp = resolvePath(dir, p.path)
    const text = rp === undefined ? undefined : fs.readFile(rp)
    if (text === undefined) throw new KustomizeError(file, `${at}.path: file "${p.path}" not found`)
    return text
  }
  throw new KustomizeError(file, `${at} needs a patch or a path`)
}

const applyPatchDoc = (r: Res, patch: unknown, file: string, at: string): void => {
  if (Array.isArray(patch)) {
    try {
      r.obj = jsonPatch(r.obj, patch)
    } catch (e) {
      throw new KustomizeError(file, `${at}: JSON patch of ${r.obj.kind} ${nameOf(r)}: ${(e as Error).message}`)
    }
  } else if (isObj(patch)) {
    const out = strategicMerge(r.obj, patch)
    if (out === undefined) r.deleted = true
    else r.obj = out
  }
  const n = nameOf(r)
  if (n !== r.names[r.names.length - 1]) r.names.push(n)
}

/** The resources an SMP without target applies to: same kind, a name and namespace it has had. */
const byPatchId = (acc: Res[], p: Obj): Res[] => {
  const name = p.metadata?.name
  const ns = p.metadata?.namespace
  return acc.filter(
    (r) =>
      r.obj.kind === p.kind &&
      (p.apiVersion === undefined || r.obj.apiVersion === p.apiVersion) &&
      r.names.includes(name) &&
      (ns === undefined || r.namespaces.includes(ns) || (ns === "default" && r.namespaces.includes(""))),
  )
}

/** An SMP without the identity fields: a patch selects its objects, it does not rename them. */
const smpBody = (d: Obj, keepName = false, keepKind = false): Obj => {
  const { metadata, apiVersion, kind, ...rest } = d
  const body: Obj = { ...rest }
  if (keepKind && typeof kind === "string") Object.assign(body, { kind, ...(typeof apiVersion === "string" ? { apiVersion } : {}) })
  if (isObj(metadata)) {
    const { name, namespace: _ns, ...meta } = metadata
    if (keepName && typeof name === "string") meta.name = name
    if (Object.keys(meta).length > 0) body.metadata = meta
  }
  return body
}

const patchByIds = (acc: Res[], docs: Obj[], file: string, at: string) => {
  for (const d of docs) {
    const live = acc.filter((r) => !r.deleted)
    const targets = byPatchId(live, d)
    if (targets.length !== 1)
      throw new KustomizeError(file, `${at}: ${targets.length === 0 ? "no" : "more than one"} resource matches ${d.kind} ${d.metadata?.name ?? "(no name)"}; failed to find unique target for patch`)
    applyPatchDoc(targets[0]!, smpBody(d), file, at)
  }
}

const parsePatch = (text: string, file: string): unknown[] => {
  const docs = parseAllDocuments(text, { version: "1.2" })
  const out: unknown[] = []
  for (const d of docs) {
    if (d.errors.length > 0) throw new KustomizeError(file, `invalid patch YAML: ${d.errors[0]!.message.split("\n")[0]}`)
    const v = d.toJS()
    if (v !== null && v !== undefined) out.push(v)
  }
  return out
}

const transform = (fs: FileSystem, dir: string, file: string, k: Obj, acc: Res[]) => {
  // patchesStrategicMerge
  strList(k.patchesStrategicMerge, file, "patchesStrategicMerge").forEach((entry, i) => {
    const at = `patchesStrategicMerge[${i}]`
    let text = entry
    if (!entry.includes("\n")) {
      const rp = resolvePath(dir, entry)
      const t = rp === undefined ? undefined : fs.readFile(rp)
      if (t === undefined) throw new KustomizeError(file, `${at}: file "${entry}" not found`)
      text = t
    }
    patchByIds(acc, parsePatch(text, file).filter(isObj), file, at)
  })
  // patches
  const patches = k.patches ?? []
  if (!Array.isArray(patches)) throw new KustomizeError(file, "patches must be a list")
  patches.forEach((p: unknown, i: number) => {
    const at = `patches[${i}]`
    if (!isObj(p)) throw new KustomizeError(file, `${at} must be a map`)
    const docs = parsePatch(readPatchText(fs, dir, file, p, at), file)
    const json = docs.length === 1 && Array.isArray(docs[0])
    if (p.target === undefined || p.target === null) {
      if (json) throw new KustomizeError(file, `${at}: a JSON 6902 patch needs a target`)
      patchByIds(acc, docs.filter(isObj), file, at)
      return
    }
    const target: Target = parseTarget(p.target, file, `${at}.target`)
    for (const r of acc) {
      if (r.deleted || !matchesTarget(r, target)) continue
      if (json) applyPatchDoc(r, docs[0], file, at)
      else
        for (const d of docs) {
          if (!isObj(d)) continue
          const o = isObj(p.options) ? p.options : {}
          applyPatchDoc(r, smpBody(d, o.allowNameChange === true, o.allowKindChange === true), file, at)
        }
    }
  })
  const live = (): Res[] => {
    for (let i = acc.length - 1; i >= 0; i--) if (acc[i]!.deleted) acc.splice(i, 1)
    return acc
  }
  if (typeof k.namespace === "string" && k.namespace !== "") setNamespace(live(), k.namespace)
  if (typeof k.namePrefix === "string" || typeof k.nameSuffix === "string") addPrefixSuffix(live(), k.namePrefix ?? "", k.nameSuffix ?? "")
  const common = strMap(k.commonLabels, file, "commonLabels")
  if (Object.keys(common).length > 0) addLabels(live(), common, { selectors: true, templates: true })
  if (k.labels !== undefined && k.labels !== null) {
    if (!Array.isArray(k.labels)) throw new KustomizeError(file, "labels must be a list")
    k.labels.forEach((l: unknown, i: number) => {
      if (!isObj(l)) throw new KustomizeError(file, `labels[${i}] must be a map`)
      const pairs = strMap(l.pairs, file, `labels[${i}].pairs`)
      addLabels(live(), pairs, { selectors: l.includeSelectors === true, templates: l.includeTemplates === true })
    })
  }
  const ann = strMap(k.commonAnnotations, file, "commonAnnotations")
  if (Object.keys(ann).length > 0) addAnnotations(live(), ann)
  // patchesJson6902
  const pj = k.patchesJson6902 ?? []
  if (!Array.isArray(pj)) throw new KustomizeError(file, "patchesJson6902 must be a list")
  pj.forEach((p: unknown, i: number) => {
    const at = `patchesJson6902[${i}]`
    if (!isObj(p) || !isObj(p.target)) throw new KustomizeError(file, `${at} needs a target`)
    const docs = parsePatch(readPatchText(fs, dir, file, p, at), file)
    const ops = docs.length === 1 && Array.isArray(docs[0]) ? docs[0] : undefined
    if (ops === undefined) throw new KustomizeError(file, `${at}: the patch is not a list of JSON 6902 operations`)
    const target = parseTarget(p.target, file, `${at}.target`)
    for (const r of live()) if (matchesTarget(r, target)) applyPatchDoc(r, ops, file, at)
  })
  if (k.replicas !== undefined) {
    if (!Array.isArray(k.replicas)) throw new KustomizeError(file, "replicas must be a list")
    const rules = k.replicas.map((x: unknown, i: number) => {
      if (!isObj(x) || typeof x.name !== "string" || typeof x.count !== "number") throw new KustomizeError(file, `replicas[${i}] needs a name and a numeric count`)
      return { name: x.name, count: x.count }
    })
    setReplicas(live(), rules)
  }
  if (k.images !== undefined) {
    if (!Array.isArray(k.images)) throw new KustomizeError(file, "images must be a list")
    const rules: ImageRule[] = k.images.map((x: unknown, i: number) => {
      if (!isObj(x) || typeof x.name !== "string") throw new KustomizeError(file, `images[${i}].name is required`)
      for (const f of ["newName", "newTag", "digest"])
        if (x[f] !== undefined && x[f] !== null && typeof x[f] !== "string") throw new KustomizeError(file, `images[${i}].${f} must be a string, not ${typeof x[f]} (quote it)`)
      return { name: x.name, newName: x.newName, newTag: x.newTag, digest: x.digest }
    })
    setImages(live(), rules)
  }
  live()
}

/** Finishes a top-level build: hash suffixes, name references, kustomize's order. */
export const finish = (acc: Res[], sortOptions?: unknown): Res[] => {
  for (const r of acc) {
    if (!r.hash) continue
    r.obj.metadata.name = `${nameOf(r)}-${contentHash(r.obj)}`
    r.names.push(r.obj.metadata.name)
  }
  fixNameReferences(acc)
  if (isObj(sortOptions) && sortOptions.order === "fifo") return acc
  const legacy = isObj(sortOptions) && isObj(sortOptions.legacySortOptions) ? sortOptions.legacySortOptions : undefined
  return legacySort(acc, legacy?.orderFirst, legacy?.orderLast)
}

