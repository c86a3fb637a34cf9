/**
 * ImageRepository, image.toolkit.fluxcd.io/v1: a container image repository
 * whose tags are scanned.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration, ShortDuration, parseDuration } from "../Duration.ts"
import {
  AccessFrom,
  LocalObjectReference,
  ObjectMeta,
  Time,
  observedGeneration,
  reconcileRequestStatus,
  withStatusDefault,
} from "../Meta.ts"
import { StringLen, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"

/** ImageRepository `.spec`. */
export const ImageRepositorySpec = Schema.Struct({
  image: Schema.String.pipe(doc('The image repository to scan, e.g. "ghcr.io/org/app".')),
  interval: Duration.pipe(doc("How often to scan the repository for tags.")),
  timeout: opt(ShortDuration),
  secretRef: opt(LocalObjectReference),
  proxySecretRef: opt(LocalObjectReference),
  serviceAccountName: opt(StringLen(undefined, 253)),
  certSecretRef: opt(LocalObjectReference),
  suspend: bool(),
  accessFrom: opt(AccessFrom),
  // Default ["^.*\\.sig$"], skipping cosign signature tags (Flux CRD default).
  exclusionList: withDefault(Schema.Array(Schema.String).check(Schema.isMaxLength(25)), ["^.*\\.sig$"], "crd"),
  // Default "generic" (Flux CRD default).
  provider: withDefault(Schema.Literals(["generic", "aws", "azure", "gcp"]), "generic", "crd"),
  insecure: bool(),
})
export type ImageRepositorySpec = typeof ImageRepositorySpec.Type

/** The result of the last scan. */
export const ScanResult = Schema.Struct({
  revision: opt(Schema.String),
  tagCount: Schema.Int,
  // A metav1.Time without a value serializes as null.
  scanTime: opt(Schema.NullOr(Time)),
  latestTags: opt(Schema.Array(Schema.String)),
})

/** ImageRepository `.status`. */
export const ImageRepositoryStatus = Schema.Struct({
  conditions: opt(Conditions),
  observedGeneration,
  canonicalImageName: opt(Schema.String),
  lastScanResult: opt(ScanResult),
  observedExclusionList: opt(Schema.Array(Schema.String)),
  ...reconcileRequestStatus,
})
export type ImageRepositoryStatus = typeof ImageRepositoryStatus.Type

/** An ImageRepository object. */
export const ImageRepository = Schema.Struct({
  apiVersion: Schema.Literal("image.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("ImageRepository"),
  metadata: ObjectMeta,
  spec: ImageRepositorySpec,
  status: withStatusDefault(ImageRepositoryStatus),
})
export type ImageRepository = typeof ImageRepository.Type

/** Registry entry of ImageRepository. */
export const ImageRepositoryKind = defineKind({
  group: "image.toolkit.fluxcd.io",
  version: "v1",
  kind: "ImageRepository",
  plural: "imagerepositories",
  shortNames: ["imgrepo", "imagerepo"],
  statusSubresource: true,
  printerColumns: [
    { name: "Image", type: "string", jsonPath: ".spec.image" },
    { name: "Tags", type: "string", jsonPath: ".status.lastScanResult.tagCount" },
    ReadyColumn,
    StatusColumn,
    { name: "Last scan", type: "string", jsonPath: ".status.lastScanResult.scanTime", priority: 1 },
    AgeColumn,
  ],
  description: "ImageRepository is the Schema for the imagerepositories API.",
  schema: ImageRepository,
})

/** Decodes an ImageRepository; the error names each bad field's path. */
export const decodeImageRepository = ImageRepositoryKind.decode

/** The scan timeout Flux uses, in milliseconds: `.spec.timeout`, else the interval; at least 1s. */
export const imageRepositoryTimeout = (spec: Pick<ImageRepositorySpec, "interval" | "timeout">): number =>
  Math.max(parseDuration(spec.timeout ?? spec.interval), 1000)
