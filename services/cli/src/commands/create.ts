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

/** Flux's --health-check is Kind/name.namespace; the apiVersion follows from the kind. */
const healthCheckApiVersions: Record<string, string> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  Job: "batch/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  GitRepository: "source.toolkit.fluxcd.io/v1",
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  HelmRepository: "source.toolkit.fluxcd.io/v1",
}

const duration = (flag: string, v: string): string => {
  try {
    parseDuration(v)
  } catch (e) {
    throw new UsageError(`--${flag}: ${(e as Error).message}`)
  }
  return v
}

/** The Kustomization for `moor create kustomization` flags (Flux's names); throws a UsageError on bad input. */
export const kustomizationFromFlags = (name: string, ns: string, v: Record<string, string | boolean | undefined>): KubeObject => {
  const source = v.source
  if (typeof source !== "string" || source === "") throw new UsageError("--source is required, e.g. --source GitRepository/flux-system")
  // Kind/name, Kind/namespace/name, or just name (a GitRepository), as flux accepts.
  const parts = source.split("/")
  if (parts.length > 3 || parts.some((p) => p === "")) throw new UsageError(`--source ${source}: use Kind/name or Kind/namespace/name`)
  const [srcKind, srcNs, srcName] = parts.length === 1 ? ["GitRepository", undefined, parts[0]!] : parts.length === 2 ? [parts[0]!, undefined, parts[1]!] : [parts[0]!, parts[1]!, parts[2]!]
  if (!["GitRepository", "OCIRepository", "Bucket"].includes(srcKind)) throw new UsageError(`--source kind ${srcKind}: use GitRepository, OCIRepository or Bucket`)
  const dependsOn = typeof v["depends-on"] === "string"
    ? (v["depends-on"] as string).split(",").map((d) => d.trim()).filter(Boolean).map((d) => {
        const [a, b] = d.split("/")
        if (d.split("/").length > 2 || !a) throw new UsageError(`--depends-on ${d}: use NAME or NAMESPACE/NAME`)
        return b ? { name: b, namespace: a } : { name: a }
      })
    : []
  const healthChecks = typeof v["health-check"] === "string"
    ? (v["health-check"] as string).split(",").map((h) => h.trim()).filter(Boolean).map((h) => {
        const m = /^([A-Za-z]+)\/([a-z0-9][a-z0-9.-]*?)\.([a-z0-9-]+)$/.exec(h)
        if (!m) throw new UsageError(`--health-check ${h}: use Kind/name.namespace, e.g. Deployment/podinfo.default`)
        const apiVersion = healthCheckApiVersions[m[1]!]
        if (!apiVersion) throw new UsageError(`--health-check ${h}: kind ${m[1]} is not one of ${Object.keys(healthCheckApiVersions).join(", ")}`)
        return { apiVersion, kind: m[1]!, name: m[2]!, namespace: m[3]! }
      })
    : []
  const path = typeof v.path === "string" && v.path !== "" ? v.path : "./"
  if (path.split("/").includes("..")) throw new UsageError(`--path ${path}: must stay inside the source (no ..)`)
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: ns },
    spec: {
      interval: duration("interval", (v.interval as string | undefined) ?? "1m0s"),
      path,
      prune: v.prune === true,
      sourceRef: { kind: srcKind, name: srcName, ...(srcNs ? { namespace: srcNs } : {}) },
      ...(dependsOn.length ? { dependsOn } : {}),
      ...(typeof v["target-namespace"] === "string" ? { targetNamespace: v["target-namespace"] } : {}),
      ...(v.wait === true ? { wait: true } : {}),
      ...(healthChecks.length ? { healthChecks } : {}),
      ...(typeof v["health-check-timeout"] === "string" ? { timeout: duration("health-check-timeout", v["health-check-timeout"] as string) } : {}),
      ...(typeof v["retry-interval"] === "string" ? { retryInterval: duration("retry-interval", v["retry-interval"] as string) } : {}),
      ...(typeof v["service-account"] === "string" ? { serviceAccountName: v["service-account"] } : {}),
      ...(typeof v["decryption-provider"] === "string"
        ? { decryption: { provider: v["decryption-provider"], ...(typeof v["decryption-secret"] === "string" ? { secretRef: { name: v["decryption-secret"] } } : {}) } }
        : {}),
    },
  }
}

