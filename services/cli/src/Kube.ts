// A KubeClient for a CLI command, with a one-line error when the cluster is unreachable.
import { existsSync } from "node:fs"
import { KubeClient, type KubeObject, type ResourceRef } from "@moor/kube"
import type { KindInfo } from "@moor/api"

export class CliError extends Error {
  override readonly name = "CliError"
  readonly hint: string | undefined
  constructor(message: string, hint?: string) {
    super(message)
    this.hint = hint
  }
}

export const connect = async (kubeconfig: string): Promise<KubeClient> => {
  if (!existsSync(kubeconfig)) throw new CliError(`kubeconfig ${kubeconfig} does not exist`, "pass --kubeconfig FILE, or start a cluster with 'moor cluster serve'")
  const kube = KubeClient.fromFile(kubeconfig)
  try {
    await kube.request("GET", "/version")
  } catch (e) {
    kube.close()
    throw new CliError(`cannot reach the cluster of ${kubeconfig}: ${(e as Error).message}`, "is the API server running?")
  }
  return kube
}

/** The API resource of a Flux kind; a cluster without moor's CRDs gets a hint. */
export const resourceOf = async (kube: KubeClient, k: KindInfo<any>): Promise<ResourceRef> => {
  try {
    return await kube.resource(k.apiVersion, k.kind)
  } catch {
    throw new CliError(`the cluster does not serve ${k.kind} (${k.apiVersion})`, "install the CRDs: kubectl apply -k deploy/crds (or moor bootstrap)")
  }
}

const ready = (o: KubeObject) => (o.status?.conditions as { type: string; status: string; message: string }[] | undefined)?.find((c) => c.type === "Ready")

/** Flux's `get` columns: NAME, REVISION, SUSPENDED, READY, MESSAGE. */
export const row = (o: KubeObject, withNamespace: boolean): string[] => {
  const s = o.status ?? {}
  const revision = s.artifact?.revision ?? s.lastAppliedRevision ?? s.lastAttemptedRevision ?? ""
  const r = ready(o)
  return [
    ...(withNamespace ? [o.metadata.namespace ?? ""] : []),
    o.metadata.name,
    revision,
    o.spec?.suspend ? "True" : "False",
    r?.status ?? "Unknown",
    r?.message ?? "",
  ]
}

/** Left-aligned columns separated by tabs padded to width, as Flux's tabwriter prints. */
export const table = (header: string[], rows: string[][]): string => {
  const all = [header, ...rows]
  const w = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)))
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!) + "\t")).join("").trimEnd()).join("\n") + "\n"
}
