// `moor suspend|resume <kind> NAME|--all`: sets spec.suspend, as Flux does;
// resume also requests a reconcile.
import { parseArgs } from "node:util"
import { green, UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect, resourceOf } from "../Kube.ts"
import { clusterOptions, defaultNamespace, kubeconfigPath, parseTarget } from "../Target.ts"

const toggle = (suspend: boolean): CliCommand => ({
  path: [suspend ? "suspend" : "resume"],
  summary: suspend ? "Suspend reconciliation of resources" : "Resume reconciliation of suspended resources",
  help: `Usage: moor ${suspend ? "suspend" : "resume"} <kind> NAME|--all [-n NS] [--kubeconfig FILE]

Example:
  moor ${suspend ? "suspend" : "resume"} kustomization apps`,
  async run(argv) {
    const { kind, rest } = parseTarget(argv)
    const { values, positionals } = parseArgs({ args: rest, options: { ...clusterOptions, all: { type: "boolean" } }, allowPositionals: true, strict: true })
    if (!values.all && positionals.length === 0) throw new UsageError(`give a NAME or --all`)
    const ns = values.namespace ?? defaultNamespace
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      const r = await resourceOf(kube, kind)
      const names = values.all ? (await kube.list(r, ns)).items.map((o) => o.metadata.name) : positionals
      for (const name of names) {
        if (!(await kube.find(r, ns, name))) throw new CliError(`${kind.kind} ${ns}/${name} not found`)
        const patch: Record<string, unknown> = { spec: { suspend: suspend ? true : null } }
        if (!suspend) patch.metadata = { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } }
        await kube.patch(r, ns, name, "merge", patch)
        process.stderr.write(`${green("✔")} ${kind.kind} ${ns}/${name} ${suspend ? "suspended" : "resumed"}\n`)
      }
      return 0
    } finally {
      kube.close()
    }
  },
})

export const suspend = toggle(true)
export const resume = toggle(false)
