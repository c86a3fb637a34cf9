// `moor uninstall`: removes moor from a cluster as `flux uninstall` removes Flux: its components
// (the objects labelled app.kubernetes.io/part-of=moor), then Flux's finalizer from every custom
// resource of the toolkit's kinds, then the CRDs (and with them those resources), then the
// namespace. What the Kustomizations applied stays: taking the finalizer off first is what tells
// moor (should a replica still run) to forget them without pruning.
import { createInterface } from "node:readline/promises"
import { parseArgs } from "node:util"
import { dropFinalizer, FLUX_FINALIZER, KubeError, type KubeClient, type KubeObject, type ResourceRef } from "@moor/kube"
import { dim, green, UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect } from "../Kube.ts"
import { defaultNamespace, kubeconfigPath } from "../Target.ts"
import { parseDuration } from "@moor/api"

const PART_OF = "app.kubernetes.io/part-of=moor"

// What deploy/manifests installs besides the namespace and the CRDs.
const components: ReadonlyArray<{ apiVersion: string; kind: string; namespaced: boolean }> = [
  { apiVersion: "apps/v1", kind: "Deployment", namespaced: true },
  { apiVersion: "apps/v1", kind: "StatefulSet", namespaced: true },
  { apiVersion: "v1", kind: "Service", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", namespaced: true },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespaced: true },
  { apiVersion: "v1", kind: "ServiceAccount", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", namespaced: false },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", namespaced: false },
]

const name = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`

const notFound = (e: unknown) => e instanceof KubeError && e.code === 404

/** Deletes an object; one already gone is fine. */
const remove = (kube: KubeClient, r: ResourceRef, namespace: string | undefined, name: string, query: Record<string, string> = {}): Promise<void> =>
  kube.delete(r, namespace, name, query).catch((e) => (notFound(e) ? undefined : Promise.reject(e)))

/** The resource of a kind, or undefined when the cluster does not serve it. */
const served = async (kube: KubeClient, apiVersion: string, kind: string): Promise<ResourceRef | undefined> => kube.resource(apiVersion, kind).catch(() => undefined)

export const uninstall: CliCommand = {
  path: ["uninstall"],
  summary: "Remove moor's components, CRDs and namespace from a cluster",
  help: `Usage: moor uninstall [--keep-namespace] [--dry-run] [-s|--silent] [-n NS] [--timeout 2m] [--kubeconfig FILE]

Removes, in this order: moor's components (objects labelled ${PART_OF}),
Flux's finalizer from every Kustomization, GitRepository and other toolkit
resource, the toolkit's CRDs (and so those resources), and the namespace.
What the Kustomizations applied stays in the cluster. Stop any moor running
outside the cluster first ('moor run', 'moor dev').

Flags:
  --keep-namespace   leave the namespace (and the Secrets in it)
  --dry-run          print what would be deleted, change nothing
  -s, --silent       do not ask for confirmation
  -n, --namespace    where moor is installed (default ${defaultNamespace})
  --timeout          how long to wait for the CRDs to go (default 2m)

Example:
  moor uninstall --silent`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: "string" },
        namespace: { type: "string", short: "n", default: defaultNamespace },
        "keep-namespace": { type: "boolean" },
        "dry-run": { type: "boolean" },
        silent: { type: "boolean", short: "s" },
        timeout: { type: "string", default: "2m" },
      },
      allowPositionals: true,
      strict: true,
    })
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`)
    const ns = values.namespace!
    const dry = values["dry-run"] === true
    let timeoutMs: number
    try {
      timeoutMs = parseDuration(values.timeout!)
    } catch (e) {
      throw new UsageError(`--timeout: ${(e as Error).message}`)
    }
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      if (!dry && !values.silent) {
        if (!process.stdin.isTTY) throw new UsageError("uninstall asks for confirmation: pass --silent to run it without a terminal")
        const rl = createInterface({ input: process.stdin, output: process.stderr })
        const answer = await rl.question(`Delete moor from this cluster: components in ${ns}, the toolkit CRDs and every resource of them${values["keep-namespace"] ? "" : `, and namespace ${ns}`}? [y/N] `)
        rl.close()
        if (!/^y(es)?$/i.test(answer.trim())) {
          process.stderr.write("uninstall cancelled\n")
          return 1
        }
      }
      const say = (what: string) => process.stderr.write(`${dry ? dim("(dry run) ") : green("✔ ")}${what}\n`)

      // 1. Components: no moor replica of this install acts on what follows.
      process.stderr.write("► deleting components\n")
      for (const c of components) {
        const r = await served(kube, c.apiVersion, c.kind)
        if (!r) continue
        const { items } = await kube.list(r, c.namespaced ? ns : undefined, { labelSelector: PART_OF })
        for (const o of items) {
          const obj = { ...o, apiVersion: c.apiVersion, kind: c.kind }
          if (!dry) await remove(kube, r, o.metadata.namespace, o.metadata.name, { propagationPolicy: "Background" })
          say(`${name(obj)} deleted`)
        }
      }

      // 2. Finalizers, then 3. CRDs: the resources go with their CRD, and nothing prunes.
      const { allKinds } = await import("@moor/api")
      const crds = await kube.resource("apiextensions.k8s.io/v1", "CustomResourceDefinition")
      const present = (await Promise.all(allKinds.map(async (k) => ({ k, crd: await kube.find(crds, undefined, `${k.plural}.${k.group}`) })))).filter((x) => x.crd)
      const strip = async (quiet: boolean) => {
        for (const { k } of present) {
          const r = await served(kube, k.apiVersion, k.kind)
          if (!r) continue
          // the CRD may be gone already (discovery is cached: its path answers 404)
          const items = await kube.list(r).then((l) => l.items, (e) => (notFound(e) ? [] : Promise.reject(e)))
          for (const o of items) {
            if (!(o.metadata.finalizers ?? []).includes(FLUX_FINALIZER)) continue
            const obj = { ...o, apiVersion: k.apiVersion, kind: k.kind }
            if (!dry) {
              try {
                await dropFinalizer(kube, r, o)
              } catch (e) {
                // gone meanwhile, or its list changed: the next round reads it again
                if (!(e instanceof KubeError && (e.code === 404 || e.code === 422))) throw e
                continue
              }
            }
            if (!quiet) say(`${name(obj)} finalizer removed`)
          }
        }
      }
      process.stderr.write("► removing finalizers\n")
      await strip(false)
      process.stderr.write("► deleting CRDs\n")
      for (const { crd } of present) {
        if (!dry) await remove(kube, crds, undefined, crd!.metadata.name)
        say(`CustomResourceDefinition/${crd!.metadata.name} deleted`)
      }
      if (!dry) {
        // A CRD goes once its resources have; a reconciler that added a finalizer back meanwhile
        // (one outside the cluster, still running) is undone on each round.
        const end = Date.now() + timeoutMs
        for (;;) {
          const left = (await Promise.all(present.map(({ crd }) => kube.find(crds, undefined, crd!.metadata.name)))).filter((x) => x !== undefined)
          if (left.length === 0) break
          if (Date.now() > end) throw new CliError(`CRDs still there after ${values.timeout}: ${left.map((c) => c.metadata.name).join(", ")}`, "is a moor still running outside the cluster? stop it and run uninstall again")
          await strip(true)
          await new Promise((res) => setTimeout(res, 500))
        }
      }

      // 4. The namespace.
      if (!values["keep-namespace"]) {
        const nss = await kube.resource("v1", "Namespace")
        if (await kube.find(nss, undefined, ns)) {
          process.stderr.write("► deleting namespace\n")
          if (!dry) await remove(kube, nss, undefined, ns)
          say(`Namespace/${ns} deleted`)
        }
      }
      process.stderr.write(`${dry ? "dry run: nothing was changed" : "uninstall finished"}\n`)
      return 0
    } finally {
      kube.close()
    }
  },
}
