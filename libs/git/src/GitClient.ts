// The Effect face of @moor/git: a service whose methods fail with GitError.
import { Context, Effect, Layer } from "effect"
import { GitError, isGitError } from "./Errors.ts"
import { fetchRevision, lsRemote, resolveRevision, type FetchOptions, type FetchResult, type RemoteSpec, type Revision } from "./Repository.ts"
import type { GitRef } from "./Ref.ts"
import type { AdvertisedRefs } from "./internal/PktLine.ts"

const lift = <A>(f: () => Promise<A>): Effect.Effect<A, GitError> =>
  Effect.tryPromise({
    try: f,
    catch: (e) => (isGitError(e) ? (e as GitError) : new GitError({ reason: "GitOperationFailed", message: String(e), stalled: false })),
  })

/** Git operations as Effects (a test may swap the layer for one over another real backend). */
export class GitClient extends Context.Service<
  GitClient,
  {
    readonly lsRemote: (spec: RemoteSpec) => Effect.Effect<AdvertisedRefs, GitError>
    readonly resolveRevision: (spec: RemoteSpec & { readonly ref?: GitRef }) => Effect.Effect<Revision, GitError>
    readonly fetchRevision: (options: FetchOptions) => Effect.Effect<FetchResult, GitError>
  }
>()("moor/git/GitClient") {
  /** The real client: isomorphic-git and our transports. */
  static layer = Layer.succeed(GitClient, {
    lsRemote: Effect.fn("GitClient.lsRemote")(function* (spec: RemoteSpec) {
      return yield* lift(() => lsRemote(spec))
    }),
    resolveRevision: Effect.fn("GitClient.resolveRevision")(function* (spec: RemoteSpec & { readonly ref?: GitRef }) {
      return yield* lift(() => resolveRevision(spec))
    }),
    fetchRevision: Effect.fn("GitClient.fetchRevision")(function* (options: FetchOptions) {
      return yield* lift(() => fetchRevision(options))
    }),
  })
}
