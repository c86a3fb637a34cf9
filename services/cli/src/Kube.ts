// A KubeClient for a CLI command, with a one-line error when the cluster is unreachable.
import { existsSync } from "node:fs"
import { KubeClient, type KubeObject, type ResourceRef } from "@moor/kube"
import type { KindInfo } from "@moor/api"
import { parseArgs } from "node:util"
import { UsageError } from "./Command.ts"
import { clusterOptions, defaultNamespace, kubeconfigPath, parseTarget } from "./Target.ts"

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

/**
 * Runs `f` on the objects a `<kind> NAME...|--all [-n NS]` command names (export, suspend,
 * resume): every NAME must exist; --all is every object of the kind in the namespace.
 */
export const withNamed = async <T>(
  argv: readonly string[],
  f: (o: { kind: KindInfo<any>; ns: string; kube: KubeClient; resource: ResourceRef; items: KubeObject[] }) => Promise<T>,
): Promise<T> => {
  const { kind, rest } = parseTarget(argv)
  const { values, positionals } = parseArgs({ args: rest, options: { ...clusterOptions, all: { type: "boolean" } }, allowPositionals: true, strict: true })
  if (!values.all && positionals.length === 0) throw new UsageError(`give a NAME or --all`)
  const ns = values.namespace ?? defaultNamespace
  const kube = await connect(kubeconfigPath(values.kubeconfig))
  try {
    const resource = await resourceOf(kube, kind)
    const items = values.all
      ? (await kube.list(resource, ns)).items
      : await Promise.all(
          positionals.map(async (n) => {
            const o = await kube.find(resource, ns, n)
            if (!o) throw new CliError(`${kind.kind} ${ns}/${n} not found`)
            return o
          }),
        )
    return await f({ kind, ns, kube, resource, items })
  } finally {
    kube.close()
  }
}
