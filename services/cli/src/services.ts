// The services `moor run` can host. Each later issue registers its service
// here (a function from the shared context to the behaviours it hosts).
import type { Behavior } from "@moor/actors"

export interface ServiceContext {
  readonly kubeconfig: string | undefined
  readonly natsUrl: string
}

export interface ServiceDef {
  readonly name: string
  /** The kinds whose actors it hosts. */
  readonly kinds: readonly string[]
  /** Builds the behaviours; absent while the service is not built yet. */
  readonly build?: (ctx: ServiceContext) => Promise<Behavior<any>[]>
}

/** Every service of the architecture, in start order. */
export const services: readonly ServiceDef[] = [
  { name: "source", kinds: ["gitrepository", "helmrepository", "ocirepository"] },
  { name: "kustomize", kinds: ["kustomization"] },
  { name: "helm", kinds: ["helmrelease"] },
  { name: "image", kinds: ["imagerepository", "imagepolicy", "imageupdateautomation"] },
  { name: "notify", kinds: ["provider", "alert", "receiver"] },
  { name: "apply", kinds: [] },
]
