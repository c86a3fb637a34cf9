/**
 * ImagePolicy, image.toolkit.fluxcd.io/v1: selects the latest image tag of an
 * ImageRepository by semver range, alphabetical or numerical order.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration, parseDuration } from "../Duration.ts"
import { NamespacedObjectReference, ObjectMeta, observedGeneration, reconcileRequestStatus, withStatusDefault } from "../Meta.ts"
import { bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"

// Default "asc" (Flux CRD default).
const Order = withDefault(Schema.Literals(["asc", "desc"]), "asc", "crd")

/**
 * The ordering that picks the latest tag. One must be set; when several are,
 * Flux uses the first of semver, alphabetical, numerical.
 */
export const ImagePolicyChoice = Schema.Struct({
  semver: opt(Schema.Struct({ range: Schema.String })),
  alphabetical: opt(Schema.Struct({ order: Order })),
  numerical: opt(Schema.Struct({ order: Order })),
}).check(
  Schema.makeFilter((p) => {
    const none = p.semver === undefined && p.alphabetical === undefined && p.numerical === undefined
    return none ? "one of semver, alphabetical or numerical must be set" : undefined
  }),
)

/** A regular expression filter on tags, with an optional capture to compare on. */
export const TagFilter = Schema.Struct({
  pattern: opt(Schema.String),
  extract: opt(Schema.String),
})

const ReflectionPolicy = Schema.Literals(["Always", "IfNotPresent", "Never"])

/** ImagePolicy `.spec`. */
export const ImagePolicySpec = Schema.Struct({
  imageRepositoryRef: NamespacedObjectReference.pipe(doc("The ImageRepository whose tags are considered.")),
  policy: ImagePolicyChoice,
  filterTags: opt(TagFilter),
  // Default "Never" (Flux CRD default).
  digestReflectionPolicy: withDefault(ReflectionPolicy, "Never", "crd"),
  interval: opt(Duration),
  suspend: bool(),
}).check(
  // Flux's CEL rules on the spec.
  Schema.makeFilter((s) => {
    if (s.interval !== undefined && s.digestReflectionPolicy !== "Always") {
      return { path: ["interval"], issue: "interval is only accepted when digestReflectionPolicy is 'Always'" }
    }
    if (s.interval === undefined && s.digestReflectionPolicy === "Always") {
      return { path: ["interval"], issue: "interval must be set when digestReflectionPolicy is 'Always'" }
    }
    return undefined
  }),
)
export type ImagePolicySpec = typeof ImagePolicySpec.Type

/** An image reference: name, tag and optional digest. */
export const ImageRef = Schema.Struct({
  name: Schema.String,
  tag: Schema.String,
  digest: opt(Schema.String),
})
export type ImageRef = typeof ImageRef.Type

/** ImagePolicy `.status`. */
export const ImagePolicyStatus = Schema.Struct({
  latestRef: opt(ImageRef),
  observedPreviousRef: opt(ImageRef),
  observedGeneration,
  conditions: opt(Conditions),
  ...reconcileRequestStatus,
})
export type ImagePolicyStatus = typeof ImagePolicyStatus.Type

/** An ImagePolicy object. */
export const ImagePolicy = Schema.Struct({
  apiVersion: Schema.Literal("image.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("ImagePolicy"),
  metadata: ObjectMeta,
  spec: ImagePolicySpec,
  status: withStatusDefault(ImagePolicyStatus),
})
export type ImagePolicy = typeof ImagePolicy.Type

/** Registry entry of ImagePolicy. */
export const ImagePolicyKind = defineKind({
  group: "image.toolkit.fluxcd.io",
  version: "v1",
  kind: "ImagePolicy",
  plural: "imagepolicies",
  shortNames: ["imgpol", "imagepol"],
  statusSubresource: true,
  printerColumns: [
    { name: "Image", type: "string", jsonPath: ".status.latestRef.name" },
    { name: "Tag", type: "string", jsonPath: ".status.latestRef.tag" },
    ReadyColumn,
    StatusColumn,
    AgeColumn,
  ],
  description: "ImagePolicy is the Schema for the imagepolicies API.",
  schema: ImagePolicy,
})

/** Decodes an ImagePolicy; the error names each bad field's path. */
export const decodeImagePolicy = ImagePolicyKind.decode

/**
 * How often Flux re-reads the latest tag's digest, in milliseconds: only with
 * digestReflectionPolicy Always (`.spec.interval`, else 10m); otherwise 0.
 */
export const imagePolicyInterval = (spec: Pick<ImagePolicySpec, "digestReflectionPolicy" | "interval">): number =>
  spec.digestReflectionPolicy === "Always" ? (spec.interval === undefined ? 600_000 : parseDuration(spec.interval)) : 0
