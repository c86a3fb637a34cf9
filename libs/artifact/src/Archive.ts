// Deterministic tar.gz of a file tree: entries sorted by path, mtime 0,
// uid/gid 0, modes normalised (0644, 0755, symlinks 0777), no owner names,
// and a gzip header without a timestamp, so the same tree always gives the
// same bytes and the same sha256 digest.
import { createHash } from "node:crypto"
import { gzipSync } from "node:zlib"

/** One file to archive (structurally the same as @moor/git's TreeFile). */
export interface ArchiveFile {
  /** Slash-separated relative path. */
  readonly path: string
  readonly kind: "file" | "executable" | "symlink"
  /** Content, or the link target for a symlink. */
  readonly data: Uint8Array
}

/** A built artifact. */
export interface Archive {
  readonly bytes: Buffer
  /** `sha256:<hex>` of `bytes`. */
  readonly digest: string
  readonly size: number
  readonly files: number
}


const octal = (buf: Buffer, off: number, len: number, n: number) => {
  buf.write(n.toString(8).padStart(len - 1, "0") + "\0", off, len, "ascii")
}

/** A 512-byte ustar header. */
const header = (name: string, prefix: string, size: number, mode: number, type: string, link: string): Buffer => {
  const h = Buffer.alloc(512)
  h.write(name, 0, 100, "utf8")
  octal(h, 100, 8, mode)
  octal(h, 108, 8, 0)
  octal(h, 116, 8, 0)
  octal(h, 124, 12, size)
  octal(h, 136, 12, 0)
  h.fill(0x20, 148, 156)
  h.write(type, 156, 1, "ascii")
  h.write(link, 157, 100, "utf8")
  h.write("ustar\0", 257, 6, "ascii")
  h.write("00", 263, 2, "ascii")
  h.write(prefix, 345, 155, "utf8")
  let sum = 0
  for (const b of h) sum += b
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii")
  return h
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512)

/** A PAX extended header carrying `path` and/or `linkpath` that do not fit ustar. */
const pax = (records: Record<string, string>): Buffer[] => {
  let body = ""
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`
    let len = Buffer.byteLength(rest) + 1
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest)
    body += `${len}${rest}`
  }
  const data = Buffer.from(body, "utf8")
  return [header("PaxHeader", "", data.length, 0o644, "x", ""), data, pad(data.length)]
}

/** Splits a path into ustar (prefix, name), or undefined when it needs PAX. */
const split = (path: string): [string, string] | undefined => {
  if (Buffer.byteLength(path) <= 100) return ["", path]
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i)
    const name = path.slice(i + 1)
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== "") return [prefix, name]
  }
  return undefined
}

/** Checks an archive path: relative, no "." or ".." segments, no empty segments. */
export const safeArchivePath = (path: string): boolean =>
  path !== "" && !path.startsWith("/") && !path.includes("\0") && !path.includes("\\") && path.split("/").every((s) => s !== "" && s !== "." && s !== "..")

/** The tar stream (uncompressed) of `files`, sorted by path. */
export const tarOf = (files: readonly ArchiveFile[]): Buffer => {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const parts: Buffer[] = []
  let prev: string | undefined
  for (const f of sorted) {
    if (!safeArchivePath(f.path)) throw new Error(`unsafe path in archive: ${JSON.stringify(f.path)}`)
    if (f.path === prev) throw new Error(`duplicate path in archive: ${JSON.stringify(f.path)}`)
    prev = f.path
    const link = f.kind === "symlink" ? Buffer.from(f.data).toString("utf8") : ""
    const size = f.kind === "symlink" ? 0 : f.data.length
    const mode = f.kind === "symlink" ? 0o777 : f.kind === "executable" ? 0o755 : 0o644
    const names = split(f.path)
    const records: Record<string, string> = {}
    if (!names) records["path"] = f.path
    if (Buffer.byteLength(link) > 100) records["linkpath"] = link
    if (Object.keys(records).length) parts.push(...pax(records))
    const [prefix, name] = names ?? ["", f.path.slice(-100)]
    parts.push(header(name, prefix, size, mode, f.kind === "symlink" ? "2" : "0", Buffer.byteLength(link) > 100 ? "" : link))
    if (size) parts.push(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength), pad(size))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

/** sha256 digest in Flux's form. */
export const digestOf = (bytes: Uint8Array): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

/** Builds the deterministic tar.gz of `files` (any iterable, e.g. GitTree.files()). */
export const buildArchive = async (files: AsyncIterable<ArchiveFile> | Iterable<ArchiveFile>): Promise<Archive> => {
  const list: ArchiveFile[] = []
  for await (const f of files) list.push(f)
  // zlib writes mtime 0 and a fixed OS byte: the header carries no timestamp
  const bytes = gzipSync(tarOf(list), { level: 6 })
  return { bytes, digest: digestOf(bytes), size: bytes.length, files: list.length }
}

