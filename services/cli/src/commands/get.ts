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
       moor get all | sources all [-n NS | -A] [-o table|json|yaml] [--kubeconfig FILE]

Kinds: source git|helm|oci, kustomizations (ks), helmreleases (hr),
image repository|policy|update, alerts, alert-providers, receivers;
all (every kind) and sources all (the source kinds), one table a kind, as flux get all.

Example:
  moor get sources git -A
  moor get all -n flux-system`,
  async run(argv) {
    if (argv[0] === "all") return getAll(argv.slice(1), allKinds)
    if ((argv[0] === "sources" || argv[0] === "source") && argv[1] === "all") return getAll(argv.slice(2), sourceKinds)
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

/** Every kind `get all` lists, in flux get all's order; the source kinds for `get sources all`. */
const sourceKinds = [["source", "git"], ["source", "helm"], ["source", "oci"]]
const allKinds = [...sourceKinds, ["kustomization"], ["helmrelease"], ["image", "repository"], ["image", "policy"], ["image", "update"], ["alert"], ["alert-provider"], ["receiver"]]

/** One table a kind that has objects, names as kind/name (flux get all's shape); JSON/YAML: one List. */
const getAll = async (argv: string[], nouns: string[][]): Promise<number> => {
  const { values, positionals } = parseArgs({ args: argv, options: { ...clusterOptions, output: { type: "string", short: "o", default: "table" } }, allowPositionals: true, strict: true })
  if (positionals.length) throw new UsageError(`get all takes no NAME (got "${positionals[0]}")`)
  if (!["table", "json", "yaml"].includes(values.output!)) throw new UsageError(`--output must be table, json or yaml, not "${values.output}"`)
  const kube = await connect(kubeconfigPath(values.kubeconfig))
  try {
    const all = values["all-namespaces"] === true
    const ns = all ? undefined : (values.namespace ?? defaultNamespace)
    const found: KubeObject[] = []
    const tables: string[] = []
    for (const words of nouns) {
      const { kind } = parseTarget(words)
      // A kind whose CRD is not installed has nothing to list.
      const r = await resourceOf(kube, kind).catch(() => undefined)
      if (!r) continue
      const items = (await kube.list(r, ns)).items.map((o) => ({ ...o, apiVersion: kind.apiVersion, kind: kind.kind }))
      if (items.length === 0) continue
      found.push(...items)
      const h = [...(all ? ["NAMESPACE"] : []), "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]
      const rows = items.map((o) => row({ ...o, metadata: { ...o.metadata, name: `${kind.kind.toLowerCase()}/${o.metadata.name}` } }, all))
      tables.push(table(h, rows))
    }
    if (values.output === "json") process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items: found }, null, 2) + "\n")
    else if (values.output === "yaml") process.stdout.write(stringify({ apiVersion: "v1", kind: "List", items: found }))
    else if (tables.length) process.stdout.write(tables.join("\n"))
    else process.stderr.write(`no objects found in ${all ? "any namespace" : `namespace ${ns}`}\n`)
    return 0
  } finally {
    kube.close()
  }
}
