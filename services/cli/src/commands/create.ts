// `moor create source git NAME ...`: builds the GitRepository a user would
// write; --export prints it, otherwise it is applied and waited for.
import { parseArgs } from "node:util"
import { stringify } from "yaml"
import { parseDuration } from "@moor/api"
import type { KubeObject } from "@moor/kube"
import { green, UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect, resourceOf } from "../Kube.ts"
import { clusterOptions, defaultNamespace, kubeconfigPath, parseTarget } from "../Target.ts"

/** The GitRepository for the flags; throws a UsageError on bad input. */
export const gitRepositoryFromFlags = (name: string, ns: string, v: Record<string, string | boolean | undefined>): KubeObject => {
  const url = v.url
  if (typeof url !== "string" || url === "") throw new UsageError("--url is required")
  const interval = (v.interval as string | undefined) ?? "1m0s"
  try {
    parseDuration(interval)
  } catch (e) {
    throw new UsageError(`--interval: ${(e as Error).message}`)
  }
  const refs = (["branch", "tag", "semver", "commit"] as const).filter((k) => typeof v[k] === "string")
  const ref = Object.fromEntries(refs.map((k) => [k, v[k] as string]))
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name, namespace: ns },
    spec: {
      url,
      interval,
      ref: refs.length ? ref : { branch: "master" },
      ...(typeof v["secret-ref"] === "string" ? { secretRef: { name: v["secret-ref"] } } : {}),
      ...(typeof v["ignore-paths"] === "string" ? { ignore: (v["ignore-paths"] as string).split(",").join("\n") } : {}),
    },
  }
}

export const create: CliCommand = {
  path: ["create"],
  summary: "Create or update a resource (or print it with --export)",
  help: `Usage: moor create source git NAME --url URL [--branch B | --tag T | --semver R | --commit SHA]
       [--interval 1m] [--secret-ref NAME] [--ignore-paths P1,P2] [--export] [-n NS] [--timeout 60s]

Example:
  moor create source git podinfo --url https://github.com/stefanprodan/podinfo --branch master --export`,
  async run(argv) {
    const { kind, rest } = parseTarget(argv)
    if (kind.kind !== "GitRepository") throw new UsageError(`moor create ${argv[0]} ${argv[1] ?? ""} is not built yet; create source git is`)
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        ...clusterOptions,
        url: { type: "string" },
        branch: { type: "string" },
        tag: { type: "string" },
        semver: { type: "string" },
        commit: { type: "string" },
        interval: { type: "string" },
        "secret-ref": { type: "string" },
        "ignore-paths": { type: "string" },
        export: { type: "boolean" },
        timeout: { type: "string", default: "60s" },
      },
      allowPositionals: true,
      strict: true,
    })
    const name = positionals[0]
    if (!name) throw new UsageError("give the NAME of the GitRepository")
    const ns = values.namespace ?? defaultNamespace
    const obj = gitRepositoryFromFlags(name, ns, values)
    if (values.export) {
      process.stdout.write("---\n" + stringify(obj))
      return 0
    }
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      const r = await resourceOf(kube, kind)
      process.stderr.write(`✚ generating ${kind.kind}\n► applying ${kind.kind}\n`)
      await kube.apply(obj, { fieldManager: "moor", force: true })
      process.stderr.write(`${green("✔")} ${kind.kind} created\n◎ waiting for ${kind.kind} reconciliation\n`)
      const end = Date.now() + parseDuration(values.timeout!)
      for (;;) {
        const o = await kube.get(r, ns, name)
        const ready = (o.status?.conditions as { type: string; status: string; message: string }[] | undefined)?.find((c) => c.type === "Ready")
        if (o.status?.observedGeneration === o.metadata.generation && ready?.status === "True") {
          process.stderr.write(`${green("✔")} ${kind.kind} reconciliation completed\n${green("✔")} fetched revision: ${o.status.artifact?.revision}\n`)
          return 0
        }
        if (o.status?.observedGeneration === o.metadata.generation && ready?.status === "False") throw new CliError(`${kind.kind} ${ns}/${name}: ${ready.message}`)
        if (Date.now() > end) throw new CliError(`${kind.kind} ${ns}/${name} is not ready after ${values.timeout}`, "is 'moor run' (or moor dev) running for this cluster?")
        await new Promise((res) => setTimeout(res, 200))
      }
    } finally {
      kube.close()
    }
  },
}
