// The two Git operations a GitRepository needs: what does the ref point at
// now (one ref advertisement, no other work), and fetch that commit into a
// per-repository cache (shallow, incremental) and hand back its tree.
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { GitAuth } from "./Auth.ts"
import { gitError, isGitError, type GitError } from "./Errors.ts"
import { formatRevision, planRef, validateRef, type GitRef, type RefPlan } from "./Ref.ts"
import { gitTree, type GitTree } from "./Tree.ts"
import { parseRepoUrl } from "./Url.ts"
import { ObjectStore, parseHeaders } from "./internal/ObjectStore.ts"
import { indexPack, writeIndex, type IndexedPack } from "./internal/Pack.ts"
import type { AdvertisedRefs } from "./internal/PktLine.ts"
import { fetchPack } from "./internal/UploadPack.ts"
import { advertisedRefs, openRemote, type NetRemote, type Remote } from "./internal/Remote.ts"

/** Where and how to reach a repository. */
export interface RemoteSpec {
  /** spec.url: https://, http://, ssh://, user@host:path, git://, file:// or an absolute path. */
  readonly url: string
  readonly auth?: GitAuth
  /** spec.timeout for the whole operation (default 60 s). */
  readonly timeoutMs?: number
}

/** What to fetch, and where to keep the cache. */
export interface FetchOptions extends RemoteSpec {
  readonly ref?: GitRef
  /** A directory owned by this repository (e.g. <cache root>/<namespace>/<name>); created if missing. */
  readonly cacheDir: string
  /** History depth; 1 (default) is a shallow fetch, 0 fetches everything. Pinned commits always fetch full history. */
  readonly depth?: number
  /** Fail with RepositoryTooLarge when the server sends more than this (default 256 MiB). */
  readonly maxFetchBytes?: number
}

/** The commit a ref points at, as Flux names it. */
export interface Revision {
  /** `main@sha1:<hex>`, `v1.0.0@sha1:<hex>`, `refs/pull/1/head@sha1:<hex>` or `sha1:<hex>`. */
  readonly revision: string
  /** The 40-hex commit id. */
  readonly commit: string
}

/** A fetched commit. */
export interface FetchResult extends Revision {
  readonly tree: GitTree
  /** False when the commit was already in the cache (nothing was downloaded). */
  readonly fetched: boolean
}

export const defaultTimeoutMs = 60_000
export const defaultMaxFetchBytes = 256 * 1024 * 1024
const maxPacks = 24

