// @moor/git: fetch a GitRepository's ref into a per-repository cache with
// isomorphic-git over smart HTTP(S), git://, ssh and local paths (no git CLI),
// resolve refs as Flux does, and read the commit's tree safely with
// .sourceignore rules applied.
export { authFromSecret, type GitAuth } from "./Auth.ts"
export { GitError, GitErrorReason, isGitError } from "./Errors.ts"
export { GitClient } from "./GitClient.ts"
export { defaultBranch, formatRevision, highestSemverTag, planRef, validateRef, type GitRef, type RefPlan } from "./Ref.ts"
export {
  defaultMaxFetchBytes,
  defaultTimeoutMs,
  fetchRevision,
  lsRemote,
  resolveRevision,
  type FetchOptions,
  type FetchResult,
  type RemoteSpec,
  type Revision,
} from "./Repository.ts"
export { compilePatterns, defaultExcludes, IgnoreMatcher, sourceIgnoreFile } from "./SourceIgnore.ts"
export { defaultMaxTreeBytes, type GitTree, type TreeFile, type TreeOptions } from "./Tree.ts"
export { parseRepoUrl, type RepoUrl } from "./Url.ts"
export type { AdvertisedRefs } from "./internal/PktLine.ts"
