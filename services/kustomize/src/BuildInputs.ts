// The skip rule's memory: which files and directory listings a build read,
// and their digest. A new source revision whose copies of those files and
// listings hash the same cannot build differently (with the same spec and
// substitution variables), so it is recorded as applied without a rebuild.
import { createHash } from "node:crypto"
import type { DirEntry, FileSystem } from "@moor/kustomize"

/** What one build read: file path -> content digest (or absent), directory -> listing (or absent). */
export interface BuildReads {
  readonly files: ReadonlyMap<string, string | null>
  readonly dirs: ReadonlyMap<string, string | null>
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex")
const listing = (d: ReadonlyArray<DirEntry> | undefined) => (d === undefined ? null : d.map((e) => (e.dir ? `${e.name}/` : e.name)).sort().join("\n"))

/** Wraps a file tree and records every read (`onText` sees each file's text). */
export const trackingFs = (fs: FileSystem, onText?: (path: string, text: string) => void): { fs: FileSystem; reads: BuildReads } => {
  const files = new Map<string, string | null>()
  const dirs = new Map<string, string | null>()
  return {
    fs: {
      readFile: (p) => {
        const t = fs.readFile(p)
        files.set(p, t === undefined ? null : sha(t))
        if (t !== undefined) onText?.(p, t)
        return t
      },
      readDir: (p) => {
        const d = fs.readDir(p)
        dirs.set(p, listing(d))
        return d
      },
    },
    reads: { files, dirs },
  }
}

/** One digest over what was read, in a stable order. */
export const digestOfReads = (r: BuildReads): string => {
  const h = createHash("sha256")
  for (const [p, d] of [...r.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`f ${p} ${d ?? "-"}\n`)
  for (const [p, d] of [...r.dirs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`d ${p} ${d ?? "-"}\n${d ?? ""}\n`)
  return h.digest("hex")
}

/** The same reads replayed on another tree (a new revision): equal digests mean an equal build. */
export const replayReads = (fs: FileSystem, r: BuildReads): string => {
  const t = trackingFs(fs)
  for (const p of r.files.keys()) t.fs.readFile(p)
  for (const p of r.dirs.keys()) t.fs.readDir(p)
  return digestOfReads(t.reads)
}

/** A digest of any JSON value (spec inputs, substitution variables). */
export const digestOf = (v: unknown): string => sha(JSON.stringify(v))
