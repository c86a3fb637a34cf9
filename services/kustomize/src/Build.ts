// What a Kustomization applies, from a directory: Flux's build (fluxBuild with
// the spec's generator fields) then postBuild substitution (substituteFrom in
// order, the inline substitute on top), for the CLI's `moor build` / `moor diff`,
// which print what would be applied. The actor builds with the same spec fields
// (fluxBuildSpec) and leaves substitution to the apply actor, after decryption.
import type { KubeObject } from "@moor/kube"
import { fluxBuild, substituteObjects, type FileSystem } from "@moor/kustomize"

/** Looks up a ConfigMap or Secret of substituteFrom in the Kustomization's namespace. */
export type VarSource = (kind: "ConfigMap" | "Secret", namespace: string, name: string) => Promise<KubeObject | undefined>

/** A build failure with Flux's condition reason (BuildFailed) and a message naming the cause. */
export class BuildError extends Error {
  override readonly name = "BuildError"
  readonly reason = "BuildFailed"
}

/** The Kustomization spec fields fluxBuild applies on top of the directory's own kustomization. */
export const fluxBuildSpec = (spec: Record<string, any>) => ({
  ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
  ...(spec.namePrefix ? { namePrefix: spec.namePrefix } : {}),
  ...(spec.nameSuffix ? { nameSuffix: spec.nameSuffix } : {}),
  ...(spec.patches ? { patches: spec.patches } : {}),
  ...(spec.images ? { images: spec.images } : {}),
  ...(spec.commonMetadata ? { commonMetadata: spec.commonMetadata } : {}),
})

/**
 * Builds `path` of `fs` as the Kustomization `k` would (spec fields; its namespace for
 * substituteFrom). The objects come in the build's order. Throws BuildError.
 */
export const buildKustomization = async (fs: FileSystem, path: string, k: { metadata: { namespace?: string }; spec: Record<string, any> }, vars: VarSource): Promise<KubeObject[]> => {
  const spec = k.spec
  const ns = k.metadata.namespace ?? "default"
  let objects: KubeObject[]
  try {
    objects = fluxBuild(fs, path, fluxBuildSpec(spec)).resources as KubeObject[]
  } catch (e) {
    throw new BuildError(`kustomize build failed: ${(e as Error).message}`)
  }
  const values: Record<string, string> = {}
  for (const ref of (spec.postBuild?.substituteFrom ?? []) as { kind: "ConfigMap" | "Secret"; name: string; optional?: boolean }[]) {
    const src = await vars(ref.kind, ns, ref.name)
    if (!src) {
      if (ref.optional) continue
      throw new BuildError(`substitute from '${ref.kind}/${ref.name}' error: ${ref.kind} ${ns}/${ref.name} not found`)
    }
    for (const [key, v] of Object.entries((src.data ?? {}) as Record<string, string>)) values[key] = ref.kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v
  }
  Object.assign(values, spec.postBuild?.substitute ?? {})
  try {
    // In place, so the build's order (and the inventory's) stays as built; opted-out objects are kept.
    return substituteObjects(objects, values) as KubeObject[]
  } catch (e) {
    throw new BuildError(`kustomize build failed: ${(e as Error).message}`)
  }
}
