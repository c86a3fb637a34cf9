// The moor CLI: dispatches `moor <command...>` to one command module.
import { fail, red, UsageError, type CliCommand } from "./Command.ts"

/** A command as `moor --help` lists it; its module (and its dependencies) load only when it runs. */
interface Entry {
  readonly path: readonly string[]
  readonly summary: string
  readonly load: () => Promise<CliCommand>
}

const commands: Entry[] = [
  { path: ["dev"], summary: "Run everything locally: embedded cluster, NATS, services, a sample fleet", load: async () => (await import("./commands/dev.ts")).dev },
  { path: ["bootstrap"], summary: "Deploy moor on a cluster, connected to a Git repository", load: async () => (await import("./commands/bootstrap.ts")).bootstrapGroup },
  { path: ["bootstrap", "git"], summary: "Deploy moor on a cluster connected to a Git repository", load: async () => (await import("./commands/bootstrap.ts")).bootstrapGit },
  { path: ["bootstrap", "github"], summary: "Deploy moor on a cluster connected to a GitHub repository", load: async () => (await import("./commands/bootstrap.ts")).bootstrapGithub },
  { path: ["bootstrap", "gitea"], summary: "Deploy moor on a cluster connected to a Gitea/Forgejo repository", load: async () => (await import("./commands/bootstrap.ts")).bootstrapGitea },
  { path: ["run"], summary: "Host moor's services (all by default) in one process", load: async () => (await import("./commands/run.ts")).run },
  { path: ["cluster", "serve"], summary: "Run the embedded Kubernetes API server (kubectl works against it)", load: async () => (await import("./commands/cluster.ts")).clusterServe },
  { path: ["get"], summary: "List resources of a kind as Flux prints them", load: async () => (await import("./commands/get.ts")).get },
  { path: ["reconcile"], summary: "Reconcile a resource now and wait for the result", load: async () => (await import("./commands/reconcile.ts")).reconcile },
  { path: ["suspend"], summary: "Suspend reconciliation of resources", load: async () => (await import("./commands/suspend.ts")).suspend },
  { path: ["resume"], summary: "Resume reconciliation of suspended resources", load: async () => (await import("./commands/suspend.ts")).resume },
  { path: ["create"], summary: "Create or update a resource (or print it with --export)", load: async () => (await import("./commands/create.ts")).create },
  { path: ["export"], summary: "Print resources as YAML for a repository", load: async () => (await import("./commands/export.ts")).exportCmd },
  { path: ["events"], summary: "Show moor's events (history from JetStream, live with --watch)", load: async () => (await import("./commands/events.ts")).events },
  { path: ["build"], summary: "Print what a Kustomization would apply from a local directory", load: async () => (await import("./commands/build.ts")).build },
  { path: ["diff"], summary: "Show what a local change to a Kustomization's path would change", load: async () => (await import("./commands/diff.ts")).diff },
  { path: ["tree"], summary: "Show the objects a Kustomization manages, as a tree", load: async () => (await import("./commands/tree.ts")).tree },
  { path: ["logs"], summary: "Show the log lines of moor's services (live with --follow)", load: async () => (await import("./commands/logs.ts")).logs },
  { path: ["check"], summary: "Check the prerequisites and that moor's services run", load: async () => (await import("./commands/check.ts")).check },
  { path: ["secret"], summary: "SOPS secrets with age: age-keygen, encrypt, decrypt, rotate", load: async () => (await import("./commands/secret.ts")).secret },
  { path: ["uninstall"], summary: "Remove moor's components, CRDs and namespace from a cluster", load: async () => (await import("./commands/uninstall.ts")).uninstall },
  { path: ["version"], summary: "Print moor's version and protocol version", load: async () => (await import("./commands/version.ts")).version },
]

const usage = () =>
  `moor: GitOps for Kubernetes fleets (Flux-compatible, actors on NATS)

Usage: moor <command> [flags]

Commands:
${commands.map((c) => `  ${c.path.join(" ").padEnd(18)} ${c.summary}`).join("\n")}

Run 'moor <command> --help' for a command's flags and an example.`

const main = async (argv: string[]): Promise<number> => {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(usage() + "\n")
    return argv.length === 0 ? 2 : 0
  }
  // The longest command path that prefixes argv wins ("cluster serve" before "cluster").
  const cmd = commands
    .filter((c) => c.path.every((w, i) => argv[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0]
  if (!cmd) {
    process.stderr.write(`${red("✗")} unknown command "${argv.join(" ")}"\n  run 'moor --help' for the list\n`)
    return 2
  }
  const rest = argv.slice(cmd.path.length)
  const impl = await cmd.load()
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(impl.help + "\n")
    return 0
  }
  try {
    return await impl.run(rest)
  } catch (e) {
    // node's parseArgs errors carry a string code (a KubeError's is the HTTP status, a number)
    const code = (e as { code?: unknown }).code
    if (e instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
      process.stderr.write(`${red("✗")} ${(e as Error).message}\n  run 'moor ${cmd.path.join(" ")} --help' for usage\n`)
      return 2
    }
    if (e instanceof Error && e.name === "CliError") return fail(e.message, (e as Error & { hint?: string }).hint)
    return fail(`moor ${cmd.path.join(" ")} failed: ${(e as Error).message}`)
  }
}

process.exitCode = await main(process.argv.slice(2))
