// postBuild variable substitution on the apply side, after decryption, as
// Flux orders it (decrypt, then substitute). ConfigMap variables arrive in the
// request; Secret variables are read here, on this actor's own cluster, so
// their values never travel in a bundle or a message.
import type { KubeClient, KubeObject } from "@moor/kube"
import { substituteObjects } from "@moor/kustomize"
import type { ApplyBundle } from "@moor/protocol"
import { ApplyFailure } from "./Errors.ts"

/** The variables in Flux's order (later sources win, inline over all) and the values read from Secrets. */
export const resolveVariables = async (kube: KubeClient, namespace: string, pb: NonNullable<ApplyBundle["postBuild"]>): Promise<{ vars: Record<string, string>; secretValues: string[] }> => {
  const vars: Record<string, string> = {}
  const secretValues: string[] = []
  for (const src of pb.substituteFrom) {
    if (src.kind === "ConfigMap") {
      Object.assign(vars, src.data)
      continue
    }
    const s = await kube.find(await kube.resource("v1", "Secret"), namespace, src.name)
    if (!s) {
      if (src.optional) continue
      throw new ApplyFailure("BuildFailed", `substitute from 'Secret/${src.name}' error: Secret ${namespace}/${src.name} not found`)
    }
    for (const [k, v] of Object.entries((s.data ?? {}) as Record<string, string>)) {
      vars[k] = Buffer.from(v, "base64").toString("utf8")
      secretValues.push(vars[k]!)
    }
  }
  Object.assign(vars, pb.substitute)
  return { vars, secretValues }
}

/** Substitutes each object in place (the build's order, and the inventory's, stays); opted-out objects are kept. */
export const substitute = (objects: ReadonlyArray<KubeObject>, vars: Readonly<Record<string, string>>): KubeObject[] => {
  try {
    return substituteObjects(objects, vars) as KubeObject[]
  } catch (e) {
    throw new ApplyFailure("BuildFailed", `post-build substitutions failed: ${(e as Error).message}`)
  }
}
