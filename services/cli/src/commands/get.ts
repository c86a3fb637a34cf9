// `moor get <kind>`: Flux's table of resources of a kind, or JSON/YAML.
import { parseArgs } from "node:util"
import { stringify } from "yaml"
import type { KubeObject } from "@moor/kube"
import { UsageError, type CliCommand } from "../Command.ts"
import { connect, resourceOf, row, table } from "../Kube.ts"
import { clusterOptions, defaultNamespace, kubeconfigPath, parseTarget } from "../Target.ts"

export const get: CliCommand = {
  path: ["get"],
  summary: "List resources of a kind as Flux prints them",
  help: `Usage: moor get <kind> [NAME] [-n NS | -A] [-o table|json|yaml] [--watch] [--kubeconfig FILE]

Kinds: source git|helm|oci, kustomizations (ks), helmreleases (hr),
image repository|policy|update, alerts, alert-providers, receivers.

Example:
  moor get sources git -A`,
  async run(argv) {
    const { kind, rest } = parseTarget(argv)
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...clusterOptions, output: { type: "string", short: "o", default: "table" }, watch: { type: "boolean", short: "w" } },
      allowPositionals: true,
      strict: true,
    })
    if (!["table", "json", "yaml"].includes(values.output!)) throw new UsageError(`--output must be table, json or yaml, not "${values.output}"`)
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      const r = await resourceOf(kube, kind)
      const all = values["all-namespaces"] === true
      const ns = all ? undefined : (values.namespace ?? defaultNamespace)
      const name = positionals[0]
      let items = (await kube.list(r, ns)).items
      if (name) items = items.filter((o) => o.metadata.name === name)
      for (const o of items) {
        o.apiVersion = kind.apiVersion
        o.kind = kind.kind
      }
      const print = (objs: KubeObject[], header = true) => {
        if (values.output === "json") process.stdout.write(JSON.stringify(objs.length === 1 && name ? objs[0] : { apiVersion: "v1", kind: "List", items: objs }, null, 2) + "\n")
        else if (values.output === "yaml") process.stdout.write(stringify(objs.length === 1 && name ? objs[0] : { apiVersion: "v1", kind: "List", items: objs }))
        else {
          const h = [...(all ? ["NAMESPACE"] : []), "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]
          const t = table(h, objs.map((o) => row(o, all)))
          process.stdout.write(header ? t : t.slice(t.indexOf("\n") + 1))
        }
      }
      if (items.length === 0 && !values.watch) {
        process.stderr.write(`no ${kind.kind} objects found in ${all ? "any namespace" : `namespace ${ns}`}\n`)
        return name ? 1 : 0
      }
      print(items)
      if (!values.watch) return 0
      const { Informer } = await import("@moor/kube")
      const inf = new Informer(kube, r, {
        upsert: (o) => (!name || o.metadata.name === name) && print([o], false),
        remove: () => {},
      }, ns === undefined ? {} : { namespace: ns })
      await inf.start()
      await new Promise<void>((res) => {
        process.once("SIGINT", res)
        process.once("SIGTERM", res)
      })
      inf.stop()
      return 0
    } finally {
      kube.close()
    }
  },
}
