// Credentials for a repository, read from a Flux-style secret's data.

/** What a transport may use to authenticate; build it with `authFromSecret`. */
export interface GitAuth {
  /** HTTP basic auth. */
  readonly username?: string
  /** HTTP basic auth password; also the passphrase of an encrypted SSH `identity`. */
  readonly password?: string
  /** HTTP `Authorization: Bearer` token. */
  readonly bearerToken?: string
  /** SSH private key (PEM or OpenSSH format). */
  readonly identity?: string
  /** OpenSSH known_hosts text; SSH connections to hosts not listed are refused. */
  readonly knownHosts?: string
  /** PEM CA bundle trusted for HTTPS in addition to Node's bundled roots. */
  readonly caPem?: string
  /** Skip TLS verification (off unless set explicitly; never read from a secret). */
  readonly insecureSkipTlsVerify?: boolean
}

const text = (v: Uint8Array | string | undefined): string | undefined => {
  if (v === undefined) return undefined
  const s = typeof v === "string" ? v : Buffer.from(v).toString("utf8")
  return s === "" ? undefined : s
}

/**
 * Reads a secret's data (already base64-decoded: bytes or strings) with Flux's
 * keys: username, password, bearerToken, identity, known_hosts, ca.crt (or
 * caFile). Unknown keys (identity.pub...) are ignored.
 */
export const authFromSecret = (data: Readonly<Record<string, Uint8Array | string>>): GitAuth => {
  const out: { -readonly [K in keyof GitAuth]: GitAuth[K] } = {}
  const username = text(data["username"])
  const password = text(data["password"])
  const bearerToken = text(data["bearerToken"])
  const identity = text(data["identity"])
  const knownHosts = text(data["known_hosts"])
  const caPem = text(data["ca.crt"]) ?? text(data["caFile"])
  if (username !== undefined) out.username = username
  if (password !== undefined) out.password = password
  if (bearerToken !== undefined) out.bearerToken = bearerToken.trim()
  if (identity !== undefined) out.identity = identity
  if (knownHosts !== undefined) out.knownHosts = knownHosts
  if (caPem !== undefined) out.caPem = caPem
  return out
}
