/**
 * Alert, notification.toolkit.fluxcd.io/v1beta3: which events of which
 * objects are sent to a Provider. Flux's v1beta3 Alert has no status.
 */
import { Schema } from "effect"
import { LocalObjectReference, ObjectMeta } from "../Meta.ts"
import { StringLen, StringMap, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, defineKind } from "../internal/kind.ts"

/** The kinds whose events can be selected (and Receivers can target). */
export const EventSourceKind = Schema.Literals([
  "Bucket",
  "GitRepository",
  "Kustomization",
  "HelmRelease",
  "HelmChart",
  "HelmRepository",
  "ImageRepository",
  "ImagePolicy",
  "ImageUpdateAutomation",
  "OCIRepository",
])

/** Objects selected by kind and name ("*" for all, optionally narrowed by labels), in any namespace. */
export const CrossNamespaceObjectReference = Schema.Struct({
  apiVersion: opt(Schema.String),
  kind: EventSourceKind,
  name: StringLen(1, 53),
  namespace: opt(StringLen(1, 53)),
  matchLabels: opt(StringMap),
})
export type CrossNamespaceObjectReference = typeof CrossNamespaceObjectReference.Type

/** Alert `.spec`. */
export const AlertSpec = Schema.Struct({
  providerRef: LocalObjectReference.pipe(doc("The Provider the events are sent to.")),
  // Default "info": no event is filtered out by severity (Flux CRD default).
  eventSeverity: withDefault(Schema.Literals(["info", "error"]), "info", "crd"),
  eventSources: Schema.Array(CrossNamespaceObjectReference).pipe(doc("The objects whose events are sent.")),
  inclusionList: opt(Schema.Array(Schema.String)),
  eventMetadata: opt(StringMap),
  exclusionList: opt(Schema.Array(Schema.String)),
  summary: opt(StringLen(undefined, 255)),
  suspend: bool(),
})
export type AlertSpec = typeof AlertSpec.Type

/** An Alert object. */
export const Alert = Schema.Struct({
  apiVersion: Schema.Literal("notification.toolkit.fluxcd.io/v1beta3"),
  kind: Schema.Literal("Alert"),
  metadata: ObjectMeta,
  spec: AlertSpec,
})
export type Alert = typeof Alert.Type

/** Registry entry of Alert. */
export const AlertKind = defineKind({
  group: "notification.toolkit.fluxcd.io",
  version: "v1beta3",
  kind: "Alert",
  plural: "alerts",
  statusSubresource: false,
  printerColumns: [AgeColumn],
  description: "Alert is the Schema for the alerts API.",
  schema: Alert,
})

/** Decodes an Alert; the error names each bad field's path. */
export const decodeAlert = AlertKind.decode
