// One remote for one operation: the http plugin isomorphic-git should use
// (real HTTP, or our translation for git:// and ssh), the URL to give it, and
// the ref advertisement (ls-remote). Local repositories are read in place.
import fs from "node:fs"
import { join } from "node:path"
import git from "isomorphic-git"
import type { GitAuth } from "../Auth.ts"
import { gitError, isGitError, type GitError } from "../Errors.ts"
import type { RepoUrl } from "../Url.ts"
import { openDaemon } from "./Daemon.ts"
import { parseAdvertisement, PktReader, type AdvertisedRefs } from "./PktLine.ts"
import { connectSsh, type SshSession } from "./Ssh.ts"
import { httpPlugin, limitPlugin, streamPlugin, type HttpPlugin } from "./Transport.ts"

export interface RemoteOptions {
  readonly auth: GitAuth
  readonly timeoutMs: number
  readonly maxBytes: number
}

/** A remote reached over the network, for the duration of one operation. */
export interface NetRemote {
  readonly kind: "net"
  /** The URL isomorphic-git is given (a placeholder for git:// and ssh). */
  readonly url: string
  readonly http: HttpPlugin
  readonly display: string
  /** The first error a transport recorded (isomorphic-git may wrap thrown ones). */
  failure(): GitError | undefined
  close(): void
}

/** A repository on the local file system, read in place. */
export interface LocalRemote {
  readonly kind: "local"
  readonly gitdir: string
  readonly display: string
  close(): void
}

export type Remote = NetRemote | LocalRemote

/** Finds the git directory of a local repository (bare, or with a .git directory). */
const localGitdir = (path: string, display: string): string => {
  for (const dir of [join(path, ".git"), path]) {
    try {
      if (fs.statSync(join(dir, "HEAD")).isFile() && fs.statSync(join(dir, "objects")).isDirectory()) return dir
    } catch {
      // not this one
    }
  }
  throw gitError("GitOperationFailed", `${display}: no Git repository at ${path}`)
}

/** Prepares a remote; SSH connects lazily on the first request. */
export const openRemote = (u: RepoUrl, o: RemoteOptions): Remote => {
  if (u.protocol === "file") return { kind: "local", gitdir: localGitdir(u.path, u.display), display: u.display, close: () => {} }
  let failure: GitError | undefined
  const record = (e: GitError) => void (failure ??= e)
  const wrap = (inner: HttpPlugin): HttpPlugin =>
    limitPlugin(
      {
        request: async (req) => {
          try {
            return await inner.request(req)
          } catch (e) {
            if (isGitError(e)) record(e)
            throw e
          }
        },
      },
      o.maxBytes,
      u.display,
      record,
    )
  if (u.protocol === "http" || u.protocol === "https") {
    if (u.protocol === "http" && (o.auth.bearerToken !== undefined || o.auth.password !== undefined) && !isLoopback(u.url))
      throw gitError("InvalidURL", `${u.display}: refusing to send credentials over plain http; use https`)
    const plugin = httpPlugin({ auth: o.auth, timeoutMs: o.timeoutMs })
    return { kind: "net", url: u.url, http: wrap(plugin), display: u.display, failure: () => failure, close: () => plugin.close() }
  }
  if (u.protocol === "git") {
    const plugin = streamPlugin(() => openDaemon(u, o.timeoutMs), u.display)
    return { kind: "net", url: "http://git-daemon.invalid/repo", http: wrap(plugin), display: u.display, failure: () => failure, close: () => {} }
  }
  if (u.protocol !== "ssh") throw gitError("InvalidURL", `${u.display}: unsupported protocol`)
  const target = u
  let session: Promise<SshSession> | undefined
  const plugin = streamPlugin(async () => (await (session ??= connectSsh(target, o.auth, o.timeoutMs))).open(), u.display)
  return {
    kind: "net",
    url: "http://ssh.invalid/repo",
    http: wrap(plugin),
    display: u.display,
    failure: () => failure,
    close: () => void session?.then((s) => s.close(), () => undefined),
  }
}

const isLoopback = (url: string) => {
  const h = new URL(url).hostname
  return h === "localhost" || h.startsWith("127.") || h === "[::1]"
}

/** The remote's refs (ls-remote): one GET of info/refs, or a read of a local repository's refs. */
export const advertisedRefs = async (r: Remote): Promise<AdvertisedRefs> => {
  if (r.kind === "local") return localRefs(r)
  const res = await r.http.request({ url: `${r.url}/info/refs?service=git-upload-pack`, method: "GET", headers: { accept: "*/*" } })
  if (res.statusCode === 401 || res.statusCode === 403) {
    await drain(res.body)
    throw gitError("AuthenticationFailed", `${r.display}: the server refused the credentials (HTTP ${res.statusCode})`)
  }
  if (res.statusCode === 404) {
    await drain(res.body)
    throw gitError("GitOperationFailed", `${r.display}: repository not found (HTTP 404)`)
  }
  if (res.statusCode !== 200) {
    await drain(res.body)
    throw gitError("GitOperationFailed", `${r.display}: HTTP ${res.statusCode} ${res.statusMessage} from the server`)
  }
  const type = res.headers["content-type"] ?? ""
  if (!type.startsWith("application/x-git-upload-pack-advertisement")) {
    await drain(res.body)
    throw gitError("GitOperationFailed", `${r.display}: the server does not speak Git's smart HTTP protocol (content-type "${type}")`)
  }
  try {
    return await parseAdvertisement(new PktReader(res.body))
  } catch (e) {
    if (isGitError(e)) throw e
    throw gitError("GitOperationFailed", `${r.display}: ${(e as Error).message}`)
  }
}

const drain = async (body: AsyncIterable<Uint8Array>) => {
  try {
    for await (const _ of body);
  } catch {
    // the status says enough
  }
}

const localRefs = async (r: LocalRemote): Promise<AdvertisedRefs> => {
  const refs = new Map<string, string>()
  const symrefs = new Map<string, string>()
  const add = async (full: string) => {
    const oid = await git.resolveRef({ fs, gitdir: r.gitdir, ref: full })
    refs.set(full, oid)
    if (full.startsWith("refs/tags/")) {
      const { type } = await git.readObject({ fs, gitdir: r.gitdir, oid, format: "deflated" }).catch(() => ({ type: "" }))
      if (type === "tag") {
        let target = oid
        for (let i = 0; i < 10; i++) {
          const t = await git.readTag({ fs, gitdir: r.gitdir, oid: target })
          target = t.tag.object
          if (t.tag.type !== "tag") break
        }
        refs.set(`${full}^{}`, target)
      }
    }
  }
  try {
    for (const name of await git.listRefs({ fs, gitdir: r.gitdir, filepath: "refs" })) await add(`refs/${name}`)
    const head = await git.resolveRef({ fs, gitdir: r.gitdir, ref: "HEAD", depth: 1 }).catch(() => undefined)
    if (head?.startsWith("refs/")) symrefs.set("HEAD", head)
  } catch (e) {
    throw gitError("GitOperationFailed", `${r.display}: cannot read refs: ${(e as Error).message}`)
  }
  return { refs, symrefs, capabilities: new Set() }
}
