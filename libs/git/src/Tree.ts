// The files of one commit, read from Git objects (no working copy needed):
// paths checked for safety, .sourceignore rules applied, sizes bounded.
import { mkdir, symlink, writeFile } from "node:fs/promises"
import { dirname, join, posix } from "node:path"
import { gitError } from "./Errors.ts"
import { IgnoreMatcher, sourceIgnoreFile } from "./SourceIgnore.ts"
import { parseTree, type ObjectStore } from "./internal/ObjectStore.ts"

/** One file of a tree. `data` is the content, or the link target for a symlink. */
export interface TreeFile {
  /** Slash-separated, relative, never absolute, never with "." or ".." segments. */
  readonly path: string
  readonly kind: "file" | "executable" | "symlink"
  readonly data: Uint8Array
}

/** Options for reading a tree. */
export interface TreeOptions {
  /** spec.ignore (gitignore syntax); when set it replaces Flux's default exclusions. */
  readonly ignore?: string
  /** Fail with RepositoryTooLarge past this many bytes of file content (default 512 MiB). */
  readonly maxBytes?: number
}

export const defaultMaxTreeBytes = 512 * 1024 * 1024

/** The checked-out content of one commit. */
export interface GitTree {
  readonly commit: string
  /** The files, depth-first in Git's order, after exclusions; fails with UnsafePath or RepositoryTooLarge. */
  files(options?: TreeOptions): AsyncIterable<TreeFile>
  /** Writes the files into `dir` (created if missing); returns how many were written. */
  checkout(dir: string, options?: TreeOptions): Promise<number>
}

const decoder = new TextDecoder()

/** Refuses a tree entry name that could escape or confuse the tree. */
const checkName = (dir: string, name: string) => {
  const path = dir ? `${dir}/${name}` : name
  if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\\") || name.includes("\0"))
    throw gitError("UnsafePath", `the tree contains an unsafe path ${JSON.stringify(path)} (empty, ".", "..", or with a separator); refusing it`)
  if (name.toLowerCase() === ".git") throw gitError("UnsafePath", `the tree contains a ${JSON.stringify(path)} entry; refusing it`)
  return path
}

/** Refuses a symlink whose target is absolute or leaves the tree. */
const checkLink = (path: string, target: string) => {
  if (target === "" || target.startsWith("/") || /^[A-Za-z]:[\\/]/.test(target) || target.includes("\0"))
    throw gitError("UnsafePath", `symlink ${JSON.stringify(path)} points to the absolute path ${JSON.stringify(target)}; refusing it`)
  // ".." only as leading segments: "x/.." through a link x -> "." would escape
  const segs = target.split("/")
  const firstReal = segs.findIndex((s) => s !== "..")
  if (firstReal >= 0 && segs.slice(firstReal).includes(".."))
    throw gitError("UnsafePath", `symlink ${JSON.stringify(path)} has ".." after a path segment (${JSON.stringify(target)}); refusing it`)
  const resolved = posix.normalize(posix.join(posix.dirname(path), target))
  if (resolved === ".." || resolved.startsWith("../"))
    throw gitError("UnsafePath", `symlink ${JSON.stringify(path)} points outside the tree (${JSON.stringify(target)}); refusing it`)
}

/** A GitTree over the objects of `store`. */
export const gitTree = (store: ObjectStore, commit: string, treeOid: string): GitTree => {
  const read = (oid: string, type: "tree" | "blob", path: string) => {
    const o = store.get(oid)
    if (!o || o.type !== type) throw gitError("GitOperationFailed", `the ${type} ${oid} for ${JSON.stringify(path || "/")} is missing from the fetched objects`)
    return o.data
  }
  async function* files(options: TreeOptions = {}): AsyncGenerator<TreeFile> {
    const matcher = IgnoreMatcher.forSpec(options.ignore)
    const max = options.maxBytes ?? defaultMaxTreeBytes
    let total = 0
    function* walk(dir: string, oid: string): Generator<TreeFile> {
      const tree = parseTree(read(oid, "tree", dir))
      const ignoreEntry = tree.find((e) => e.name === sourceIgnoreFile && !e.mode.startsWith("04") && e.mode !== "160000")
      if (ignoreEntry) matcher.addFile(dir, decoder.decode(read(ignoreEntry.oid, "blob", `${dir}/${sourceIgnoreFile}`)))
      for (const e of tree) {
        const path = checkName(dir, e.name)
        if (e.mode === "040000") {
          if (!matcher.ignores(path, true)) yield* walk(path, e.oid)
          continue
        }
        if (e.mode === "160000") continue // a submodule: not part of the artifact
        if (matcher.ignores(path, false)) continue
        const data = read(e.oid, "blob", path)
        total += data.length
        if (total > max) throw gitError("RepositoryTooLarge", `the tree's files exceed the limit of ${max} bytes`)
        if (e.mode === "120000") {
          checkLink(path, decoder.decode(data))
          yield { path, kind: "symlink", data }
        } else yield { path, kind: e.mode === "100755" ? "executable" : "file", data }
      }
    }
    yield* walk("", treeOid)
  }
  return {
    commit,
    files,
    async checkout(dir, options) {
      let n = 0
      const made = new Set<string>()
      await mkdir(dir, { recursive: true })
      for await (const f of files(options)) {
        const target = join(dir, f.path)
        const parent = dirname(target)
        if (!made.has(parent)) {
          await mkdir(parent, { recursive: true })
          made.add(parent)
        }
        if (f.kind === "symlink") await symlink(decoder.decode(f.data), target)
        else await writeFile(target, f.data, { mode: f.kind === "executable" ? 0o755 : 0o644 })
        n++
      }
      return n
    },
  }
}
