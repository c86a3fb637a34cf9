// ssh:// and scp-like URLs: one SSH connection per Git operation (ssh2, pure
// JS), an exec channel running `git-upload-pack '<path>'` per request. Key
// auth only; host keys are checked against known_hosts and refused when
// unknown or changed.
import ssh2 from "ssh2"
import type { ClientChannel, ConnectConfig } from "ssh2"
import type { GitAuth } from "../Auth.ts"
import { gitError, type GitError } from "../Errors.ts"
import { hostKeyAlgorithms, parseKnownHosts, verifyHostKey, knownHostName } from "./KnownHosts.ts"
import type { Conn } from "./Transport.ts"

const { Client, utils } = ssh2

export interface SshTarget {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly path: string
  readonly display: string
}

const supportedHostKeys = new Set(["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-dss"])

/** Single-quotes an argument for the remote shell. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** An SSH connection for one operation: `open()` makes a fresh upload-pack channel, `close()` ends it all. */
export interface SshSession {
  open(): Promise<Conn>
  close(): void
}

/** Checks the SSH settings before connecting: key readable, known_hosts present and naming the host. */
export const checkSshAuth = (t: SshTarget, auth: GitAuth): { algorithms: string[] } => {
  if (!auth.identity) throw gitError("AuthenticationFailed", `${t.display}: SSH needs a private key: the secret has no "identity"`)
  const parsed = utils.parseKey(auth.identity, auth.password)
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase|decrypt/i.test(parsed.message)
    throw gitError(
      "AuthenticationFailed",
      `${t.display}: cannot read the private key in "identity"${encrypted ? ": it is encrypted and the \"password\" is missing or wrong" : ": unsupported or malformed key"}`,
    )
  }
  if (!auth.knownHosts)
    throw gitError("UnknownHostKey", `${t.display}: the secret has no "known_hosts"; host keys are never trusted on first use`)
  const entries = parseKnownHosts(auth.knownHosts)
  const algorithms = hostKeyAlgorithms(entries, t.host, t.port).filter((a) => supportedHostKeys.has(a))
  if (algorithms.length === 0)
    throw gitError(
      "UnknownHostKey",
      `${t.display}: host ${knownHostName(t.host, t.port)} is not in known_hosts; add its key (ssh-keyscan) to the secret's known_hosts`,
    )
  return { algorithms }
}

/** Connects and authenticates; fails with UnknownHostKey, AuthenticationFailed or GitOperationFailed. */
export const connectSsh = (t: SshTarget, auth: GitAuth, timeoutMs: number): Promise<SshSession> => {
  const { algorithms } = checkSshAuth(t, auth)
  const entries = parseKnownHosts(auth.knownHosts!)
  return new Promise((resolve, reject) => {
    const client = new Client()
    let hostKeyError: GitError | undefined
    let settled = false
    const config: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      privateKey: auth.identity!,
      readyTimeout: timeoutMs,
      keepaliveInterval: 0,
      algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] },
      hostVerifier: (key: Buffer) => {
        const v = verifyHostKey(entries, t.host, t.port, key)
        if (!v.ok) hostKeyError = gitError("UnknownHostKey", `${t.display}: ${v.message}`)
        return v.ok
      },
    }
    if (auth.password !== undefined) config.passphrase = auth.password
    client.once("ready", () => {
      settled = true
      resolve({
        close: () => client.end(),
        open: () =>
          new Promise<Conn>((res, rej) => {
            client.exec(`git-upload-pack ${shellQuote(t.path)}`, (err: Error | undefined, ch: ClientChannel) => {
              if (err) return rej(gitError("GitOperationFailed", `${t.display}: cannot start git-upload-pack: ${err.message}`))
              let stderr = ""
              ch.stderr.on("data", (d: Buffer) => {
                if (stderr.length < 4096) stderr += d.toString("utf8")
              })
              res({
                readable: ch,
                write: (b) => void ch.write(b),
                end: () => void ch.end(),
                close: () => void ch.destroy(),
                stderr: () => stderr,
              })
            })
          }),
      })
    })
    client.on("error", (e: Error & { level?: string }) => {
      if (settled) return
      settled = true
      client.end()
      if (hostKeyError) return reject(hostKeyError)
      if (e.level === "client-authentication")
        return reject(gitError("AuthenticationFailed", `${t.display}: the server refused the SSH key for user "${t.user}"`))
      if (e.level === "client-timeout") return reject(gitError("GitOperationFailed", `${t.display}: SSH handshake timed out after ${timeoutMs} ms`))
      const code = (e as NodeJS.ErrnoException).code
      reject(gitError("GitOperationFailed", `${t.display}: SSH connection to ${t.host}:${t.port} failed: ${code ?? e.message}`))
    })
    client.connect(config)
  })
}
