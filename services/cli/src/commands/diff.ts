// `moor diff kustomization NAME --path DIR`: builds DIR as the Kustomization
// would, dry-runs it server-side against the cluster and prints what would
// change, as `flux diff ks` does. Exit 0: no difference; 1: differences; >1: error.
import { stringify } from "yaml"
import type { ChangeSetEntry, FieldChange } from "@moor/ssa"
import { fail, green, UsageError, type CliCommand } from "../Command.ts"
import { connect } from "../Kube.ts"
import { buildLocal, loadKustomization, parseKustomizationArgs } from "../LocalBuild.ts"

// The diff goes to stdout: colour only when stdout is a terminal (and NO_COLOR is unset).
const paint = (code: number) => (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${s}\x1b[0m` : s)
const plus = paint(32)
const minus = paint(31)

/** A value as YAML lines under the field path ("- 1", "+ 2"); objects span several lines. */
const valueLines = (sign: "+" | "-", v: unknown): string[] => {
  const text = typeof v === "string" ? v : stringify(v).trimEnd()
  const paint = sign === "+" ? plus : minus
  return text.split("\n").map((l, i) => paint(`    ${i === 0 ? sign : " "} ${l}`))
}

const fieldLines = (c: FieldChange): string[] => [
  `  ${c.path || "(object)"}`,
  ...("before" in c && c.before !== undefined ? valueLines("-", c.before) : []),
  ...("after" in c && c.after !== undefined ? valueLines("+", c.after) : []),
]

const ref = (e: ChangeSetEntry) => `${e.ref.kind}/${e.ref.namespace ? `${e.ref.namespace}/` : ""}${e.ref.name}`

/** Flux's words: an object that would be configured has drifted from what Git says. */
export const renderEntry = (e: ChangeSetEntry): string[] => {
  switch (e.action) {
    case "created":
      return [`► ${ref(e)} created`]
    case "configured":
      return [`► ${ref(e)} drifted`, ...e.diff.flatMap(fieldLines)]
    case "deleted":
      return [`► ${ref(e)} deleted`]
    case "skipped":
      return [`► ${ref(e)} skipped${e.reason ? `: ${e.reason}` : ""}`]
    default:
      return []
  }
}

export const diff: CliCommand = {
  path: ["diff"],
  summary: "Show what a local change to a Kustomization's path would change in the cluster",
  help: `Usage: moor diff kustomization NAME --path DIR [--kustomization-file FILE] [-n NS] [--kubeconfig FILE]

Builds DIR as the Kustomization NAME would (see 'moor build --help'), then
performs a server-side dry-run of every object against the cluster and prints
the difference: "created", "drifted" with the changed fields (- live, + new),
and, when the Kustomization prunes, "deleted" for the objects of its inventory
that DIR no longer has. Secret values are masked. Nothing is written.

Exit status: 0 no differences, 1 differences found, >1 the diff failed.

Flags:
  --path DIR                 local directory matching the Kustomization's spec.path (required)
  --kustomization-file FILE  a Flux Kustomization YAML to use instead of the cluster's
  -n, --namespace NS         the Kustomization's namespace (default: flux-system)

Example:
  moor diff kustomization apps --path ./clusters/prod/apps`,
  async run(argv) {
    // --progress-bar is accepted for flux's scripts and has no effect
    const { name, path, ns, file, kubeconfig } = parseKustomizationArgs("diff", argv, "progress-bar")
    // Errors exit 2 (and up), so that 1 always means "there are differences", as flux diff.
    try {
      const kube = await connect(kubeconfig)
      try {
        const k = await loadKustomization(kube, ns, name, file)
        const objects = await buildLocal(kube, k, path)
        process.stderr.write(`► Kustomization diffing...\n`)
        const { ResourceManager } = await import("@moor/ssa")
        const { FIELD_MANAGER } = await import("@moor/apply-service")
        const manager = new ResourceManager(kube, { fieldManager: FIELD_MANAGER })
        // What would be pruned comes from the cluster's inventory, also when the spec comes from a file.
        const live = file ? await loadKustomization(kube, k.metadata.namespace ?? ns, name, undefined).catch(() => undefined) : k
        const inventory = k.spec?.prune === true ? live?.status?.inventory : undefined
        const cs = await manager.diff(objects, inventory ? { inventory } : {})
        const changed = cs.entries.filter((e) => e.action !== "unchanged")
        if (changed.length === 0) {
          process.stderr.write(`${green("✔")} Kustomization diffing... no changes\n`)
          return 0
        }
        process.stdout.write(changed.flatMap(renderEntry).join("\n") + "\n")
        return 1
      } finally {
        kube.close()
      }
    } catch (e) {
      if (e instanceof UsageError) throw e
      const hint = (e as { hint?: string }).hint
      return fail(`moor diff failed: ${(e as Error).message}`, hint) + 1
    }
  },
}
