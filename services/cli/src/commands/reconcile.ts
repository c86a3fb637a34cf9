// `moor reconcile <kind> NAME`: sets Flux's reconcile.fluxcd.io/requestedAt
// annotation and waits until the resource reports it handled, then shows the result.
import { parseArgs } from "node:util"
import type { KubeClient, KubeObject, ResourceRef } from "@moor/kube"
import { green, UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect, resourceOf } from "../Kube.ts"
import { clusterOptions, defaultNamespace, kubeconfigPath, parseTarget } from "../Target.ts"

const ANNOTATION = "reconcile.fluxcd.io/requestedAt"

/** Requests a reconcile and waits for lastHandledReconcileAt to echo it; returns the object. */
export const requestReconcile = async (kube: KubeClient, r: ResourceRef, ns: string, name: string, timeoutMs: number): Promise<KubeObject> => {
  const token = new Date().toISOString()
  await kube.patch(r, ns, name, "merge", { metadata: { annotations: { [ANNOTATION]: token } } })
  const end = Date.now() + timeoutMs
  for (;;) {
    const o = await kube.get(r, ns, name)
    if (o.status?.lastHandledReconcileAt === token) return o
    if (Date.now() > end) throw new CliError(`${r.kind} ${ns}/${name} did not handle the request within ${timeoutMs / 1000} s`, "is 'moor run' (or moor dev) running for this cluster?")
    await new Promise((res) => setTimeout(res, 200))
  }
}

export const reconcile: CliCommand = {
  path: ["reconcile"],
  summary: "Reconcile a resource now and wait for the result",
  help: `Usage: moor reconcile <kind> NAME [--with-source] [-n NS] [--timeout 60s] [--kubeconfig FILE]

Example:
  moor reconcile source git flux-system`,
  async run(argv) {
    const { kind, rest } = parseTarget(argv)
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...clusterOptions, "with-source": { type: "boolean" }, timeout: { type: "string", default: "60s" } },
      allowPositionals: true,
      strict: true,
    })
    const name = positionals[0]
    if (!name) throw new UsageError(`which ${kind.kind}? give its NAME`)
    const timeoutMs = Number.parseFloat(values.timeout!) * (values.timeout!.endsWith("m") ? 60_000 : 1_000)
    const ns = values.namespace ?? defaultNamespace
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      const r = await resourceOf(kube, kind)
      const obj = await kube.find(r, ns, name)
      if (!obj) throw new CliError(`${kind.kind} ${ns}/${name} not found`)
      if (obj.spec?.suspend) throw new CliError(`${kind.kind} ${ns}/${name} is suspended`, `resume it first: moor resume ${argv.slice(0, argv.length - rest.length).join(" ")} ${name}`)
      if (values["with-source"]) {
        const ref = obj.spec?.sourceRef as { kind: string; name: string; namespace?: string } | undefined
        if (!ref) throw new CliError(`${kind.kind} ${ns}/${name} has no sourceRef`)
        const { kinds } = await import("@moor/api")
        const sk = Object.values(kinds).find((k) => k.kind === ref.kind)
        if (!sk) throw new CliError(`unknown source kind ${ref.kind}`)
        process.stderr.write(`► annotating ${ref.kind} ${ref.name} in ${ref.namespace ?? ns} namespace\n`)
        await requestReconcile(kube, await resourceOf(kube, sk), ref.namespace ?? ns, ref.name, timeoutMs)
      }
      process.stderr.write(`► annotating ${kind.kind} ${name} in ${ns} namespace\n`)
      process.stderr.write(`◎ waiting for ${kind.kind} reconciliation\n`)
      const o = await requestReconcile(kube, r, ns, name, timeoutMs)
      const ready = (o.status?.conditions as { type: string; status: string; message: string }[] | undefined)?.find((c) => c.type === "Ready")
      if (ready?.status !== "True") throw new CliError(`${kind.kind} ${ns}/${name} reconciliation failed: ${ready?.message ?? "not ready"}`)
      const revision = o.status?.artifact?.revision ?? o.status?.lastAppliedRevision ?? ""
      process.stderr.write(`${green("✔")} ${kind.kind} reconciliation completed\n`)
      if (revision) process.stderr.write(`${green("✔")} ${o.status?.artifact ? "fetched" : "applied"} revision ${revision}\n`)
      return 0
    } finally {
      kube.close()
    }
  },
}
