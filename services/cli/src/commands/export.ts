// `moor export <kind> NAME|--all`: the resources as YAML a repository can hold
// (no status, no server-set metadata), as `flux export` prints them.
import { stringify } from "yaml"
import type { KubeObject } from "@moor/kube"
import type { CliCommand } from "../Command.ts"
import { withNamed } from "../Kube.ts"

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
  run: (argv) =>
    withNamed(argv, async ({ kind, items }) => {
      process.stdout.write(items.map((o) => "---\n" + stringify(exportable({ ...o, apiVersion: kind.apiVersion, kind: kind.kind }))).join(""))
      return 0
    }),
}
