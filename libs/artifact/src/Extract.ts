// Unpacks an artifact into a directory, refusing anything that could write
// outside it: absolute paths, ".." segments, links leaving the tree, and
// entries below a symlink.
import { mkdir, symlink, writeFile } from "node:fs/promises"
import { dirname, join, posix } from "node:path"
import { gunzipSync } from "node:zlib"
import { safeArchivePath, type ArchiveFile } from "./Archive.ts"

const str = (b: Buffer, off: number, len: number) => {
  const s = b.subarray(off, off + len)
  const nul = s.indexOf(0)
  return s.subarray(0, nul < 0 ? len : nul).toString("utf8")
}

/** Reads the files of a tar.gz (regular files and symlinks; directories implied). Throws on unsafe paths. */
export const readArchive = (targz: Uint8Array): ArchiveFile[] => {
  const tar = gunzipSync(targz)
  const out: ArchiveFile[] = []
  let p = 0
  let paxPath: string | undefined
  let paxLink: string | undefined
  while (p + 512 <= tar.length) {
    const h = tar.subarray(p, p + 512)
    if (h.every((b) => b === 0)) break
    const size = Number.parseInt(str(h, 124, 12).trim() || "0", 8)
    const type = String.fromCharCode(h[156]!)
    const prefix = str(h, 345, 155)
    let path = paxPath ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100))
    const link = paxLink ?? str(h, 157, 100)
    const data = tar.subarray(p + 512, p + 512 + size)
    p += 512 + Math.ceil(size / 512) * 512
    if (type === "x") {
      for (const rec of data.toString("utf8").split("\n")) {
        const m = /^\d+ (path|linkpath)=(.*)$/s.exec(rec)
        if (m?.[1] === "path") paxPath = m[2]
        if (m?.[1] === "linkpath") paxLink = m[2]
      }
      continue
    }
    paxPath = undefined
    paxLink = undefined
    path = path.replace(/^\.\//, "").replace(/\/$/, "")
    if (type === "5") continue
    if (!safeArchivePath(path)) throw new Error(`refusing archive entry with unsafe path ${JSON.stringify(path)}`)
    const mode = Number.parseInt(str(h, 100, 8).trim() || "644", 8)
    if (type === "0" || type === "\0") out.push({ path, kind: mode & 0o111 ? "executable" : "file", data: Buffer.from(data) })
    else if (type === "2") {
      if (link.startsWith("/") || posix.normalize(posix.join(posix.dirname(path), link)).split("/")[0] === "..")
        throw new Error(`refusing symlink ${JSON.stringify(path)} pointing outside the tree (${JSON.stringify(link)})`)
      out.push({ path, kind: "symlink", data: Buffer.from(link, "utf8") })
    } else throw new Error(`refusing archive entry ${JSON.stringify(path)} of type ${JSON.stringify(type)} (only files and symlinks)`)
  }
  return out
}

/** Extracts a tar.gz into `dir` (created if missing); returns the number of files. Unsafe entries throw before anything is written. */
export const extractArchive = async (targz: Uint8Array, dir: string): Promise<number> => {
  const files = readArchive(targz)
  const links = new Set(files.filter((f) => f.kind === "symlink").map((f) => f.path))
  for (const f of files) {
    const parts = f.path.split("/")
    for (let i = 1; i < parts.length; i++)
      if (links.has(parts.slice(0, i).join("/"))) throw new Error(`refusing ${JSON.stringify(f.path)}: it lies below the symlink ${parts.slice(0, i).join("/")}`)
  }
  await mkdir(dir, { recursive: true })
  for (const f of files) {
    const target = join(dir, f.path)
    await mkdir(dirname(target), { recursive: true })
    if (f.kind === "symlink") await symlink(Buffer.from(f.data).toString("utf8"), target)
    else await writeFile(target, f.data, { mode: f.kind === "executable" ? 0o755 : 0o644 })
  }
  return files.length
}
