// The moor CLI: dispatches `moor <command...>` to one command module.
import { fail, red, UsageError, type CliCommand } from "./Command.ts"
import { run } from "./commands/run.ts"
import { version } from "./commands/version.ts"

const clusterServe: CliCommand = {
  path: ["cluster", "serve"],
  summary: "Run the embedded Kubernetes API server (kubectl works against it)",
  help: `Usage: moor cluster serve [--port N] [--kubeconfig FILE] [--data DIR] [--simulate-workloads] [--simulate-delay MS]

Serves the Kubernetes API on 127.0.0.1 (HTTPS with a self-signed certificate),
writes a kubeconfig with a token, prints "ready <kubeconfig>" and runs until
SIGINT/SIGTERM.

Flags:
  --port N               port to listen on (default: a free one)
  --kubeconfig FILE      where to write the kubeconfig (default: ./kubeconfig or under --data)
  --data DIR             keep objects in DIR across restarts
  --simulate-workloads   give Deployments, StatefulSets, DaemonSets and Jobs status as if pods ran
  --simulate-delay MS    how long simulated rollouts take

Example:
  moor cluster serve --data .moor/cluster --simulate-workloads`,
  // Loaded on use: `moor --help` should not load the server.
  run: async (argv) => (await import("./commands/cluster-serve.ts")).clusterServe(argv),
}

const commands: CliCommand[] = [run, clusterServe, version]

const usage = () =>
  `moor: GitOps for Kubernetes fleets (Flux-compatible, actors on NATS)

Usage: moor <command> [flags]

Commands:
${commands.map((c) => `  ${c.path.join(" ").padEnd(16)} ${c.summary}`).join("\n")}

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
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(cmd.help + "\n")
    return 0
  }
  try {
    return await cmd.run(rest)
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${red("✗")} ${(e as Error).message}\n  run 'moor ${cmd.path.join(" ")} --help' for usage\n`)
      return 2
    }
    return fail(`moor ${cmd.path.join(" ")} failed: ${(e as Error).message}`)
  }
}

process.exitCode = await main(process.argv.slice(2))
