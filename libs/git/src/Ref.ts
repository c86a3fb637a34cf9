// Which commit a GitRepository's `spec.ref` means, with Flux's precedence
// (commit > name > semver > tag > branch, default branch "master"), and the
// revision string Flux reports for it (`main@sha1:<hex>`, `sha1:<hex>`).
import semver from "semver"
import { gitError } from "./Errors.ts"

/** A GitRepository `spec.ref`. */
export interface GitRef {
  readonly branch?: string
  readonly tag?: string
  readonly semver?: string
  readonly name?: string
  readonly commit?: string
}

/** Flux's default when `spec.ref` is absent or empty. */
export const defaultBranch = "master"

/** What to fetch for a ref, once resolved against the remote's advertisement. */
export interface RefPlan {
  /** The revision's name part: "main", "v1.2.0", "refs/pull/1/head"; "" for a bare commit. */
  readonly label: string
  /** The full remote ref to fetch; undefined for a bare commit (fetch all branches). */
  readonly remoteRef?: string
  /** The commit the ref points at now (peeled for annotated tags), or the pinned commit. */
  readonly commit?: string
  /** True when the commit is pinned by `ref.commit` and must be looked up in the history. */
  readonly pinned: boolean
}

/** A remote's refs: full name -> id, annotated tags also as `<tag>^{}` -> commit. */
export type RefMap = ReadonlyMap<string, string>

const hex40 = /^[0-9a-f]{40}$/

/** Flux's revision string for a commit reached through `label`. */
export const formatRevision = (label: string, commit: string): string => (label ? `${label}@sha1:${commit}` : `sha1:${commit}`)

const peeled = (refs: RefMap, name: string): string | undefined => refs.get(`${name}^{}`) ?? refs.get(name)

const pick = (ref: GitRef | undefined) => {
  const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s.trim())
  return {
    branch: nonEmpty(ref?.branch),
    tag: nonEmpty(ref?.tag),
    semver: nonEmpty(ref?.semver),
    name: nonEmpty(ref?.name),
    commit: nonEmpty(ref?.commit)?.toLowerCase(),
  }
}

/** Checks a ref spec without the network: a bad commit id, name or semver range fails with InvalidRef. */
export const validateRef = (ref: GitRef | undefined): void => {
  const r = pick(ref)
  if (r.commit !== undefined && !hex40.test(r.commit))
    throw gitError("InvalidRef", `spec.ref.commit: "${r.commit}" is not a full 40-character SHA-1 commit id`)
  if (r.name !== undefined && (!r.name.startsWith("refs/") || /\.\.|[\s~^:?*[\\]|@\{|\/\/|\/$|\.lock$/.test(r.name)))
    throw gitError("InvalidRef", `spec.ref.name: "${r.name}" is not a full reference name like refs/heads/main or refs/pull/1/head`)
  if (r.semver !== undefined && semver.validRange(r.semver) === null)
    throw gitError("InvalidRef", `spec.ref.semver: "${r.semver}" is not a valid semver range`)
}

/** The tag with the highest version satisfying `range` among refs/tags/*, or undefined. */
export const highestSemverTag = (refs: RefMap, range: string): string | undefined => {
  let best: { tag: string; version: string } | undefined
  for (const full of refs.keys()) {
    if (!full.startsWith("refs/tags/") || full.endsWith("^{}")) continue
    const tag = full.slice("refs/tags/".length)
    const version = semver.clean(tag, { loose: true }) ?? semver.coerce(tag)?.version
    if (!version || !semver.valid(version) || !semver.satisfies(version, range)) continue
    if (!best || semver.gt(version, best.version)) best = { tag, version }
  }
  return best?.tag
}

/**
 * Resolves a ref spec against a remote's refs. A missing branch, tag, name or
 * semver match fails with RefNotFound; a malformed spec with InvalidRef.
 */
export const planRef = (ref: GitRef | undefined, refs: RefMap): RefPlan => {
  validateRef(ref)
  const r = pick(ref)
  const need = (full: string, what: string) => {
    const c = peeled(refs, full)
    if (c === undefined) throw gitError("RefNotFound", `${what} not found on the remote`)
    return c
  }
  if (r.commit !== undefined) {
    if (r.branch !== undefined) {
      need(`refs/heads/${r.branch}`, `branch "${r.branch}"`)
      return { label: r.branch, remoteRef: `refs/heads/${r.branch}`, commit: r.commit, pinned: true }
    }
    return { label: "", commit: r.commit, pinned: true }
  }
  if (r.name !== undefined) return { label: r.name, remoteRef: r.name, commit: need(r.name, `reference "${r.name}"`), pinned: false }
  if (r.semver !== undefined) {
    const tag = highestSemverTag(refs, r.semver)
    if (tag === undefined) throw gitError("RefNotFound", `no tag matches the semver range "${r.semver}"`)
    return { label: tag, remoteRef: `refs/tags/${tag}`, commit: need(`refs/tags/${tag}`, `tag "${tag}"`), pinned: false }
  }
  if (r.tag !== undefined) return { label: r.tag, remoteRef: `refs/tags/${r.tag}`, commit: need(`refs/tags/${r.tag}`, `tag "${r.tag}"`), pinned: false }
  const branch = r.branch ?? defaultBranch
  return { label: branch, remoteRef: `refs/heads/${branch}`, commit: need(`refs/heads/${branch}`, `branch "${branch}"`), pinned: false }
}
