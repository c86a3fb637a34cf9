/**
 * OCIRepository, source.toolkit.fluxcd.io/v1: an OCI artifact in a container
 * registry, pulled and stored as an artifact.
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

/** The reference to pull: digest > semver (optionally filtered) > tag. */
export const OCIRepositoryRef = Schema.Struct({
  digest: opt(Schema.String),
  semver: opt(Schema.String),
  semverFilter: opt(Schema.String),
  tag: opt(Schema.String),
})

/** Which layer of the artifact to use and how. */
export const OCILayerSelector = Schema.Struct({
  mediaType: opt(Schema.String),
  // Default "extract" (Flux controller default, GetLayerOperation).
  operation: withDefault(Schema.Literals(["extract", "copy"]), "extract", "controller"),
})

/** A cosign keyless identity to accept: regular expressions for issuer and subject. */
export const OIDCIdentityMatch = Schema.Struct({ issuer: Schema.String, subject: Schema.String })

/** Signature verification of an OCI artifact. */
export const OCIRepositoryVerification = Schema.Struct({
  // Default "cosign" (Flux CRD default).
  provider: withDefault(Schema.Literals(["cosign", "notation"]), "cosign", "crd"),
  secretRef: opt(LocalObjectReference),
  matchOIDCIdentity: opt(Schema.Array(OIDCIdentityMatch)),
  trustedRootSecretRef: opt(LocalObjectReference),
})

const ProviderName = Schema.Literals(["generic", "aws", "azure", "gcp"])

/** OCIRepository `.spec`. */
export const OCIRepositorySpec = Schema.Struct({
  url: Pattern(/^oci:\/\/.*$/, 'Expected an OCI URL such as "oci://ghcr.io/org/manifests"').pipe(
    doc("URL of the OCI repository (oci://...)."),
  ),
  // Default tag "latest" when no ref is given (Flux controller default).
  ref: withDefault(OCIRepositoryRef, { tag: "latest" }, "controller"),
  layerSelector: opt(OCILayerSelector),
  // Default "generic" (Flux CRD default).
  provider: withDefault(ProviderName, "generic", "crd"),
  secretRef: opt(LocalObjectReference),
  verify: opt(OCIRepositoryVerification),
  serviceAccountName: opt(Schema.String),
  certSecretRef: opt(LocalObjectReference),
  proxySecretRef: opt(LocalObjectReference),
  interval: Duration.pipe(doc("How often to check the registry for a new digest.")),
  // Default "60s" (Flux CRD default).
  timeout: withDefault(ShortDuration, "60s", "crd"),
  ignore: opt(Schema.String),
  insecure: bool(),
  suspend: bool(),
})
export type OCIRepositorySpec = typeof OCIRepositorySpec.Type

/** OCIRepository `.status`. */
export const OCIRepositoryStatus = Schema.Struct({
  observedGeneration,
  conditions: opt(Conditions),
  url: opt(Schema.String),
  artifact: opt(Artifact),
  observedIgnore: opt(Schema.String),
  observedLayerSelector: opt(
    Schema.Struct({ mediaType: opt(Schema.String), operation: opt(Schema.Literals(["extract", "copy"])) }),
  ),
  ...reconcileRequestStatus,
})
export type OCIRepositoryStatus = typeof OCIRepositoryStatus.Type

/** An OCIRepository object. */
export const OCIRepository = Schema.Struct({
  apiVersion: Schema.Literal("source.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("OCIRepository"),
  metadata: ObjectMeta,
  spec: OCIRepositorySpec,
  status: withStatusDefault(OCIRepositoryStatus),
})
export type OCIRepository = typeof OCIRepository.Type

/** Registry entry of OCIRepository. */
export const OCIRepositoryKind = defineKind({
  group: "source.toolkit.fluxcd.io",
  version: "v1",
  kind: "OCIRepository",
  plural: "ocirepositories",
  shortNames: ["ocirepo"],
  categories: ["fluxcd", "fluxcd-sources"],
  statusSubresource: true,
  printerColumns: [{ name: "URL", type: "string", jsonPath: ".spec.url" }, ReadyColumn, StatusColumn, AgeColumn],
  description: "OCIRepository is the Schema for the ocirepositories API.",
  schema: OCIRepository,
})

/** Decodes an OCIRepository; the error names each bad field's path. */
export const decodeOCIRepository = OCIRepositoryKind.decode
