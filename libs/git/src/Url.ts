// Repository URLs: http(s), git://, ssh:// and scp-like, file:// and local paths.
import { isAbsolute } from "node:path"
import { gitError } from "./Errors.ts"

/** A parsed repository address. `display` is safe to show (no credentials). */
export type RepoUrl =
  | { readonly protocol: "http" | "https"; readonly url: string; readonly display: string }
  | { readonly protocol: "git"; readonly host: string; readonly port: number; readonly path: string; readonly display: string }
  | {
      readonly protocol: "ssh"
      readonly host: string
      readonly port: number
      readonly user: string
      /** As given to git-upload-pack: absolute, or relative to the login's home (scp-like). */
      readonly path: string
      readonly display: string
    }
  | { readonly protocol: "file"; readonly path: string; readonly display: string }

const scpLike = /^(?:([^@/\s]+)@)?(\[[^\]]+\]|[^:/\s]+):(?!\/\/)(.+)$/

/** The URL with any password replaced, for messages. */
const redact = (url: string) => url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/, "$1:***@")

const bad = (url: string, why: string) => gitError("InvalidURL", `invalid repository URL ${JSON.stringify(redact(url))}: ${why}`)

/** Parses a repository URL; a malformed or unsupported one fails with reason InvalidURL. */
export const parseRepoUrl = (raw: string): RepoUrl => {
  const url = raw.trim()
  if (url === "") throw bad(raw, "it is empty")
  if (/[\s\0]/.test(url)) throw bad(raw, "it contains whitespace or NUL characters")
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase()
  if (scheme === undefined) {
    if (url.startsWith("/")) return { protocol: "file", path: url, display: url }
    const m = scpLike.exec(url)
    if (m && !url.includes("://")) {
      const host = m[2]!.replace(/^\[|\]$/g, "")
      const path = m[3]!
      if (host === "" || path === "") throw bad(raw, "expected user@host:path")
      return { protocol: "ssh", host, port: 22, user: m[1] ?? "git", path, display: url }
    }
    throw bad(raw, "expected a URL with a scheme (https://, http://, ssh://, git://, file://), user@host:path, or an absolute path")
  }
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw bad(raw, "it cannot be parsed")
  }
  if (u.password) throw bad(raw, "it embeds a password; put credentials in the secret (username, password) instead")
  const display = (() => {
    const c = new URL(u.href)
    c.password = ""
    return c.href
  })()
  const port = (def: number) => {
    if (u.port === "") return def
    const p = Number(u.port)
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw bad(raw, `port ${u.port} is out of range`)
    return p
  }
  const host = u.hostname.replace(/^\[|\]$/g, "")
  switch (scheme) {
    case "http":
    case "https":
      if (!host) throw bad(raw, "it has no host")
      if (u.username) throw bad(raw, "it embeds a user name; put credentials in the secret (username, password) instead")
      if (u.search || u.hash) throw bad(raw, "it has a query or fragment")
      return { protocol: scheme, url: u.href.replace(/\/+$/, ""), display }
    case "git": {
      if (!host) throw bad(raw, "it has no host")
      const path = decodeURIComponent(u.pathname)
      if (path === "/" || path === "") throw bad(raw, "it has no repository path")
      return { protocol: "git", host, port: port(9418), path, display }
    }
    case "ssh": {
      if (!host) throw bad(raw, "it has no host")
      let path = decodeURIComponent(u.pathname)
      if (path === "/" || path === "") throw bad(raw, "it has no repository path")
      if (path.startsWith("/~")) path = path.slice(1)
      return { protocol: "ssh", host, port: port(22), user: decodeURIComponent(u.username) || "git", path, display }
    }
    case "file": {
      if (host && host !== "localhost") throw bad(raw, "file URLs must name a local path (file:///path)")
      const path = decodeURIComponent(u.pathname)
      if (!isAbsolute(path)) throw bad(raw, "file URLs must name an absolute path")
      return { protocol: "file", path, display }
    }
    default:
      throw bad(raw, `unsupported scheme "${scheme}" (use https, http, ssh, git or file)`)
  }
}
