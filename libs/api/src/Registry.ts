/**
 * The registry of the Flux kinds moor serves, keyed by group/version/kind:
 * names, scope, printer columns and decoder of each, and lookups by an
 * object's apiVersion/kind or by a resource's plural.
 */
import { Result } from "effect"
import { DecodeError } from "./Decode.ts"
import type { KindInfo, PrinterColumn } from "./internal/kind.ts"
import { HelmReleaseKind } from "./helm/HelmRelease.ts"
import { ImagePolicyKind } from "./image/ImagePolicy.ts"
import { ImageRepositoryKind } from "./image/ImageRepository.ts"
import { ImageUpdateAutomationKind } from "./image/ImageUpdateAutomation.ts"
import { KustomizationKind } from "./kustomize/Kustomization.ts"
import { AlertKind } from "./notification/Alert.ts"
import { ProviderKind } from "./notification/Provider.ts"
import { ReceiverKind } from "./notification/Receiver.ts"
import { GitRepositoryKind } from "./source/GitRepository.ts"
import { HelmRepositoryKind } from "./source/HelmRepository.ts"
import { OCIRepositoryKind } from "./source/OCIRepository.ts"

export type { KindInfo, PrinterColumn }

/** Group, version and kind of an object. */
export interface GroupVersionKind {
  readonly group: string
  readonly version: string
  readonly kind: string
}

/** The registry key of a kind: "<group>/<version>/<Kind>". */
export const gvkKey = (gvk: GroupVersionKind): string => `${gvk.group}/${gvk.version}/${gvk.kind}`

/** Every kind moor serves, in a stable order (sources first). */
export const allKinds: ReadonlyArray<KindInfo<any>> = [
  GitRepositoryKind,
  OCIRepositoryKind,
  HelmRepositoryKind,
  KustomizationKind,
  HelmReleaseKind,
  ImageRepositoryKind,
  ImagePolicyKind,
  ImageUpdateAutomationKind,
  ProviderKind,
  AlertKind,
  ReceiverKind,
]

/** The kinds table, keyed by "<group>/<version>/<Kind>" (see {@link gvkKey}). */
export const kinds: Readonly<Record<string, KindInfo<any>>> = Object.fromEntries(
  allKinds.map((k) => [gvkKey(k), k]),
)

/**
 * Group, version and kind of an object from its apiVersion and kind, or
 * undefined when they are missing or malformed. The core group ("v1") has group "".
 */
export const gvkOf = (obj: unknown): GroupVersionKind | undefined => {
  if (obj === null || typeof obj !== "object") return undefined
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown }
  if (typeof apiVersion !== "string" || typeof kind !== "string" || kind === "") return undefined
  const parts = apiVersion.split("/")
  if (parts.length === 1 && parts[0] !== "") return { group: "", version: parts[0]!, kind }
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") return { group: parts[0]!, version: parts[1]!, kind }
  return undefined
}

/** The kind of an object (by apiVersion and kind), if moor serves it. */
export const kindOf = (obj: unknown): KindInfo<any> | undefined => {
  const gvk = gvkOf(obj)
  return gvk === undefined ? undefined : kinds[gvkKey(gvk)]
}

/** The kind served under a resource plural ("gitrepositories"), optionally within a group. */
export const kindByPlural = (plural: string, group?: string): KindInfo<any> | undefined =>
  allKinds.find((k) => k.plural === plural && (group === undefined || k.group === group))

/**
 * Decodes any object of a served kind, chosen by its apiVersion and kind. An
 * object of another kind fails with a DecodeError naming apiVersion/kind.
 */
export const decodeObject = (obj: unknown): Result.Result<unknown, DecodeError> => {
  const info = kindOf(obj)
  if (info !== undefined) return info.decode(obj)
  const gvk = gvkOf(obj)
  const what =
    gvk === undefined
      ? "an object without a valid apiVersion and kind"
      : `apiVersion ${JSON.stringify((obj as { apiVersion: string }).apiVersion)}, kind ${JSON.stringify(gvk.kind)}`
  return Result.fail(
    new DecodeError({ kind: gvk?.kind ?? "object", issues: [{ path: "", message: `not a kind moor serves: ${what}` }] }),
  )
}