const withDeadline = async <A>(ms: number, what: string, f: () => Promise<A>, onTimeout: () => void): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout()
      reject(gitError("GitOperationFailed", `${what}: timed out after ${ms} ms`))
    }, ms)
  })
  try {
    return await Promise.race([f(), deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Any failure as a GitError: ours as is, a transport's recorded one, else GitOperationFailed. */
const asGitError = (e: unknown, remote: Remote | undefined, display: string): GitError => {
  if (isGitError(e)) return e.message.startsWith(display) ? e : gitError(e.reason, `${display}: ${e.message}`)
  const recorded = remote?.kind === "net" ? remote.failure() : undefined
  if (recorded) return recorded
  const err = e as { code?: string; data?: { statusCode?: number }; message?: string }
  if (err?.code === "HttpError" && (err.data?.statusCode === 401 || err.data?.statusCode === 403))
    return gitError("AuthenticationFailed", `${display}: the server refused the credentials (HTTP ${err.data.statusCode})`)
  return gitError("GitOperationFailed", `${display}: ${err?.message ?? String(e)}`)
}

const run = async <A>(spec: RemoteSpec, maxBytes: number, f: (remote: Remote, display: string) => Promise<A>): Promise<A> => {
  const u = parseRepoUrl(spec.url)
  const timeoutMs = spec.timeoutMs ?? defaultTimeoutMs
  let remote: Remote | undefined
  try {
    remote = openRemote(u, { auth: spec.auth ?? {}, timeoutMs, maxBytes })
    const r = remote
    return await withDeadline(timeoutMs, u.display, () => f(r, u.display), () => r.close())
  } catch (e) {
    throw asGitError(e, remote, u.display)
  } finally {
    remote?.close()
  }
}

/** The refs a remote advertises (ls-remote); annotated tags also as `<tag>^{}` -> commit. */
export const lsRemote = (spec: RemoteSpec): Promise<AdvertisedRefs> => run(spec, defaultMaxFetchBytes, (r) => advertisedRefs(r))

/**
 * What `ref` points at now, from the ref advertisement alone: the cheap poll.
 * For a pinned commit this is the pin (after checking its branch exists).
 */
export const resolveRevision = (spec: RemoteSpec & { readonly ref?: GitRef }): Promise<Revision> =>
  run(spec, defaultMaxFetchBytes, async (r) => {
    validateRef(spec.ref)
    const plan = planRef(spec.ref, (await advertisedRefs(r)).refs)
    return { revision: formatRevision(plan.label, plan.commit!), commit: plan.commit! }
  })

/** Peels an annotated tag (chain) to the object it names. */
const peel = (store: ObjectStore, oid: string): string => {
  for (let i = 0; i < 10; i++) {
    const o = store.get(oid)
    if (o?.type !== "tag") return oid
    oid = parseHeaders(o.data).get("object") ?? oid
  }
  return oid
}

/** The tree of `commit`, or undefined when the store lacks the commit. */
const treeOf = (store: ObjectStore, commit: string): string | undefined => {
  const o = store.get(commit)
  return o?.type === "commit" ? parseHeaders(o.data).get("tree") : undefined
}

/** A cache directory for one remote; wiped when the URL changes or packs pile up. */
const prepareCache = async (cacheDir: string, display: string, kind: "shallow" | "full"): Promise<string> => {
  const gitdir = join(cacheDir, kind)
  const marker = join(gitdir, "moor-remote")
  const current = await readFile(marker, "utf8").catch(() => undefined)
  let packs = 0
  if (current !== undefined) packs = (await readdir(join(gitdir, "objects", "pack")).catch(() => [])).filter((f) => f.endsWith(".pack")).length
  if (current !== display || packs > maxPacks) {
    await rm(gitdir, { recursive: true, force: true })
    await mkdir(join(gitdir, "objects", "pack"), { recursive: true })
    await writeFile(marker, display)
  }
  return gitdir
}

const readLines = async (path: string) => (await readFile(path, "utf8").catch(() => "")).split("\n").filter((l) => /^[0-9a-f]{40}$/.test(l))

/** Stores a received pack with its index; its objects stay in memory for the tree walk. */
const storePack = async (gitdir: string, store: ObjectStore, pack: Buffer, display: string) => {
  let ix: IndexedPack
  try {
    ix = indexPack(pack, (oid) => store.get(oid))
  } catch (e) {
    throw gitError("GitOperationFailed", `${display}: bad pack from the server: ${(e as Error).message}`)
  }
  const base = join(gitdir, "objects", "pack", `pack-${ix.checksum}`)
  await writeFile(`${base}.pack`, pack)
  await writeFile(`${base}.idx`, writeIndex(ix))
  store.reload()
  store.remember(ix.objects)
}

const fetchNet = async (r: NetRemote, display: string, o: FetchOptions, plan: RefPlan, adv: AdvertisedRefs): Promise<FetchResult> => {
  const gitdir = await prepareCache(o.cacheDir, display, plan.pinned ? "full" : "shallow")
  const store = new ObjectStore(gitdir)
  let commit = plan.commit!
  let tree = treeOf(store, commit)
  let fetched = false
  if (tree === undefined) {
    const depth = plan.pinned || o.depth === 0 ? undefined : (o.depth ?? 1)
    const last = (await readLines(join(gitdir, "moor-last"))).filter((h) => store.has(h))
    const shallows = await readLines(join(gitdir, "shallow"))
    const wants = plan.remoteRef
      ? [adv.refs.get(plan.remoteRef)!]
      : [...new Set([...adv.refs].filter(([k]) => k.startsWith("refs/heads/")).map(([, v]) => v))]
    const res = await fetchPack(r.http, r.url, display, { wants, haves: last, shallows, ...(depth !== undefined ? { depth } : {}), capabilities: adv.capabilities })
    fetched = true
    if (res.pack.length > 0) await storePack(gitdir, store, res.pack, display)
    const shallow = new Set(shallows)
    for (const s of res.shallow) shallow.add(s)
    for (const s of res.unshallow) shallow.delete(s)
    await writeFile(join(gitdir, "shallow"), [...shallow].join("\n") + "\n")
    if (!plan.pinned) commit = peel(store, plan.remoteRef ? wants[0]! : commit)
    tree = treeOf(store, commit)
    if (tree === undefined)
      throw gitError("RefNotFound", `${display}: commit ${commit} not found${plan.remoteRef ? ` in ${plan.remoteRef}` : " in any branch"}`)
    await writeFile(join(gitdir, "moor-last"), commit + "\n")
  }
  return { revision: formatRevision(plan.label, commit), commit, fetched, tree: gitTree(store, commit, tree) }
}

/**
 * Fetches the commit `ref` resolves to into `cacheDir` (shallow and
 * incremental; nothing is downloaded when the cache has it) and returns its
 * revision and tree. Local repositories are read in place. Fails with a GitError.
 */
export const fetchRevision = (o: FetchOptions): Promise<FetchResult> =>
  run(o, o.maxFetchBytes ?? defaultMaxFetchBytes, async (r, display) => {
    validateRef(o.ref)
    const adv = await advertisedRefs(r)
    const plan = planRef(o.ref, adv.refs)
    if (r.kind === "net") return fetchNet(r, display, o, plan, adv)
    const store = new ObjectStore(r.gitdir)
    const commit = plan.pinned ? plan.commit! : peel(store, plan.commit!)
    const tree = treeOf(store, commit)
    if (tree === undefined) throw gitError("RefNotFound", `${display}: commit ${commit} not found`)
    return { revision: formatRevision(plan.label, commit), commit, fetched: false, tree: gitTree(store, commit, tree) }
  })
