// Typed failures of Git operations, each with the condition reason a
// GitRepository reports. Messages never carry a password, token or key.
import { Schema } from "effect"

/** The condition reasons a Git operation can fail with. */
export const GitErrorReason = Schema.Literals([
  "GitOperationFailed", // unreachable host, network, protocol or server error
  "AuthenticationFailed", // wrong or missing credentials, unusable key
  "UnknownHostKey", // the SSH host key is not in known_hosts, or changed
  "RefNotFound", // branch, tag, name, commit or semver match missing
  "InvalidURL", // malformed or unsupported URL
  "InvalidRef", // a malformed ref spec (bad semver range, bad commit id)
  "RepositoryTooLarge", // the fetched pack or tree exceeds a size limit
  "UnsafePath", // a tree path with "..", absolute, or a symlink leaving the tree
])
export type GitErrorReason = typeof GitErrorReason.Type

/**
 * A failed Git operation. `stalled` is true when retrying cannot help until
 * the spec changes (InvalidURL, InvalidRef); everything else may succeed on a
 * later try (network, credentials rotated, branch pushed, new commit).
 */
export class GitError extends Schema.TaggedError<GitError>()("GitError", {
  reason: GitErrorReason,
  message: Schema.String,
  stalled: Schema.Boolean,
}) {}

const stalledReasons: ReadonlySet<GitErrorReason> = new Set(["InvalidURL", "InvalidRef"])

/** A GitError with `stalled` derived from the reason. */
export const gitError = (reason: GitErrorReason, message: string): GitError =>
  new GitError({ reason, message, stalled: stalledReasons.has(reason) })

/** True for a GitError (also across module copies, by tag). */
export const isGitError = (e: unknown): e is GitError =>
  e instanceof GitError || (typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "GitError")
