// The public kustomize build: a kustomization directory of a file tree in, objects out.
import { accumulate, finish, findKustomization, parseYaml } from "./internal/Build.ts"
import { KustomizeError } from "./internal/Errors.ts"
import { type FileSystem, normalize } from "./internal/Fs.ts"
import type { Obj } from "./internal/Resource.ts"

/** Options of a build (none yet; kept for load restrictions and sort options). */
export interface BuildOptions {}

/** The result of a build: objects in `kubectl kustomize`'s output order. */
export interface BuildResult {
  readonly resources: Obj[]
}

/** Builds the kustomization at `path` of `fs` as `kubectl kustomize` does; throws KustomizeError. */
export const build = (fs: FileSystem, path: string, _options: BuildOptions = {}): BuildResult => {
  const dir = normalize(path)
  if (dir.startsWith("..")) throw new KustomizeError(path, "path is outside the source root")
  const acc = accumulate(fs, dir, [], false, new Set())
  // Only the top kustomization's sortOptions decide the output order.
  const file = findKustomization(fs, dir)!
  const top = parseYaml(fs.readFile(file) ?? "", file, "1.1")[0]
  return { resources: finish(acc, top?.sortOptions).map((r) => r.obj) }
}
