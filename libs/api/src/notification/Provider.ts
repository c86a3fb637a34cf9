/**
 * Provider, notification.toolkit.fluxcd.io/v1beta3: where alerts are sent
 * (Slack, Teams, a Git forge's commit status, a generic webhook...).
 * Flux's v1beta3 Provider has no status.
 */
import { Schema } from "effect"
import { ShortDuration, Duration } from "../Duration.ts"
import { LocalObjectReference, ObjectMeta } from "../Meta.ts"
import { Pattern, StringLen, bool, doc, opt, withDefault } from "../internal/fields.ts"
import { AgeColumn, defineKind } from "../internal/kind.ts"

/** Provider types Flux supports. */
export const ProviderType = Schema.Literals([
  "slack",
  "discord",
  "msteams",
  "rocket",
  "generic",
  "generic-hmac",
  "github",
  "gitlab",
  "gitea",
  "bitbucketserver",
  "bitbucket",
  "azuredevops",
  "googlechat",
  "googlepubsub",
  "webex",
  "sentry",
  "azureeventhub",
  "telegram",
  "lark",
  "matrix",
  "opsgenie",
  "alertmanager",
  "grafana",
  "githubdispatch",
  "githubpullrequestcomment",
  "pagerduty",
  "datadog",
  "nats",
  "zulip",
  "otel",
])

// Provider types that post commit statuses, the only ones commitStatusExpr applies to.
const commitStatusTypes = new Set(["github", "gitlab", "gitea", "bitbucketserver", "bitbucket", "azuredevops"])

/** Provider `.spec`. */
export const ProviderSpec = Schema.Struct({
  type: ProviderType.pipe(doc("Which Provider implementation to use.")),
  // Deprecated and unused in v1beta3; accepted for compatibility.
  interval: opt(Duration),
  channel: opt(StringLen(undefined, 2048)),
  username: opt(StringLen(undefined, 2048)),
  address: opt(StringLen(undefined, 2048)),
  // Default "15s" (Flux controller default, GetTimeout).
  timeout: withDefault(ShortDuration, "15s", "controller"),
  // Deprecated in favour of proxySecretRef.
  proxy: opt(
    Pattern(/^(http|https):\/\/.*$/, 'Expected an http or https URL such as "http://proxy:3128"').check(
      Schema.isMaxLength(2048),
    ),
  ),
  proxySecretRef: opt(LocalObjectReference),
  secretRef: opt(LocalObjectReference),
  serviceAccountName: opt(Schema.String),
  certSecretRef: opt(LocalObjectReference),
  suspend: bool(),
  commitStatusExpr: opt(Schema.String),
}).check(
  // Flux's CEL rule on the spec.
  Schema.makeFilter((s) =>
    s.commitStatusExpr !== undefined && !commitStatusTypes.has(s.type)
      ? {
          path: ["commitStatusExpr"],
          issue: `commitStatusExpr is only supported for the ${[...commitStatusTypes].map((t) => `'${t}'`).join(", ")} provider types`,
        }
      : undefined,
  ),
)
export type ProviderSpec = typeof ProviderSpec.Type

/** A Provider object. */
export const Provider = Schema.Struct({
  apiVersion: Schema.Literal("notification.toolkit.fluxcd.io/v1beta3"),
  kind: Schema.Literal("Provider"),
  metadata: ObjectMeta,
  spec: ProviderSpec,
})
export type Provider = typeof Provider.Type

/** Registry entry of Provider. */
export const ProviderKind = defineKind({
  group: "notification.toolkit.fluxcd.io",
  version: "v1beta3",
  kind: "Provider",
  plural: "providers",
  statusSubresource: false,
  printerColumns: [AgeColumn],
  description: "Provider is the Schema for the providers API.",
  schema: Provider,
})

/** Decodes a Provider; the error names each bad field's path. */
export const decodeProvider = ProviderKind.decode
