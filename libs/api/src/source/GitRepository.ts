/**
 * GitRepository, source.toolkit.fluxcd.io/v1: a Git repository whose
 * revision is fetched and packed as an artifact.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration, ShortDuration } from "../Duration.ts"
import {
  Artifact,
  LocalObjectReference,
  ObjectMeta,
  observedGeneration,
  reconcileRequestStatus,
  withStatusDefault,
} from "../Meta.ts"
import { Pattern, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"

/** The Git reference to check out; the most specific field set wins (commit > name > semver > tag > branch). */
export const GitRepositoryRef = Schema.Struct({
  branch: opt(Schema.String),
  tag: opt(Schema.String),
  semver: opt(Schema.String),
  name: opt(Schema.String),
  commit: opt(Schema.String),
})
export type GitRepositoryRef = typeof GitRepositoryRef.Type

/** Another GitRepository whose artifact is copied into this one's. */
export const GitRepositoryInclude = Schema.Struct({
  repository: LocalObjectReference,
  fromPath: opt(Schema.String),
  toPath: opt(Schema.String),
})

const VerificationMode = Schema.Literals(["head", "HEAD", "Tag", "TagAndHEAD"])

/** Commit or tag signature verification. */
export const GitRepositoryVerification = Schema.Struct({
  // Default "HEAD" (Flux CRD default).
  mode: withDefault(VerificationMode, "HEAD", "crd"),
  secretRef: LocalObjectReference,
})

/** GitRepository `.spec`. */
export const GitRepositorySpec = Schema.Struct({
  // Flux accepts http, https and ssh; moor also fetches git:// (git daemon),
  // file:// and local paths, and scp-like user@host:path, so its CRD is wider.
  url: Pattern(
    /^((http|https|ssh|git|file):\/\/.*|\/.*|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.*)$/,
    'Expected a Git URL such as "https://github.com/org/repo", "ssh://git@host/org/repo", "git@host:org/repo", "git://host/repo" or "file:///srv/repo"',
  ).pipe(
    doc("URL of the Git repository: http(s), ssh (or scp-like), git:// or file://."),
  ),
  secretRef: opt(LocalObjectReference),
  // Default "generic" (Flux controller default, GetProvider).
  provider: withDefault(Schema.Literals(["generic", "aws", "azure", "github"]), "generic", "controller"),
  serviceAccountName: opt(Schema.String),
  interval: Duration.pipe(doc("How often to check the repository for new revisions.")),
  // Default "60s" (Flux CRD default).
  timeout: withDefault(ShortDuration, "60s", "crd"),
  // Default branch "master" when no ref is given (Flux controller default).
  ref: withDefault(GitRepositoryRef, { branch: "master" }, "controller"),
  verify: opt(GitRepositoryVerification),
  proxySecretRef: opt(LocalObjectReference),
  ignore: opt(Schema.String),
  suspend: bool(),
  recurseSubmodules: bool(),
  include: opt(Schema.Array(GitRepositoryInclude)),
  sparseCheckout: opt(Schema.Array(Schema.String)),
}).check(
  // Flux's CEL rule on the spec.
  Schema.makeFilter((s) =>
    s.serviceAccountName !== undefined && s.provider !== "azure" && s.provider !== "aws"
      ? { path: ["serviceAccountName"], issue: "serviceAccountName can only be set when provider is 'azure' or 'aws'" }
      : undefined,
  ),
)
export type GitRepositorySpec = typeof GitRepositorySpec.Type

/** GitRepository `.status`. */
export const GitRepositoryStatus = Schema.Struct({
  observedGeneration,
  conditions: opt(Conditions),
  artifact: opt(Artifact),
  includedArtifacts: opt(Schema.Array(Artifact)),
  observedIgnore: opt(Schema.String),
  observedRecurseSubmodules: opt(Schema.Boolean),
  observedInclude: opt(Schema.Array(GitRepositoryInclude)),
  observedSparseCheckout: opt(Schema.Array(Schema.String)),
  sourceVerificationMode: opt(VerificationMode),
  ...reconcileRequestStatus,
})
export type GitRepositoryStatus = typeof GitRepositoryStatus.Type

/** A GitRepository object. */
export const GitRepository = Schema.Struct({
  apiVersion: Schema.Literal("source.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("GitRepository"),
  metadata: ObjectMeta,
  spec: GitRepositorySpec,
  status: withStatusDefault(GitRepositoryStatus),
})
export type GitRepository = typeof GitRepository.Type

/** Registry entry of GitRepository. */
export const GitRepositoryKind = defineKind({
  group: "source.toolkit.fluxcd.io",
  version: "v1",
  kind: "GitRepository",
  plural: "gitrepositories",
  shortNames: ["gitrepo"],
  categories: ["fluxcd", "fluxcd-sources"],
  statusSubresource: true,
  printerColumns: [{ name: "URL", type: "string", jsonPath: ".spec.url" }, AgeColumn, ReadyColumn, StatusColumn],
  description: "GitRepository is the Schema for the gitrepositories API.",
  schema: GitRepository,
})

/** Decodes a GitRepository; the error names each bad field's path. */
export const decodeGitRepository = GitRepositoryKind.decode
