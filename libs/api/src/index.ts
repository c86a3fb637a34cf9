/**
 * @moor/api: the Flux resources moor serves, as TypeScript types and Effect
 * Schema decoders with Flux's API groups, versions, field names and defaults;
 * the kinds registry; status conditions; and the CRDs derived from the schemas.
 */

// Decoding errors and Go durations.
export { DecodeError, DecodeIssue, formatPath, orThrow } from "./Decode.ts"
export { Duration, DurationError, ShortDuration, formatDuration, parseDuration } from "./Duration.ts"

// Shared Flux and Kubernetes types.
export {
  Artifact,
  LocalObjectReference,
  NamespacedObjectKindReference,
  NamespacedObjectReference,
  ObjectMeta,
  ResourceInventory,
  Time,
} from "./Meta.ts"

// Status conditions.
export * from "./Conditions.ts"

// source.toolkit.fluxcd.io/v1
export {
  GitRepository,
  GitRepositoryKind,
  GitRepositoryRef,
  GitRepositorySpec,
  GitRepositoryStatus,
  decodeGitRepository,
} from "./source/GitRepository.ts"
export {
  OCIRepository,
  OCIRepositoryKind,
  OCIRepositorySpec,
  OCIRepositoryStatus,
  decodeOCIRepository,
} from "./source/OCIRepository.ts"
export {
  HelmRepository,
  HelmRepositoryKind,
  HelmRepositorySpec,
  HelmRepositoryStatus,
  decodeHelmRepository,
} from "./source/HelmRepository.ts"

// kustomize.toolkit.fluxcd.io/v1
export {
  Kustomization,
  KustomizationKind,
  KustomizationSpec,
  KustomizationStatus,
  decodeKustomization,
  kustomizationRetryInterval,
  kustomizationTimeout,
} from "./kustomize/Kustomization.ts"

// helm.toolkit.fluxcd.io/v2
export {
  HelmRelease,
  HelmReleaseKind,
  HelmReleaseSpec,
  HelmReleaseStatus,
  decodeHelmRelease,
  helmReleaseName,
} from "./helm/HelmRelease.ts"

// image.toolkit.fluxcd.io/v1
export {
  ImageRepository,
  ImageRepositoryKind,
  ImageRepositorySpec,
  ImageRepositoryStatus,
  decodeImageRepository,
  imageRepositoryTimeout,
} from "./image/ImageRepository.ts"
export {
  ImagePolicy,
  ImagePolicyKind,
  ImagePolicySpec,
  ImagePolicyStatus,
  ImageRef,
  decodeImagePolicy,
  imagePolicyInterval,
} from "./image/ImagePolicy.ts"
export {
  ImageUpdateAutomation,
  ImageUpdateAutomationKind,
  ImageUpdateAutomationSpec,
  ImageUpdateAutomationStatus,
  decodeImageUpdateAutomation,
} from "./image/ImageUpdateAutomation.ts"

// notification.toolkit.fluxcd.io/v1beta3 and v1
export { Provider, ProviderKind, ProviderSpec, decodeProvider } from "./notification/Provider.ts"
export { Alert, AlertKind, AlertSpec, decodeAlert } from "./notification/Alert.ts"
export { Receiver, ReceiverKind, ReceiverSpec, ReceiverStatus, decodeReceiver } from "./notification/Receiver.ts"

// The registry of kinds, and their CRDs.
export {
  type GroupVersionKind,
  type KindInfo,
  type PrinterColumn,
  allKinds,
  decodeObject,
  gvkKey,
  gvkOf,
  kindByPlural,
  kindOf,
  kinds,
} from "./Registry.ts"
export { type JSONSchemaProps, crdFileName, crdOf, renderCrd, renderCrdFiles, toOpenApi } from "./Crd.ts"
