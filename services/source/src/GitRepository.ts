// The GitRepository actor: poll (or on request) the repository's ref, and
// when it points at a new commit, fetch it, archive the tree deterministically,
// store the archive in the object store and report it in .status, as Flux's
// source-controller does. Steps: decode -> progressing -> auth -> resolve ->
// (same revision: done) -> fetch -> archive -> store -> status + event.
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { serialRuns, Stalled, Transient, type Behavior, type RunContext } from "@moor/actors"
import { decodeGitRepository, orThrow, parseDuration, type GitRepository } from "@moor/api"
import { buildArchive, type ArtifactStore } from "@moor/artifact"
import { authFromSecret, fetchRevision, isGitError, resolveRevision, type GitAuth } from "@moor/git"
import { KubeError, type KubeClient, type ResourceRef } from "@moor/kube"
import { failed, progressing, sameJson, succeeded, type Status } from "./GitRepositoryStatus.ts"

export interface GitRepositoryDeps {
  readonly kube: KubeClient
  /** The gitrepositories resource and core/v1 secrets, from discovery. */
  readonly gitRepositories: ResourceRef
  readonly secrets: ResourceRef
  readonly store: ArtifactStore
  /** Where per-repository Git caches live. */
  readonly cacheRoot: string
  /** Artifacts kept per repository (the current one and older ones). */
  readonly keepArtifacts?: number
}

/** A failure on its way to the status: a condition reason and message, and whether only a spec change helps. */
interface Failure {
  readonly reason: string
  readonly message: string
  readonly stalled: boolean
}

const asFailure = (e: unknown): Failure => {
  if (isGitError(e)) return { reason: e.reason, message: e.message, stalled: e.stalled }
  if (e instanceof KubeError) return { reason: "StorageOperationFailed", message: `Kubernetes API: ${e.message}`, stalled: false }
  return { reason: "GitOperationFailed", message: (e as Error)?.message ?? String(e), stalled: false }
}

const dec = (s: string) => Uint8Array.from(Buffer.from(s, "base64"))

/** The artifact's path as Flux names it: <kind>/<namespace>/<name>/<hex>.tar.gz. */
export const artifactPath = (ns: string, name: string, digest: string) => `gitrepository/${ns}/${name}/${digest.replace(/^sha256:/, "")}.tar.gz`

export const gitRepositoryBehavior = (deps: GitRepositoryDeps): Behavior<GitRepository> => {
  // The status this replica last wrote per key: the informer's copy may lag our own write.
  const written = new Map<string, Status>()
  const keep = deps.keepArtifacts ?? 3

  const patch = async (obj: GitRepository, id: string, prev: Status, next: Status) => {
    if (sameJson(prev, next)) return
    // JSON merge patch: keys that disappeared are sent as null.
    const body: Record<string, unknown> = { ...next }
    for (const k of Object.keys(prev)) if (!(k in next)) body[k] = null
    await deps.kube.patchStatus(deps.gitRepositories, obj.metadata.namespace, obj.metadata.name, body)
    written.set(id, next)
  }

  const secretAuth = async (obj: GitRepository): Promise<GitAuth | undefined> => {
    const ref = obj.spec.secretRef
    if (!ref) return undefined
    try {
      const s = await deps.kube.get(deps.secrets, obj.metadata.namespace, ref.name)
      const data = Object.fromEntries(Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [k, dec(v)]))
      return authFromSecret(data)
    } catch (e) {
      if (e instanceof KubeError && e.code === 404)
        throw Object.assign(new Error(`failed to get secret '${obj.metadata.namespace}/${ref.name}': secret not found`), { reason: "AuthenticationFailed" })
      throw e
    }
  }

  const reconcile = async (ctx: RunContext<GitRepository>): Promise<void> => {
    const obj = ctx.spec
    const ns = obj.metadata.namespace ?? ""
    const name = obj.metadata.name
    const id = `${ns}/${name}`
    const generation = ctx.generation
    const token = obj.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"]
    let status: Status = written.get(id) ?? ((obj.status ?? {}) as Status)
    const now = () => new Date()
    if (status.observedGeneration !== generation) {
      const next = progressing(status, generation, now())
      await patch(obj, id, status, next)
      status = next
    }
    try {
      const auth = await secretAuth(obj)
      const timeoutMs = parseDuration(obj.spec.timeout ?? "60s")
      const remote = { url: obj.spec.url, ...(obj.spec.ref ? { ref: obj.spec.ref } : {}), ...(auth ? { auth } : {}), timeoutMs }
      const rev = await resolveRevision(remote)
      const cur = status.artifact
      const ignore = obj.spec.ignore
      if (
        cur?.revision === rev.revision &&
        cur.digest !== undefined &&
        status.observedGeneration === generation &&
        status.observedIgnore === ignore &&
        (await deps.store.has(cur.digest))
      ) {
        // Same commit, same rules, artifact still stored: nothing to do, nothing to publish.
        const next = succeeded(status, { generation, artifact: cur, ignore, requestToken: token }, now())
        await patch(obj, id, status, next)
        return
      }
      const fetched = await fetchRevision({ ...remote, cacheDir: join(deps.cacheRoot, ns, name) })
      const archive = await buildArchive(fetched.tree.files(ignore === undefined ? {} : { ignore }))
      const owner = { kind: "gitrepository", namespace: ns, name }
      await deps.store.put(owner, archive.bytes, fetched.revision)
      await deps.store.gc(owner, keep)
      const artifact = {
        path: artifactPath(ns, name, archive.digest),
        url: `nats://${deps.store.bucket}/${archive.digest}`,
        revision: fetched.revision,
        digest: archive.digest,
        lastUpdateTime: now().toISOString(),
        size: archive.size,
      }
      const changed = cur?.digest !== artifact.digest || cur?.revision !== artifact.revision
      await patch(obj, id, status, succeeded(status, { generation, artifact: changed ? artifact : cur!, ignore, requestToken: token }, now()))
      if (changed)
        ctx.event({
          reason: "ArtifactUpdated",
          message: `stored artifact for revision '${artifact.revision}' (${archive.files} files, ${archive.size} bytes)`,
          metadata: { revision: artifact.revision, digest: artifact.digest },
        })
    } catch (e) {
      const f = (e as { reason?: string }).reason && !isGitError(e) ? { reason: (e as { reason: string }).reason, message: (e as Error).message, stalled: false } : asFailure(e)
      await patch(obj, id, status, failed(status, { generation, ...f, requestToken: token }, now())).catch(() => undefined)
      throw f.stalled ? new Stalled({ reason: f.reason, message: f.message }) : new Transient({ reason: f.reason, message: f.message })
    }
  }

  return {
    kind: "gitrepository",
    kindName: "GitRepository",
    apiVersion: "source.toolkit.fluxcd.io/v1",
    decode: orThrow(decodeGitRepository),
    intervalMs: (o) => parseDuration(o.spec.interval),
    // Git's own deadline is spec.timeout; archiving and storing get as long again.
    timeoutMs: (o) => 2 * parseDuration(o.spec.timeout ?? "60s") + 10_000,
    suspended: (o) => o.spec.suspend === true,
    // One run of a GitRepository at a time, also when the host interrupts one (see serialRuns).
    run: serialRuns(reconcile),
    // A deleted GitRepository's artifacts and cache go with it (objects another owner lists stay).
    deleted: async (key) => {
      written.delete(`${key.namespace}/${key.name}`)
      await deps.store.forget({ kind: "gitrepository", namespace: key.namespace, name: key.name })
      await rm(join(deps.cacheRoot, key.namespace, key.name), { recursive: true, force: true })
    },
  }
}