export const create: CliCommand = {
  path: ["create"],
  summary: "Create or update a resource (or print it with --export)",
  help: `Usage: moor create source git NAME --url URL [--branch B | --tag T | --semver R | --commit SHA]
       [--interval 1m] [--secret-ref NAME] [--ignore-paths P1,P2] [--export] [-n NS] [--timeout 60s]
       moor create kustomization NAME --source [Kind/][NAMESPACE/]NAME [--path ./] [--prune] [--interval 1m]
       [--depends-on [NS/]NAME,...] [--target-namespace NS] [--wait] [--health-check Kind/name.namespace,...]
       [--health-check-timeout 5m] [--retry-interval 1m] [--service-account SA]
       [--decryption-provider sops --decryption-secret NAME] [--export] [-n NS] [--timeout 60s]

Creates (or updates) the resource and waits until it is Ready; with --export
prints the YAML for a repository instead and touches nothing.

Kustomization flags, as flux create kustomization:
  --source               the source: GitRepository/NAME, OCIRepository/NS/NAME, or NAME (a GitRepository)
  --path                 path to the directory with the manifests in the source (default ./)
  --prune                delete what leaves the path (garbage collection)
  --depends-on           Kustomizations that must be Ready first: NAME or NAMESPACE/NAME, comma-separated
  --target-namespace     namespace for the objects that have none
  --wait                 wait for every applied object to be ready (spec.wait)
  --health-check         objects to wait for: Kind/name.namespace, comma-separated
  --health-check-timeout how long health checks may take (spec.timeout)

Example:
  moor create source git podinfo --url https://github.com/stefanprodan/podinfo --branch master --export
  moor create kustomization podinfo --source GitRepository/podinfo --path ./kustomize --prune \\
    --target-namespace default --health-check Deployment/podinfo.default --interval 10m`,
  async run(argv) {
    const { kind, rest } = parseTarget(argv)
    if (kind.kind !== "GitRepository" && kind.kind !== "Kustomization") throw new UsageError(`moor create ${argv[0]} ${argv[1] ?? ""} is not built yet; create source git and create kustomization are`)
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
        source: { type: "string" },
        path: { type: "string" },
        prune: { type: "boolean" },
        "depends-on": { type: "string" },
        "target-namespace": { type: "string" },
        wait: { type: "boolean" },
        "health-check": { type: "string" },
        "health-check-timeout": { type: "string" },
        "retry-interval": { type: "string" },
        "service-account": { type: "string" },
        "decryption-provider": { type: "string" },
        "decryption-secret": { type: "string" },
        export: { type: "boolean" },
        timeout: { type: "string", default: "60s" },
      },
      allowPositionals: true,
      strict: true,
    })
    const name = positionals[0]
    if (!name) throw new UsageError(`give the NAME of the ${kind.kind}`)
    const ns = values.namespace ?? defaultNamespace
    // Each kind takes only its own flags: a flag of the other kind is a mistake worth saying.
    const own = kind.kind === "GitRepository" ? ["url", "branch", "tag", "semver", "commit", "secret-ref", "ignore-paths"] : ["source", "path", "prune", "depends-on", "target-namespace", "wait", "health-check", "health-check-timeout", "retry-interval", "service-account", "decryption-provider", "decryption-secret"]
    const common = ["kubeconfig", "namespace", "all-namespaces", "interval", "export", "timeout"]
    const stray = Object.keys(values).filter((f) => !own.includes(f) && !common.includes(f))
    if (stray.length) throw new UsageError(`--${stray[0]} is not a flag of moor create ${kind.kind === "GitRepository" ? "source git" : "kustomization"}`)
    const obj = kind.kind === "GitRepository" ? gitRepositoryFromFlags(name, ns, values) : kustomizationFromFlags(name, ns, values)
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
          process.stderr.write(`${green("✔")} ${kind.kind} reconciliation completed\n`)
          if (o.status.artifact?.revision) process.stderr.write(`${green("✔")} fetched revision: ${o.status.artifact.revision}\n`)
          if (o.status.lastAppliedRevision) process.stderr.write(`${green("✔")} applied revision ${o.status.lastAppliedRevision}\n`)
          return 0
        }
        // Waiting reasons (a dependency or the source not ready yet) resolve by themselves: keep waiting.
        if (o.status?.observedGeneration === o.metadata.generation && ready?.status === "False" && !["DependencyNotReady", "ArtifactFailed"].includes((ready as { reason?: string }).reason ?? "")) throw new CliError(`${kind.kind} ${ns}/${name}: ${ready.message}`)
        if (Date.now() > end) throw new CliError(`${kind.kind} ${ns}/${name} is not ready after ${values.timeout}`, "is 'moor run' (or moor dev) running for this cluster?")
        await new Promise((res) => setTimeout(res, 200))
      }
    } finally {
      kube.close()
    }
  },
}
