// `moor export <kind> NAME|--all`: the resources as YAML a repository can hold
// (no status, no server-set metadata), as `flux export` prints them.
import { parseArgs } from "node:util"
import { stringify } from "yaml"
import type { KubeObject } from "@moor/kube"
import { UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect, resourceOf } from "../Kube.ts"
import { clusterOptions, defaultNamespace, kubeconfigPath, parseTarget } from "../Target.ts"

/** Keeps what a user writes: apiVersion, kind, name, namespace, labels, annotations (minus Flux's request), spec. */
export const exportable = (o: KubeObject): KubeObject => {
  const annotations = { ...(o.metadata.annotations ?? {}) }
  delete annotations["reconcile.fluxcd.io/requestedAt"]
  delete annotations["kubectl.kubernetes.io/last-applied-configuration"]
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      ...(o.metadata.labels && Object.keys(o.metadata.labels).length ? { labels: o.metadata.labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: o.spec,
  }
}

export const exportCmd: CliCommand = {
  path: ["export"],
  summary: "Print resources as YAML for a repository",
  help: `Usage: moor export <kind> NAME|--all [-n NS] [--kubeconfig FILE]

Example:
  moor export source git --all > sources.yaml`,
  async run(argv) {
    const { kind, rest } = parseTarget(argv)
    const { values, positionals } = parseArgs({ args: rest, options: { ...clusterOptions, all: { type: "boolean" } }, allowPositionals: true, strict: true })
    if (!values.all && positionals.length === 0) throw new UsageError(`give a NAME or --all`)
    const ns = values.namespace ?? defaultNamespace
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      const r = await resourceOf(kube, kind)
      const items = values.all ? (await kube.list(r, ns)).items : await Promise.all(positionals.map(async (n) => {
        const o = await kube.find(r, ns, n)
        if (!o) throw new CliError(`${kind.kind} ${ns}/${n} not found`)
        return o
      }))
      process.stdout.write(items.map((o) => "---\n" + stringify(exportable({ ...o, apiVersion: kind.apiVersion, kind: kind.kind }))).join(""))
      return 0
    } finally {
      kube.close()
    }
  },
}
