/**
 * Receiver, notification.toolkit.fluxcd.io/v1: a webhook endpoint that, once
 * the request is verified, asks the listed objects to reconcile now.
 */
import { Schema } from "effect"
import { Conditions } from "../Conditions.ts"
import { Duration } from "../Duration.ts"
import { LocalObjectReference, ObjectMeta, observedGeneration, reconcileRequestStatus, withStatusDefault } from "../Meta.ts"
import { bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, ReadyColumn, StatusColumn, defineKind } from "../internal/kind.ts"
import { CrossNamespaceObjectReference } from "./Alert.ts"

/** Webhook senders Flux understands. */
export const ReceiverType = Schema.Literals([
  "generic",
  "generic-hmac",
  "github",
  "gitlab",
  "bitbucket",
  "harbor",
  "dockerhub",
  "quay",
  "gcr",
  "nexus",
  "acr",
  "cdevents",
])

/** Receiver `.spec`. */
export const ReceiverSpec = Schema.Struct({
  type: ReceiverType.pipe(doc("The webhook sender, which decides how requests are verified and read.")),
  // Default "10m" (Flux CRD default).
  interval: withDefault(Duration, "10m", "crd"),
  events: opt(Schema.Array(Schema.String)),
  resources: Schema.Array(CrossNamespaceObjectReference).pipe(doc("The objects asked to reconcile.")),
  resourceFilter: opt(Schema.String),
  secretRef: LocalObjectReference.pipe(doc("The Secret holding the token that authenticates requests.")),
  suspend: bool(),
})
export type ReceiverSpec = typeof ReceiverSpec.Type

/** Receiver `.status`. */
export const ReceiverStatus = Schema.Struct({
  ...reconcileRequestStatus,
  conditions: opt(Conditions),
  webhookPath: opt(Schema.String),
  observedGeneration,
})
export type ReceiverStatus = typeof ReceiverStatus.Type

/** A Receiver object. */
export const Receiver = Schema.Struct({
  apiVersion: Schema.Literal("notification.toolkit.fluxcd.io/v1"),
  kind: Schema.Literal("Receiver"),
  metadata: ObjectMeta,
  spec: ReceiverSpec,
  status: withStatusDefault(ReceiverStatus),
})
export type Receiver = typeof Receiver.Type

/** Registry entry of Receiver. */
export const ReceiverKind = defineKind({
  group: "notification.toolkit.fluxcd.io",
  version: "v1",
  kind: "Receiver",
  plural: "receivers",
  statusSubresource: true,
  printerColumns: [AgeColumn, ReadyColumn, StatusColumn],
  description: "Receiver is the Schema for the receivers API.",
  schema: Receiver,
})

/** Decodes a Receiver; the error names each bad field's path. */
export const decodeReceiver = ReceiverKind.decode
