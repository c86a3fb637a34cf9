// The read-only file tree a build reads from: an extracted artifact on disk or files in memory.
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs"
import { join, posix, sep } from "node:path"

/** A directory entry. */
export interface DirEntry {
  readonly name: string
  readonly dir: boolean
}

/** Read access to a tree of files; paths are POSIX, relative to the tree's root, without leading "/". */
export interface FileSystem {
  /** The file's text, or undefined when there is no such file. */
  readFile(path: string): string | undefined
  /** The entries of a directory, or undefined when it is not a directory. */
  readDir(path: string): ReadonlyArray<DirEntry> | undefined
}

/** A file tree held in memory: keys are file paths ("base/kustomization.yaml"), values their text. */
export const memoryFs = (files: Readonly<Record<string, string>>): FileSystem => {
  const dirs = new Map<string, Map<string, boolean>>()
  const add = (dir: string, name: string, isDir: boolean) => {
    let m = dirs.get(dir)
    if (m === undefined) dirs.set(dir, (m = new Map()))
    if (!m.has(name) || isDir) m.set(name, isDir)
  }
  dirs.set("", new Map())
  for (const f of Object.keys(files)) {
    const parts = normalize(f).split("/")
    for (let i = 0; i < parts.length; i++) add(parts.slice(0, i).join("/"), parts[i]!, i < parts.length - 1)
  }
  return {
    readFile: (p) => files[normalize(p)],
    readDir: (p) => {
      const m = dirs.get(normalize(p))
      return m === undefined ? undefined : [...m].map(([name, dir]) => ({ name, dir }))
    },
  }
}

/**
 * A file tree on disk under `root` (reads only). Nothing outside root is reachable, symbolic
 * links included: a link that resolves outside the root reads as missing.
 */
export const diskFs = (root: string): FileSystem => {
  const realRoot = realpathSync(root)
  const inside = (p: string): string | undefined => {
    try {
      const real = realpathSync(join(realRoot, normalize(p)))
      return real === realRoot || real.startsWith(realRoot + sep) ? real : undefined
    } catch {
      return undefined
    }
  }
  return {
    readFile: (p) => {
      const real = inside(p)
      if (real === undefined) return undefined
      try {
        return readFileSync(real, "utf8")
      } catch {
        return undefined
      }
    },
    readDir: (p) => {
      const real = inside(p)
      if (real === undefined || !statSync(real).isDirectory()) return undefined
      return readdirSync(real, { withFileTypes: true }).map((e) => ({
        name: e.name,
        dir: e.isDirectory() || (e.isSymbolicLink() && inside(posix.join(normalize(p), e.name)) !== undefined && statSync(join(real, e.name)).isDirectory()),
      }))
    },
  }
}

/** Normalizes a path relative to the root; "" is the root. Throws when it leaves the root. */
export const normalize = (p: string): string => {
  const n = posix.normalize(`/${p}`).slice(1)
  return n.endsWith("/") ? n.slice(0, -1) : n
}

/** Joins a directory and a relative path; undefined when the result would leave the root. */
export const resolvePath = (dir: string, rel: string): string | undefined => {
  if (rel.startsWith("/")) return undefined
  const joined = posix.normalize(dir === "" ? rel : `${dir}/${rel}`)
  if (joined === ".." || joined.startsWith("../")) return undefined
  const n = joined === "." ? "" : joined
  return n.endsWith("/") ? n.slice(0, -1) : n
}
