// OpenSSH known_hosts: plain and hashed (|1|salt|hash) host names, [host]:port
// for ports other than 22, wildcard patterns and negations, @revoked markers.
// Used to refuse unknown or changed host keys; there is no trust on first use.
import { createHmac, timingSafeEqual } from "node:crypto"

export interface KnownHostEntry {
  readonly marker: "" | "@revoked" | "@cert-authority"
  readonly patterns: readonly string[]
  readonly keyType: string
  readonly key: Buffer
}

/** Parses known_hosts text; malformed lines and comments are skipped. */
export const parseKnownHosts = (text: string): KnownHostEntry[] => {
  const out: KnownHostEntry[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const fields = line.split(/\s+/)
    let marker: KnownHostEntry["marker"] = ""
    if (fields[0] === "@revoked" || fields[0] === "@cert-authority") marker = fields.shift() as KnownHostEntry["marker"]
    const [hosts, keyType, key] = fields
    if (!hosts || !keyType || !key || !/^[A-Za-z0-9+/=]+$/.test(key)) continue
    out.push({ marker, patterns: hosts.split(","), keyType, key: Buffer.from(key, "base64") })
  }
  return out
}

/** The name known_hosts uses for host:port ("host" on 22, "[host]:port" otherwise). */
export const knownHostName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`)

const globToRegExp = (glob: string) =>
  new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "i")

const hashedMatch = (pattern: string, name: string): boolean => {
  const [, magic, salt, hash] = pattern.split("|")
  if (magic !== "1" || !salt || !hash) return false
  const want = Buffer.from(hash, "base64")
  const got = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest()
  return want.length === got.length && timingSafeEqual(want, got)
}

/** True when an entry's host patterns match `name` (and no negated pattern does). */
export const entryMatches = (e: KnownHostEntry, name: string): boolean => {
  let hit = false
  for (const p of e.patterns) {
    if (p.startsWith("|")) {
      if (hashedMatch(p, name)) hit = true
    } else if (p.startsWith("!")) {
      if (globToRegExp(p.slice(1)).test(name)) return false
    } else if (globToRegExp(p).test(name)) hit = true
  }
  return hit
}

/** The outcome of checking a host key. */
export type HostKeyVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly why: "unknown" | "changed" | "revoked"; readonly message: string }

/** Checks a server's public key blob (SSH wire format) for host:port against known_hosts. */
export const verifyHostKey = (entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict => {
  const name = knownHostName(host, port)
  const mine = entries.filter((e) => e.marker !== "@cert-authority" && entryMatches(e, name))
  if (mine.some((e) => e.marker === "@revoked" && e.key.equals(key)))
    return { ok: false, why: "revoked", message: `the host key of ${name} is marked @revoked in known_hosts` }
  const known = mine.filter((e) => e.marker === "")
  if (known.some((e) => e.key.equals(key))) return { ok: true }
  if (known.length === 0)
    return { ok: false, why: "unknown", message: `host ${name} is not in known_hosts; add its key (ssh-keyscan) to the secret's known_hosts` }
  return {
    ok: false,
    why: "changed",
    message: `the host key of ${name} does not match known_hosts (it changed, or someone is intercepting the connection); refusing to connect`,
  }
}

/** Host-key algorithms to offer for host:port, from the key types known_hosts lists for it. */
export const hostKeyAlgorithms = (entries: readonly KnownHostEntry[], host: string, port: number): string[] => {
  const name = knownHostName(host, port)
  const types = new Set<string>()
  for (const e of entries) if (e.marker === "" && entryMatches(e, name)) types.add(e.keyType)
  const out: string[] = []
  for (const t of types) {
    if (t === "ssh-rsa") out.push("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")
    else out.push(t)
  }
  return out
}
