// `moor suspend|resume <kind> NAME|--all`: sets spec.suspend, as Flux does;
// resume also requests a reconcile.
import { green, type CliCommand } from "../Command.ts"
import { withNamed } from "../Kube.ts"

const toggle = (suspend: boolean): CliCommand => ({
  path: [suspend ? "suspend" : "resume"],
  summary: suspend ? "Suspend reconciliation of resources" : "Resume reconciliation of suspended resources",
  help: `Usage: moor ${suspend ? "suspend" : "resume"} <kind> NAME|--all [-n NS] [--kubeconfig FILE]

Example:
  moor ${suspend ? "suspend" : "resume"} kustomization apps`,
  run: (argv) =>
    withNamed(argv, async ({ kind, ns, kube, resource, items }) => {
      for (const o of items) {
        const name = o.metadata.name
        const patch: Record<string, unknown> = { spec: { suspend: suspend ? true : null } }
        if (!suspend) patch.metadata = { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } }
        await kube.patch(resource, ns, name, "merge", patch)
        process.stderr.write(`${green("✔")} ${kind.kind} ${ns}/${name} ${suspend ? "suspended" : "resumed"}\n`)
      }
      return 0
    }),
})

export const suspend = toggle(true)
export const resume = toggle(false)
