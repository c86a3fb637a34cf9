// `moor tree kustomization NAME`: the objects a Kustomization manages (its
// status.inventory) as a tree, descending into the Kustomizations it manages,
// as `flux tree ks` prints them.
import { parseArgs } from "node:util"
import { stringify } from "yaml"
import { KustomizationKind } from "@moor/api"
import type { KubeClient, ResourceRef } from "@moor/kube"
import { UsageError, type CliCommand } from "../Command.ts"
import { CliError, connect, resourceOf } from "../Kube.ts"
import { defaultNamespace, kubeconfigPath } from "../Target.ts"

/** One node: an object, and for a Kustomization the objects it manages. */
export interface TreeNode {
  readonly resource: string
  readonly children?: TreeNode[]
}

interface Ref {
  readonly kind: string
  readonly group: string
  readonly namespace: string
  readonly name: string
}

/** Flux's inventory id: <namespace>_<name>_<group>_<kind>. */
const parseId = (id: string): Ref | undefined => {
  const p = id.split("_")
  return p.length === 4 ? { namespace: p[0]!, name: p[1]!, group: p[2]!, kind: p[3]! } : undefined
}
const label = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}`

/** The tree under Kustomization ns/name; a Kustomization met twice (a cycle) is not descended again. */
export const buildTree = async (kube: KubeClient, r: ResourceRef, ns: string, name: string, seen = new Set<string>()): Promise<TreeNode> => {
  const me = label({ kind: "Kustomization", namespace: ns, name })
  seen.add(me)
  const k = await kube.find(r, ns, name)
  if (!k) throw new CliError(`Kustomization ${ns}/${name} not found`)
  const entries = ((k.status?.inventory?.entries ?? []) as { id: string }[]).map((e) => parseId(e.id)).filter((x): x is Ref => x !== undefined)
  const children: TreeNode[] = []
  for (const e of entries) {
    const l = label(e)
    if (e.kind === "Kustomization" && e.group === "kustomize.toolkit.fluxcd.io" && !seen.has(l) && (await kube.find(r, e.namespace, e.name))) children.push(await buildTree(kube, r, e.namespace, e.name, seen))
    else children.push({ resource: l })
  }
  return { resource: me, children }
}

/** The tree drawn with box characters, as flux tree does. */
export const renderTree = (n: TreeNode, prefix = "", last = true, root = true): string[] => {
  const line = root ? n.resource : `${prefix}${last ? "└── " : "├── "}${n.resource}`
  const next = root ? "" : prefix + (last ? "    " : "│   ")
  const kids = n.children ?? []
  return [line, ...kids.flatMap((c, i) => renderTree(c, next, i === kids.length - 1, false))]
}

export const tree: CliCommand = {
  path: ["tree"],
  summary: "Show the objects a Kustomization manages, as a tree",
  help: `Usage: moor tree kustomization NAME [-n NS] [-o json|yaml] [--kubeconfig FILE]

Prints the inventory of the Kustomization (what it applied), descending into
the Kustomizations it manages.

Example:
  moor tree kustomization flux-system`,
  async run(argv) {
    if (argv[0] !== "kustomization" && argv[0] !== "ks") throw new UsageError(`moor tree ${argv[0] ?? ""}: only 'moor tree kustomization' is supported`)
    const { values, positionals } = parseArgs({
      args: argv.slice(1),
      options: { kubeconfig: { type: "string" }, namespace: { type: "string", short: "n" }, output: { type: "string", short: "o" } },
      allowPositionals: true,
      strict: true,
    })
    const name = positionals[0]
    if (!name) throw new UsageError("which Kustomization? give its NAME")
    if (values.output && values.output !== "json" && values.output !== "yaml") throw new UsageError(`-o ${values.output}: use json or yaml`)
    const kube = await connect(kubeconfigPath(values.kubeconfig))
    try {
      const t = await buildTree(kube, await resourceOf(kube, KustomizationKind), values.namespace ?? defaultNamespace, name)
      process.stdout.write(values.output === "json" ? JSON.stringify(t, null, 2) + "\n" : values.output === "yaml" ? stringify(t) : renderTree(t).join("\n") + "\n")
      return 0
    } finally {
      kube.close()
    }
  },
}
