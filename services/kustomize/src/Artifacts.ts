// The file trees Kustomizations build from, read once per artifact digest and shared: 1,000
// Kustomizations on one GitRepository would otherwise each fetch the artifact and write every
// file of it to disk, which made the cold start quadratic in the size of the repository.
// Digests name content, so a cached tree never goes stale. An archive with symbolic links is
// extracted to disk per build as before (diskFs resolves links and keeps them inside the tree).
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { extractArchive, readArchive, type ArtifactStore } from "@moor/artifact"
import { diskFs, memoryFs, type FileSystem } from "@moor/kustomize"

export interface Tree {
  readonly fs: FileSystem
  /** Releases the tree (removes a temporary extraction). */
  close(): Promise<void>
}

type Entry = { readonly files: Readonly<Record<string, string>> } | { readonly bytes: Uint8Array }

export class ArtifactTrees {
  private readonly cache = new Map<string, Promise<Entry | undefined>>()
  private readonly store: ArtifactStore
  private readonly max: number

  constructor(store: ArtifactStore, max = 16) {
    this.store = store
    this.max = max
  }

  /** The tree of the artifact `digest`, or undefined when the store does not have it. */
  async open(digest: string): Promise<Tree | undefined> {
    let p = this.cache.get(digest)
    if (p) {
      // Most recently used last.
      this.cache.delete(digest)
      this.cache.set(digest, p)
    } else {
      p = this.load(digest)
      this.cache.set(digest, p)
      while (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!)
    }
    let e: Entry | undefined
    try {
      e = await p
    } catch (err) {
      this.cache.delete(digest)
      throw err
    }
    if (!e) {
      this.cache.delete(digest)
      return undefined
    }
    if ("files" in e) return { fs: memoryFs(e.files), close: async () => undefined }
    const dir = await mkdtemp(join(tmpdir(), "moor-ks-"))
    try {
      await extractArchive(e.bytes, dir)
      return { fs: diskFs(dir), close: () => rm(dir, { recursive: true, force: true }) }
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      throw err
    }
  }

  private async load(digest: string): Promise<Entry | undefined> {
    const bytes = await this.store.get(digest)
    if (!bytes) return undefined
    const files = readArchive(bytes)
    if (files.some((f) => f.kind === "symlink")) return { bytes }
    return { files: Object.fromEntries(files.map((f) => [f.path, Buffer.from(f.data).toString("utf8")])) }
  }
}
