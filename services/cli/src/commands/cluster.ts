// `moor cluster serve`: the embedded Kubernetes API server as a CLI command.
import type { CliCommand } from "../Command.ts"

export const clusterServe: CliCommand = {
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
  run: async (argv) => (await import("./cluster-serve.ts")).clusterServe(argv),
}
