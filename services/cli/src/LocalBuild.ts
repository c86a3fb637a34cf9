// `moor build` and `moor diff` build a local directory as a Kustomization of
// the cluster would: its spec (targetNamespace, patches, images, postBuild
// with substituteFrom read from the cluster), or a local --kustomization-file.
import { existsSync, readFileSync, statSync } from "node:fs"
import { parseArgs } from "node:util"
import { parse } from "yaml"
import { KustomizationKind } from "@moor/api"
import type { KubeClient, KubeObject } from "@moor/kube"
import { UsageError } from "./Command.ts"
import { CliError, resourceOf } from "./Kube.ts"
import { defaultNamespace, kubeconfigPath } from "./Target.ts"

/** The flags of both commands. */
const buildOptions = {
  path: { type: "string" },
  "kustomization-file": { type: "string" },
  kubeconfig: { type: "string" },
  namespace: { type: "string", short: "n" },
} as const

/** `moor <verb> kustomization NAME --path DIR [...]`: the arguments both commands share, plus the verb's own boolean flag. */
export const parseKustomizationArgs = <F extends string>(verb: string, argv: readonly string[], flag: F) => {
  if (argv[0] !== "kustomization" && argv[0] !== "ks") throw new UsageError(`moor ${verb} ${argv[0] ?? ""}: only 'moor ${verb} kustomization' is supported`)
  const { values, positionals } = parseArgs({ args: argv.slice(1), options: { ...buildOptions, [flag]: { type: "boolean" } }, allowPositionals: true, strict: true })
  const name = positionals[0]
  if (!name) throw new UsageError("which Kustomization? give its NAME")
  if (!values.path) throw new UsageError("--path DIR is required")
  return {
    name,
    path: values.path as string,
    ns: (values.namespace as string | undefined) ?? defaultNamespace,
    file: values["kustomization-file"] as string | undefined,
    kubeconfig: kubeconfigPath(values.kubeconfig as string | undefined),
    flag: (values as Record<string, unknown>)[flag] === true,
  }
}

/** The Kustomization to build as: from --kustomization-file, else the cluster's. */
export const loadKustomization = async (kube: KubeClient | undefined, ns: string, name: string, file: string | undefined): Promise<KubeObject> => {
  if (file) {
    if (!existsSync(file)) throw new CliError(`--kustomization-file ${file} does not exist`)
    let doc: KubeObject
    try {
      doc = parse(readFileSync(file, "utf8")) as KubeObject
    } catch (e) {
      throw new CliError(`--kustomization-file ${file} is not YAML: ${(e as Error).message}`)
    }
    if (doc?.kind !== "Kustomization" || !String(doc.apiVersion).startsWith("kustomize.toolkit.fluxcd.io/")) throw new CliError(`${file} is not a Flux Kustomization (kustomize.toolkit.fluxcd.io)`)
    if (doc.metadata?.name !== name) throw new CliError(`${file} holds Kustomization ${doc.metadata?.name}, not ${name}`)
    return { ...doc, metadata: { ...doc.metadata, namespace: doc.metadata.namespace ?? ns } }
  }
  if (!kube) throw new CliError("no cluster to read the Kustomization from")
  const r = await resourceOf(kube, KustomizationKind)
  const k = await kube.find(r, ns, name)
  if (!k) throw new CliError(`Kustomization ${ns}/${name} not found`, "create it first, or pass --kustomization-file FILE")
  return k
}

/** The objects the Kustomization would apply from `dir` (its spec.path is the directory itself). */
export const buildLocal = async (kube: KubeClient | undefined, k: KubeObject, dir: string): Promise<KubeObject[]> => {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`--path ${dir} is not a directory`, "point --path at the local copy of the Kustomization's spec.path")
  const { buildKustomization, BuildError } = await import("@moor/kustomize-service")
  const { diskFs } = await import("@moor/kustomize")
  const vars = async (kind: "ConfigMap" | "Secret", ns: string, name: string) => {
    if (!kube) return undefined
    return kube.find(await kube.resource("v1", kind), ns, name)
  }
  try {
    return await buildKustomization(diskFs(dir), "./", { metadata: { namespace: k.metadata.namespace ?? "default" }, spec: k.spec ?? {} }, vars)
  } catch (e) {
    if (e instanceof BuildError) throw new CliError(e.message, "fix the manifests under --path; 'kubectl kustomize' may show more")
    throw e
  }
}

/** A Secret with its values replaced, as Flux's CLI masks them: SOPS values by **SOPS**, others by *****. */
export const maskSecret = (o: KubeObject): KubeObject => {
  if (o.kind !== "Secret" || o.apiVersion !== "v1") return o
  const mask = (m: unknown) =>
    m && typeof m === "object" ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === "string" && v.startsWith("ENC[") ? "**SOPS**" : "*****"])) : m
  const out: KubeObject = { ...o }
  if (o.data) out.data = mask(o.data)
  if (o.stringData) out.stringData = mask(o.stringData)
  return out
}
