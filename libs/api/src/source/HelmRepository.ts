/**
 * HelmRepository, source.toolkit.fluxcd.io/v1: a Helm chart repository,
 * an HTTP(S) index or an OCI registry.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration, ShortDuration } from "../Duration.ts"
import {
  AccessFrom,
  Artifact,
  LocalObjectReference,
  ObjectMeta,
  observedGeneration,
  reconcileRequestStatus,
  withStatusDefault,
} from "../Meta.ts"
import { Pattern, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"

/** HelmRepository `.spec`. */
export const HelmRepositorySpec = Schema.Struct({
  url: Pattern(/^(http|https|oci):\/\/.*$/, 'Expected an http, https or oci URL such as "https://charts.example.com"').pipe(
    doc("URL of the Helm repository."),
  ),
  secretRef: opt(LocalObjectReference),
  certSecretRef: opt(LocalObjectReference),
  passCredentials: bool(),
  // Default "1m" (Flux controller default, GetRequeueAfter); optional in Flux's CRD.
  interval: withDefault(Duration, "1m", "controller"),
  insecure: bool(),
  // Default "60s" (Flux controller default, GetTimeout).
  timeout: withDefault(ShortDuration, "60s", "controller"),
  suspend: bool(),
  accessFrom: opt(AccessFrom),
  // Default "default", an HTTP(S) index (Flux controller default).
  type: withDefault(Schema.Literals(["default", "oci"]), "default", "controller"),
  // Default "generic" (Flux CRD default).
  provider: withDefault(Schema.Literals(["generic", "aws", "azure", "gcp"]), "generic", "crd"),
})
export type HelmRepositorySpec = typeof HelmRepositorySpec.Type

/** HelmRepository `.status`. */
export const HelmRepositoryStatus = Schema.Struct({
  observedGeneration,
  conditions: opt(Conditions),
  url: opt(Schema.String),
  artifact: opt(Artifact),
  ...reconcileRequestStatus,
})
export type HelmRepositoryStatus = typeof HelmRepositoryStatus.Type

/** A HelmRepository object. */
export const HelmRepository = Schema.Struct({
  apiVersion: Schema.Literal("source.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("HelmRepository"),
  metadata: ObjectMeta,
  spec: HelmRepositorySpec,
  status: withStatusDefault(HelmRepositoryStatus),
})
export type HelmRepository = typeof HelmRepository.Type

/** Registry entry of HelmRepository. */
export const HelmRepositoryKind = defineKind({
  group: "source.toolkit.fluxcd.io",
  version: "v1",
  kind: "HelmRepository",
  plural: "helmrepositories",
  shortNames: ["helmrepo"],
  categories: ["fluxcd", "fluxcd-sources"],
  statusSubresource: true,
  printerColumns: [{ name: "URL", type: "string", jsonPath: ".spec.url" }, AgeColumn, ReadyColumn, StatusColumn],
  description: "HelmRepository is the Schema for the helmrepositories API.",
  schema: HelmRepository,
})

/** Decodes a HelmRepository; the error names each bad field's path. */
export const decodeHelmRepository = HelmRepositoryKind.decode
