// Flux's CLI nouns ("source git", "kustomization", "hr"...) mapped to the kinds
// moor serves, and the shared cluster flags of the operating commands.
import { homedir } from "node:os"
import { join } from "node:path"
import { kinds, type KindInfo } from "@moor/api"
import { UsageError } from "./Command.ts"

const byKind = (kind: string): KindInfo<any> => Object.values(kinds).find((k) => k.kind === kind)!

/** Noun phrases as Flux's CLI spells them, longest first. */
const nouns: readonly { words: readonly string[]; kind: string }[] = [
  { words: ["source", "git"], kind: "GitRepository" },
  { words: ["sources", "git"], kind: "GitRepository" },
  { words: ["source", "helm"], kind: "HelmRepository" },
  { words: ["sources", "helm"], kind: "HelmRepository" },
  { words: ["source", "oci"], kind: "OCIRepository" },
  { words: ["sources", "oci"], kind: "OCIRepository" },
  { words: ["image", "repository"], kind: "ImageRepository" },
  { words: ["images", "repository"], kind: "ImageRepository" },
  { words: ["image", "policy"], kind: "ImagePolicy" },
  { words: ["images", "policy"], kind: "ImagePolicy" },
  { words: ["image", "update"], kind: "ImageUpdateAutomation" },
  { words: ["images", "update"], kind: "ImageUpdateAutomation" },
  { words: ["kustomization"], kind: "Kustomization" },
  { words: ["kustomizations"], kind: "Kustomization" },
  { words: ["ks"], kind: "Kustomization" },
  { words: ["helmrelease"], kind: "HelmRelease" },
  { words: ["helmreleases"], kind: "HelmRelease" },
  { words: ["hr"], kind: "HelmRelease" },
  { words: ["alert"], kind: "Alert" },
  { words: ["alerts"], kind: "Alert" },
  { words: ["alert-provider"], kind: "Provider" },
  { words: ["alert-providers"], kind: "Provider" },
  { words: ["receiver"], kind: "Receiver" },
  { words: ["receivers"], kind: "Receiver" },
]

/** Reads the kind words at the head of argv; returns the kind and the rest. */
export const parseTarget = (argv: readonly string[]): { kind: KindInfo<any>; rest: string[] } => {
  for (const n of nouns) if (n.words.every((w, i) => argv[i] === w)) return { kind: byKind(n.kind), rest: argv.slice(n.words.length) }
  throw new UsageError(`unknown kind "${argv.slice(0, 2).join(" ")}"; use one of: source git, source helm, source oci, kustomization, helmrelease, image repository|policy|update, alert, alert-provider, receiver`)
}

/** The flags every operating command shares, as parseArgs options. */
export const clusterOptions = {
  kubeconfig: { type: "string" },
  namespace: { type: "string", short: "n" },
  "all-namespaces": { type: "boolean", short: "A" },
} as const

/** The kubeconfig the user means: --kubeconfig, $KUBECONFIG, then ~/.kube/config. */
export const kubeconfigPath = (flag: string | undefined): string => flag ?? process.env.KUBECONFIG ?? join(homedir(), ".kube", "config")

/** Flux's CLI works in flux-system unless told otherwise. */
export const defaultNamespace = "flux-system"
