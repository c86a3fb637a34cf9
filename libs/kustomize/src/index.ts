// @moor/kustomize: a kustomize build of our own (kustomize v5 semantics, no remote bases,
// no plugins) plus Flux's behaviour on top: builds without a kustomization.yaml, the
// Kustomization spec's overlays and postBuild variable substitution. Pure functions over a
// read-only file tree.
export { build, type BuildOptions, type BuildResult } from "./Build.ts"
export { KustomizeError } from "./internal/Errors.ts"
export { type DirEntry, diskFs, type FileSystem, memoryFs } from "./internal/Fs.ts"
export { toYaml } from "./Yaml.ts"
export { type FluxSpec, fluxBuild, listManifests } from "./Flux.ts"
export { substitute, substituteObjects, SubstituteError, type SubstituteOptions } from "./Substitute.ts"
