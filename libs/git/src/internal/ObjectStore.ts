// Reads Git objects from a git directory: pack files through their .idx, and
// loose objects; fresh objects from a just-indexed pack are served from memory.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { inflateSync } from "node:zlib"
import { applyDelta, readEntry, readIndex, type GitObject, type ObjectType } from "./Pack.ts"

interface PackFile {
  readonly index: Map<string, number>
  pack?: Buffer
  readonly path: string
  /** Resolved delta bases by offset: chains share bases, so each is inflated once. */
  readonly bases: Map<number, GitObject>
}

const maxBaseCacheBytes = 64 * 1024 * 1024

const typeNames: Record<number, ObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" }

/** A read-only view of one git directory's objects. */
export class ObjectStore {
  readonly #gitdir: string
  readonly #packs: PackFile[] = []
  readonly #memory = new Map<string, GitObject>()
  #baseBytes = 0

  constructor(gitdir: string) {
    this.#gitdir = gitdir
    this.reload()
  }

  /** Re-reads the list of pack indexes (after a fetch wrote one). */
  reload(): void {
    this.#packs.length = 0
    const dir = join(this.#gitdir, "objects", "pack")
    let names: string[] = []
    try {
      names = readdirSync(dir)
    } catch {
      return
    }
    for (const n of names.filter((f) => f.endsWith(".idx")).sort())
      this.#packs.push({ index: readIndex(readFileSync(join(dir, n))), path: join(dir, n.replace(/\.idx$/, ".pack")), bases: new Map() })
  }

  /** Serves these objects from memory (a just-fetched pack). */
  remember(objects: Map<string, GitObject>): void {
    for (const [k, v] of objects) this.#memory.set(k, v)
  }

  has(oid: string): boolean {
    return this.#memory.has(oid) || this.#packs.some((p) => p.index.has(oid)) || this.#loose(oid) !== undefined
  }

  /** The object `oid`, or undefined when this store does not have it. */
  get(oid: string): GitObject | undefined {
    const m = this.#memory.get(oid)
    if (m) return m
    for (const p of this.#packs) {
      const off = p.index.get(oid)
      if (off !== undefined) return this.#fromPack(p, off)
    }
    return this.#loose(oid)
  }

  #fromPack(p: PackFile, offset: number, depth = 0): GitObject {
    if (depth > 100) throw new Error("delta chain too deep")
    p.pack ??= readFileSync(p.path)
    const e = readEntry(p.pack, offset)
    if (e.kind === 6) {
      let base = p.bases.get(e.baseOffset!)
      if (!base) {
        base = this.#fromPack(p, e.baseOffset!, depth + 1)
        this.#baseBytes += base.data.length
        if (this.#baseBytes > maxBaseCacheBytes) {
          for (const q of this.#packs) q.bases.clear()
          this.#baseBytes = base.data.length
        }
        p.bases.set(e.baseOffset!, base)
      }
      return { type: base.type, data: applyDelta(base.data, e.data) }
    }
    if (e.kind === 7) {
      const base = this.get(e.baseOid!)
      if (!base) throw new Error(`missing delta base ${e.baseOid}`)
      return { type: base.type, data: applyDelta(base.data, e.data) }
    }
    return { type: typeNames[e.kind]!, data: e.data }
  }

  #loose(oid: string): GitObject | undefined {
    let raw: Buffer
    try {
      raw = inflateSync(readFileSync(join(this.#gitdir, "objects", oid.slice(0, 2), oid.slice(2))))
    } catch {
      return undefined
    }
    const nul = raw.indexOf(0)
    const [type] = raw.toString("latin1", 0, nul).split(" ")
    return { type: type as ObjectType, data: raw.subarray(nul + 1) }
  }
}

/** A tree entry. */
export interface TreeEntry {
  readonly mode: string
  readonly name: string
  readonly oid: string
}

/** Parses a tree object. */
export const parseTree = (data: Buffer): TreeEntry[] => {
  const out: TreeEntry[] = []
  let p = 0
  while (p < data.length) {
    const sp = data.indexOf(0x20, p)
    const nul = data.indexOf(0, sp)
    if (sp < 0 || nul < 0 || nul + 21 > data.length) throw new Error("malformed tree object")
    out.push({ mode: data.toString("latin1", p, sp).padStart(6, "0"), name: data.toString("utf8", sp + 1, nul), oid: data.toString("hex", nul + 1, nul + 21) })
    p = nul + 21
  }
  return out
}

/** The header fields of a commit or tag (first value of each). */
export const parseHeaders = (data: Buffer): Map<string, string> => {
  const out = new Map<string, string>()
  const text = data.toString("utf8")
  const end = text.indexOf("\n\n")
  for (const line of (end < 0 ? text : text.slice(0, end)).split("\n")) {
    if (line.startsWith(" ")) continue
    const sp = line.indexOf(" ")
    if (sp > 0 && !out.has(line.slice(0, sp))) out.set(line.slice(0, sp), line.slice(sp + 1))
  }
  return out
}
