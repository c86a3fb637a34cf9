// @moor/artifact: deterministic tar.gz artifacts of a file tree, stored by
// digest in the JetStream object store with per-owner history and GC, and
// extracted back safely.
export { buildArchive, digestOf, safeArchivePath, tarOf, type Archive, type ArchiveFile } from "./Archive.ts"
export {
  ArtifactStore,
  defaultBucket,
  defaultIndexBucket,
  normalizeDigest,
  ownerKey,
  type ArtifactOwner,
  type ArtifactRef,
  type ArtifactStoreOptions,
} from "./ArtifactStore.ts"
export { extractArchive, readArchive } from "./Extract.ts"
