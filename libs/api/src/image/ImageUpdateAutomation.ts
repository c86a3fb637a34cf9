/**
 * ImageUpdateAutomation, image.toolkit.fluxcd.io/v1: writes the latest images
 * selected by ImagePolicies into marked YAML fields, commits and pushes.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration } from "../Duration.ts"
import {
  LabelSelector,
  LocalObjectReference,
  ObjectMeta,
  Time,
  observedGeneration,
  reconcileRequestStatus,
  withStatusDefault,
} from "../Meta.ts"
import { StringMap, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"
import { ImageRef } from "./ImagePolicy.ts"
import { GitRepositoryRef } from "../source/GitRepository.ts"

/** The GitRepository to update. */
export const AutomationSourceReference = Schema.Struct({
  apiVersion: opt(Schema.String),
  // Default "GitRepository" (Flux CRD default).
  kind: withDefault(Schema.Literals(["GitRepository"]), "GitRepository", "crd"),
  name: Schema.String,
  namespace: opt(Schema.String),
})

/** How to commit: author, signing key, message template. */
export const CommitSpec = Schema.Struct({
  author: Schema.Struct({ name: opt(Schema.String), email: Schema.String }),
  signingKey: opt(Schema.Struct({ secretRef: LocalObjectReference })),
  messageTemplate: opt(Schema.String),
  messageTemplateValues: opt(StringMap),
})

/** Git settings: what to check out, how to commit, where to push. */
export const GitSpec = Schema.Struct({
  checkout: opt(Schema.Struct({ ref: GitRepositoryRef })),
  commit: CommitSpec,
  push: opt(
    Schema.Struct({
      branch: opt(Schema.String),
      refspec: opt(Schema.String),
      options: opt(StringMap),
    }),
  ),
})

/** How files are updated: the Setters strategy under a path. */
export const UpdateStrategy = Schema.Struct({
  // Default "Setters" (Flux CRD default).
  strategy: withDefault(Schema.Literals(["Setters"]), "Setters", "crd"),
  path: opt(Schema.String),
})

/** ImageUpdateAutomation `.spec`. */
export const ImageUpdateAutomationSpec = Schema.Struct({
  sourceRef: AutomationSourceReference,
  git: opt(GitSpec),
  interval: Duration.pipe(doc("How often to run the automation (a lower bound).")),
  policySelector: opt(LabelSelector),
  // Default {strategy: "Setters"} (Flux CRD default).
  update: withDefault(UpdateStrategy, { strategy: "Setters" }, "crd"),
  suspend: bool(),
})
export type ImageUpdateAutomationSpec = typeof ImageUpdateAutomationSpec.Type

/** ImageUpdateAutomation `.status`. */
export const ImageUpdateAutomationStatus = Schema.Struct({
  lastAutomationRunTime: opt(Time),
  lastPushCommit: opt(Schema.String),
  lastPushTime: opt(Time),
  observedGeneration,
  conditions: opt(Conditions),
  observedPolicies: opt(Schema.Record(Schema.String, ImageRef)),
  observedSourceRevision: opt(Schema.String),
  ...reconcileRequestStatus,
})
export type ImageUpdateAutomationStatus = typeof ImageUpdateAutomationStatus.Type

/** An ImageUpdateAutomation object. */
export const ImageUpdateAutomation = Schema.Struct({
  apiVersion: Schema.Literal("image.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("ImageUpdateAutomation"),
  metadata: ObjectMeta,
  spec: ImageUpdateAutomationSpec,
  status: withStatusDefault(ImageUpdateAutomationStatus),
})
export type ImageUpdateAutomation = typeof ImageUpdateAutomation.Type

/** Registry entry of ImageUpdateAutomation. */
export const ImageUpdateAutomationKind = defineKind({
  group: "image.toolkit.fluxcd.io",
  version: "v1",
  kind: "ImageUpdateAutomation",
  plural: "imageupdateautomations",
  shortNames: ["iua", "imgupd", "imgauto"],
  statusSubresource: true,
  printerColumns: [
    ReadyColumn,
    StatusColumn,
    { name: "Last run", type: "string", jsonPath: ".status.lastAutomationRunTime", priority: 1 },
    AgeColumn,
  ],
  description: "ImageUpdateAutomation is the Schema for the imageupdateautomations API.",
  schema: ImageUpdateAutomation,
})

/** Decodes an ImageUpdateAutomation; the error names each bad field's path. */
export const decodeImageUpdateAutomation = ImageUpdateAutomationKind.decode
